/**
 * Sign-in: an API token is exchanged once for the longest-lived read token, and only the read token is kept, in
 * this tab's sessionStorage. The API token goes in one request header and is then forgotten.
 */
import { createClient, ProblemError } from "../client/index.ts";
import { READ_TOKEN_MAX_TTL_SECONDS } from "../contracts/vocabulary.ts";

const STORAGE_KEY = "provider-sessions:read-token";

export interface ReadAccess {
  token: string;
  expiresAt: number;
}

/** The kept read token, or why there is none to use. */
export type StoredAccess = { kind: "signed-in"; access: ReadAccess } | { kind: "signed-out" } | { kind: "expired" };

export function storedAccess(now: number): StoredAccess {
  const text = sessionStorage.getItem(STORAGE_KEY);
  if (text === null) return { kind: "signed-out" };
  const access = parseAccess(text);
  if (access === null) return { kind: "signed-out" };
  return access.expiresAt <= now ? { kind: "expired" } : { kind: "signed-in", access };
}

function parseAccess(text: string): ReadAccess | null {
  try {
    const value = JSON.parse(text) as Partial<ReadAccess>;
    if (typeof value.token !== "string" || typeof value.expiresAt !== "number") return null;
    return { token: value.token, expiresAt: value.expiresAt };
  } catch {
    return null;
  }
}

/**
 * Forgets the read token, and revokes it on the service as well, so a copy of it (a screenshot of the network tab,
 * a proxy's log) stops working too. The page does not wait: the tab is signed out either way.
 */
export function signOut(): void {
  const stored = storedAccess(Date.now());
  sessionStorage.removeItem(STORAGE_KEY);
  if (stored.kind !== "signed-in") return;
  const client = createClient({ baseUrl: location.origin, token: stored.access.token });
  client.revokeThisToken().catch(() => {});
}

/** Exchanges the API token; a refusal comes back as a sentence a person can act on. */
export async function signIn(apiToken: string): Promise<{ ok: true } | { ok: false; message: string }> {
  const client = createClient({ baseUrl: location.origin, token: apiToken });
  try {
    const minted = await client.readToken({ ttlSeconds: READ_TOKEN_MAX_TTL_SECONDS });
    const access: ReadAccess = { token: minted.token, expiresAt: Date.parse(minted.expiresAt) };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(access));
    return { ok: true };
  } catch (error) {
    return { ok: false, message: signInFailure(error) };
  }
}

function signInFailure(error: unknown): string {
  if (!(error instanceof ProblemError)) return "The service could not be reached. Check your connection and try again.";
  switch (error.status) {
    case 401:
      return "That token was not accepted. Paste an API token of this service (not a read token) and try again.";
    case 403:
      return "That is a read token. Sign in with an API token: the page exchanges it for a read token itself.";
    case 503:
      return `The service cannot issue read tokens yet: ${error.detail}`;
    default:
      return `Sign-in failed (${error.status} ${error.title}): ${error.detail}`;
  }
}
