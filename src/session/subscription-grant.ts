/**
 * The read token a subscription was opened with, as the Worker hands it to the object that serves the
 * subscription (query parameters of the internal request), and the facts the object checks it against.
 */
import { memoizedByEnv, parseReadTokenSecret, parseTenantTokens } from "../config.ts";
import type { GrantFacts, ReadGrant, Revocations } from "../domain/read-grants.ts";

export function writeGrant(query: URLSearchParams, grant: ReadGrant): void {
  query.set("until", String(grant.expiresAt));
  query.set("iat", String(grant.issuedAt));
  query.set("jti", grant.jti);
  query.set("kid", grant.kid);
}

/** null for a subscription opened with an API token. */
export function readGrant(query: URLSearchParams): ReadGrant | null {
  const until = query.get("until");
  if (until === null) return null;
  return {
    expiresAt: Number(until),
    issuedAt: Number(query.get("iat") ?? 0),
    jti: query.get("jti") ?? "",
    kid: query.get("kid") ?? "",
  };
}

const configuredTenants = memoizedByEnv((source) => new Set((parseTenantTokens(source) ?? []).map((t) => t.tenant)));
const configuredKids = memoizedByEnv((source) => new Set((parseReadTokenSecret(source)?.all ?? []).map((k) => k.kid)));

/** What a tenant's read tokens are checked against under this env, with the revocations given. */
export function grantFacts(env: object, tenant: string, revocations: Revocations): GrantFacts {
  return { tenantConfigured: configuredTenants(env).has(tenant), kids: configuredKids(env), revocations };
}
