/** Tenant bearer tokens: Hono's bearer auth and a constant-time digest compare. */

import { bearerAuth } from "hono/bearer-auth";
import { memoizedByEnv, parseTenantTokens } from "../config.ts";
import type { AppEnv } from "./app-env.ts";
import { problemResponse } from "./problem.ts";

interface TenantDigest {
  tenant: string;
  digest: ArrayBuffer;
}

const tenantDigests = memoizedByEnv(async (source) => {
  const tokens = parseTenantTokens(source);
  if (tokens === null) return null;
  return Promise.all(
    tokens.map(async ({ tenant, token }): Promise<TenantDigest> => ({ tenant, digest: await sha256(token) })),
  );
});

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}

/** Compares against every tenant, without stopping at a match, so timing says nothing about which one. */
async function tenantOf(known: readonly TenantDigest[], token: string): Promise<string | null> {
  const digest = await sha256(token);
  let tenant: string | null = null;
  for (const candidate of known) {
    if (crypto.subtle.timingSafeEqual(candidate.digest, digest) && tenant === null) tenant = candidate.tenant;
  }
  return tenant;
}

const unauthorized = (detail: string) => () => problemResponse("unauthorized", detail);

const bearer = bearerAuth<AppEnv>({
  verifyToken: async (token, c) => {
    const known = (await tenantDigests(c.env)) ?? [];
    const tenant = await tenantOf(known, token);
    if (tenant !== null) c.set("tenant", tenant);
    return tenant !== null;
  },
  noAuthenticationHeader: { message: unauthorized("Send Authorization: Bearer <token>.") },
  invalidAuthenticationHeader: { message: unauthorized("The Authorization header is not a Bearer token.") },
  invalidToken: { message: unauthorized("The bearer token is not valid.") },
});

/** Runs after `requireConfiguration`, so the token list is known to be set and valid. */
export const authenticateTenant = bearer;
