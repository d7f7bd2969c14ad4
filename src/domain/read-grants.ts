/**
 * Whether a read token still stands: the one rule the Worker applies to each request and every object applies to
 * its open subscriptions. Pure: the facts (configured tenants and signing keys, the tenant's revocations) and the
 * time come in as arguments.
 */

/** What a subscription keeps of the read token it was opened with. */
export interface ReadGrant {
  /** The token's own id: revoking it revokes this token only. */
  jti: string;
  /** When it was minted (ms): a tenant-wide revocation revokes every token minted at or before it. */
  issuedAt: number;
  /** When it expires (ms). */
  expiresAt: number;
  /** Which configured secret signed it: removing that secret revokes it. */
  kid: string;
}

/** A tenant's revocations, as its directory keeps them. */
export interface Revocations {
  /** Tokens minted at or before this time (ms) are revoked; null when never revoked. */
  notAfter: number | null;
  /** Ids of tokens revoked one by one, kept until each one's expiry. */
  revokedIds: readonly string[];
}

export const NO_REVOCATIONS: Revocations = { notAfter: null, revokedIds: [] };

export interface GrantFacts {
  /** The tenant is still in API_TOKENS. */
  tenantConfigured: boolean;
  /** The kids of the secrets READ_TOKEN_SECRET holds now. */
  kids: ReadonlySet<string>;
  revocations: Revocations;
}

export type GrantStanding = "valid" | "expired" | "revoked";

export function grantStanding(grant: ReadGrant, facts: GrantFacts, now: number): GrantStanding {
  if (grant.expiresAt <= now) return "expired";
  if (!facts.tenantConfigured || !facts.kids.has(grant.kid)) return "revoked";
  const { notAfter, revokedIds } = facts.revocations;
  if (notAfter !== null && grant.issuedAt <= notAfter) return "revoked";
  return revokedIds.includes(grant.jti) ? "revoked" : "valid";
}

/** How long a check of the revocations may be reused, by the Worker's isolates and by objects between wakes. */
export const REVOCATION_CHECK_INTERVAL_MS = 60_000;
