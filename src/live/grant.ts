/** The facts an object checks its subscribers' read tokens against (the token itself came with the subscription). */
import { parseReadTokenSecret, parseTenantTokens } from "../config-access.ts";
import { memoizedByEnv } from "../config-source.ts";
import { type GrantFacts, grantStanding, type Revocations } from "../domain/read-grants.ts";
import type { Subscribers } from "./subscribers.ts";

const configuredTenants = memoizedByEnv((source) => new Set((parseTenantTokens(source) ?? []).map((t) => t.tenant)));
const configuredKids = memoizedByEnv((source) => new Set((parseReadTokenSecret(source)?.all ?? []).map((k) => k.kid)));

/** What a tenant's read tokens are checked against under this env, with the revocations given. */
export function grantFacts(env: object, tenant: string, revocations: Revocations): GrantFacts {
  return { tenantConfigured: configuredTenants(env).has(tenant), kids: configuredKids(env), revocations };
}

/** Closes each subscriber whose read token no longer stands under this env and the tenant's revocations. */
export function closeLapsedReaders(
  subscribers: Subscribers,
  env: object,
  tenant: string,
  revocations: Revocations,
): void {
  const now = Date.now();
  const facts = grantFacts(env, tenant, revocations);
  subscribers.closeUnstanding((grant) => grantStanding(grant, facts, now), now);
}
