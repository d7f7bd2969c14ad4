/**
 * Who is calling: a tenant's API token (Hono's bearer auth, constant-time digest compare), or a read token, which
 * may also come as `?access_token=` on reads because browsers cannot set headers on a WebSocket or EventSource.
 */
import type { Context } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { createMiddleware } from "hono/factory";
import { parseReadTokenSecret, parseTenantTokens } from "../config-access.ts";
import { memoizedByEnv } from "../config-source.ts";
import { grantStanding, NO_REVOCATIONS } from "../domain/read-grants.ts";
import { grantFacts } from "../live/grant.ts";
import type { AppEnv } from "./app-env.ts";
import { isReadMethod } from "./methods.ts";
import { fail, problemResponse } from "./problem.ts";
import { isReadToken, verifyReadToken } from "./read-tokens.ts";
import { revocationsOf } from "./revocations.ts";

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

export const readTokenKeys = memoizedByEnv(parseReadTokenSecret);

/**
 * A read token stands while it is genuine and unexpired, its tenant is still in API_TOKENS, the secret that signed
 * it is still configured, and it is not revoked (revocations read at most a minute ago).
 */
async function admitReadToken(c: Context<AppEnv>, token: string): Promise<boolean> {
  const keys = readTokenKeys(c.env);
  const now = Date.now();
  const claims = keys === null ? null : await verifyReadToken(keys, token, now);
  if (claims === null) return false;
  // The one rule, first without revocations: a token of an unknown tenant or key never costs a directory call.
  if (grantStanding(claims, grantFacts(c.env, claims.tenant, NO_REVOCATIONS), now) !== "valid") return false;
  const facts = grantFacts(c.env, claims.tenant, await revocationsOf(c, claims.tenant, now));
  if (grantStanding(claims, facts, now) !== "valid") return false;
  const { jti, issuedAt, expiresAt, kid } = claims;
  c.set("tenant", claims.tenant);
  c.set("access", { kind: "read", threadId: claims.threadId, grant: { jti, issuedAt, expiresAt, kid } });
  return true;
}

/**
 * The API tokens already admitted by this isolate, and their tenants: a digest per request cost more than the rest
 * of the authentication. Only a token that matched is kept, so the map holds at most the configured tokens, and a
 * wrong guess always takes the constant-time comparison.
 */
const admittedTokens = memoizedByEnv(() => new Map<string, string>());

/** Sets the tenant and the access of a valid token; false for anything else. */
async function admit(c: Context<AppEnv>, token: string): Promise<boolean> {
  if (isReadToken(token)) return admitReadToken(c, token);
  const admitted = admittedTokens(c.env);
  const tenant = admitted.get(token) ?? (await tenantOf((await tenantDigests(c.env)) ?? [], token));
  if (tenant === null) return false;
  admitted.set(token, tenant);
  c.set("tenant", tenant);
  c.set("access", { kind: "api" });
  return true;
}

const bearer = bearerAuth<AppEnv>({
  verifyToken: (token, c) => admit(c, token),
  noAuthenticationHeader: { message: unauthorized("Send Authorization: Bearer <token>.") },
  invalidAuthenticationHeader: { message: unauthorized("The Authorization header is not a Bearer token.") },
  invalidToken: { message: unauthorized("The bearer token is not valid.") },
});

/** Runs after `requireConfiguration`, so the token list is known to be set and valid. */
export const authenticateTenant = createMiddleware<AppEnv>(async (c, next) => {
  const inQuery = c.req.query("access_token");
  if (inQuery === undefined || c.req.header("authorization") !== undefined) return bearer(c, next);
  // An API token in a URL would end up in logs and histories: only read tokens are taken from there.
  if (!isReadMethod(c.req.method) || !isReadToken(inQuery) || !(await admit(c, inQuery))) {
    return unauthorized("The access_token is not a valid, unexpired read token (API tokens go in the header).")();
  }
  await next();
});

/** The one write a read token may make: revoking itself. */
export const SELF_REVOCATION_PATH = "/v1/read-tokens/self";

/** A read token reads (and may revoke itself): any other method is forbidden, even where it would be allowed. */
export const enforceReadOnly = createMiddleware<AppEnv>(async (c, next) => {
  const revokesItself = c.req.method === "DELETE" && c.req.path === SELF_REVOCATION_PATH;
  if (c.get("access").kind === "read" && !isReadMethod(c.req.method) && !revokesItself) {
    fail("forbidden", "This is a read token: it can only read. Use an API token to write.");
  }
  await next();
});
