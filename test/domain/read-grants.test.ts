/** Whether a read token still stands: expiry, its tenant and key still configured, and no revocation (docs/operations.md). */
import { describe, expect, it } from "vitest";
import { type GrantFacts, grantStanding, NO_REVOCATIONS, type ReadGrant } from "../../src/domain/read-grants.ts";

const T0 = Date.UTC(2026, 11, 6, 12);
const grant: ReadGrant = { jti: "token-1", issuedAt: T0, expiresAt: T0 + 900_000, kid: "key-a" };
const facts: GrantFacts = { tenantConfigured: true, kids: new Set(["key-b", "key-a"]), revocations: NO_REVOCATIONS };

describe("grantStanding", () => {
  it("stands while unexpired, its tenant and key configured, and nothing revoked", () => {
    expect(grantStanding(grant, facts, T0 + 1)).toBe("valid");
  });

  it("has expired at its expiry", () => {
    expect(grantStanding(grant, facts, T0 + 899_999)).toBe("valid");
    expect(grantStanding(grant, facts, T0 + 900_000)).toBe("expired");
  });

  it("is revoked when its tenant leaves API_TOKENS", () => {
    expect(grantStanding(grant, { ...facts, tenantConfigured: false }, T0 + 1)).toBe("revoked");
  });

  it("is revoked when the secret that signed it is no longer configured", () => {
    expect(grantStanding(grant, { ...facts, kids: new Set(["key-b"]) }, T0 + 1)).toBe("revoked");
  });

  it("is revoked by a tenant-wide revocation at or after its minting, not by one before", () => {
    const revokedAt = (notAfter: number) => ({ ...facts, revocations: { notAfter, revokedIds: [] } });
    expect(grantStanding(grant, revokedAt(T0), T0 + 1)).toBe("revoked");
    expect(grantStanding(grant, revokedAt(T0 + 5), T0 + 10)).toBe("revoked");
    expect(grantStanding(grant, revokedAt(T0 - 1), T0 + 10)).toBe("valid");
  });

  it("is revoked by its own id, and another token's id leaves it", () => {
    const revoking = (id: string) => ({ ...facts, revocations: { notAfter: null, revokedIds: [id] } });
    expect(grantStanding(grant, revoking("token-1"), T0 + 1)).toBe("revoked");
    expect(grantStanding(grant, revoking("token-2"), T0 + 1)).toBe("valid");
  });
});
