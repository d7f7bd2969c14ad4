/**
 * Read tokens: `rt1.<claims>.<mac>`, base64url, with an HMAC-SHA256 over the claims under READ_TOKEN_SECRET. They
 * carry the tenant, an optional threadId and the expiry, so checking one needs no storage.
 */

import { fromBase64url, toBase64url } from "../base64url.ts";
import { READ_TOKEN_PREFIX as PREFIX } from "../config.ts";

const encoder = new TextEncoder();

export interface ReadClaims {
  tenant: string;
  threadId: string | null;
  /** ms since the epoch */
  expiresAt: number;
}

export function isReadToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

export async function signReadToken(secret: Uint8Array, claims: ReadClaims): Promise<string> {
  const body = toBase64url(
    encoder.encode(JSON.stringify({ t: claims.tenant, th: claims.threadId, exp: claims.expiresAt })),
  );
  return `${PREFIX}${body}.${toBase64url(await mac(secret, body))}`;
}

/** The claims of a genuine token that has not expired at `now`; null for anything else. */
export async function verifyReadToken(secret: Uint8Array, token: string, now: number): Promise<ReadClaims | null> {
  const [body, signature, ...rest] = token.slice(PREFIX.length).split(".");
  if (!isReadToken(token) || body === undefined || signature === undefined || rest.length > 0) return null;
  const given = fromBase64url(signature);
  if (given === null) return null;
  const expected = await mac(secret, body);
  if (given.byteLength !== expected.byteLength || !crypto.subtle.timingSafeEqual(given, expected)) return null;
  const decoded = fromBase64url(body);
  if (decoded === null) return null;
  try {
    const claims = JSON.parse(new TextDecoder().decode(decoded)) as { t?: unknown; th?: unknown; exp?: unknown };
    if (typeof claims.t !== "string" || typeof claims.exp !== "number") return null;
    if (claims.th !== null && typeof claims.th !== "string") return null;
    if (claims.exp <= now) return null;
    return { tenant: claims.t, threadId: claims.th, expiresAt: claims.exp };
  } catch {
    return null;
  }
}

async function mac(secret: Uint8Array, body: string): Promise<ArrayBuffer> {
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", key, encoder.encode(body));
}
