/**
 * A tenant's read-token revocations as this isolate last read them from the tenant's directory: reused for at most
 * REVOCATION_CHECK_INTERVAL_MS, so a revocation made through another isolate holds everywhere within a minute (and
 * at once through this one, which remembers what it revoked).
 */
import type { Context } from "hono";
import { REVOCATION_CHECK_INTERVAL_MS, type Revocations } from "../domain/read-grants.ts";
import type { AppEnv } from "./app-env.ts";
import { fail } from "./problem.ts";

const readAt = new Map<string, { revocations: Revocations; at: number }>();

export async function revocationsOf(c: Context<AppEnv>, tenant: string, now: number): Promise<Revocations> {
  const cached = readAt.get(tenant);
  if (cached !== undefined && now - cached.at < REVOCATION_CHECK_INTERVAL_MS) return cached.revocations;
  let revocations: Revocations;
  try {
    revocations = await c.env.DIRECTORY.getByName(tenant).revocations();
  } catch {
    fail("directory-unavailable", "The read token could not be checked against its revocations; retry shortly.");
  }
  remember(tenant, revocations, now);
  return revocations;
}

/** What this isolate just revoked holds here at once. */
export function remember(tenant: string, revocations: Revocations, now: number): void {
  readAt.set(tenant, { revocations, at: now });
}
