/**
 * Read tokens: `rt1.<claims>.<mac>`, base64url, with an HMAC-SHA256 over the claims under one of READ_TOKEN_SECRET's
 * secrets (the claims name it by `kid`). They carry the tenant, an optional threadId, when they were minted and
 * expire, and their own id, so a token is checked without storage, and revoked by id or by time.
 */

import { fromBase64url, toBase64url } from "../base64url.ts";
import { READ_TOKEN_PREFIX as PREFIX, type ReadTokenKey, type ReadTokenKeys } from "../config-access.ts";
import type { ReadGrant } from "../domain/read-grants.ts";

const encoder = new TextEncoder();

export interface ReadClaims extends ReadGrant {
  tenant: string;
  threadId: string | null;
}

export function isReadToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

/** Mints a token under the newest secret. */
export async function signReadToken(keys: ReadTokenKeys, claims: Omit<ReadClaims, "kid">): Promise<string> {
  const { signing } = keys;
  const body = toBase64url(
    encoder.encode(
      JSON.stringify({
        t: claims.tenant,
        th: claims.threadId,
        iat: claims.issuedAt,
        exp: claims.expiresAt,
        jti: claims.jti,
        kid: signing.kid,
      }),
    ),
  );
  return `${PREFIX}${body}.${toBase64url(await mac(signing, body))}`;
}

interface WireClaims {
  t?: unknown;
  th?: unknown;
  iat?: unknown;
  exp?: unknown;
  jti?: unknown;
  kid?: unknown;
}

/**
 * The claims of a genuine token, signed by a secret still configured, that has not expired at `now`; null for
 * anything else (tokens minted before `iat` and `jti` existed included).
 */
export async function verifyReadToken(keys: ReadTokenKeys, token: string, now: number): Promise<ReadClaims | null> {
  const [body, signature, ...rest] = token.slice(PREFIX.length).split(".");
  if (!isReadToken(token) || body === undefined || signature === undefined || rest.length > 0) return null;
  const given = fromBase64url(signature);
  const claims = given === null ? null : decodeClaims(body);
  // The key is chosen by the claims' kid before they are trusted, as JOSE does; the MAC then vouches for them.
  const key = claims === null ? undefined : keys.all.find((candidate) => candidate.kid === claims.kid);
  if (given === null || claims === null || key === undefined) return null;
  const expected = await mac(key, body);
  if (given.byteLength !== expected.byteLength || !crypto.subtle.timingSafeEqual(given, expected)) return null;
  return claims.expiresAt <= now ? null : claims;
}

function decodeClaims(body: string): ReadClaims | null {
  const decoded = fromBase64url(body);
  if (decoded === null) return null;
  try {
    const wire = JSON.parse(new TextDecoder().decode(decoded)) as WireClaims;
    const { t, th, iat, exp, jti, kid } = wire;
    if (typeof t !== "string" || (th !== null && typeof th !== "string")) return null;
    if (typeof iat !== "number" || typeof exp !== "number" || typeof jti !== "string" || typeof kid !== "string") {
      return null;
    }
    return { tenant: t, threadId: th, issuedAt: iat, expiresAt: exp, jti, kid };
  } catch {
    return null;
  }
}

async function mac(key: ReadTokenKey, body: string): Promise<ArrayBuffer> {
  const hmac = await crypto.subtle.importKey("raw", key.secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", hmac, encoder.encode(body));
}
