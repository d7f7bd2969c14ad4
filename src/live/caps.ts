/** How many live readers one object serves: every commit costs a write to each, so their count bounds its cost. */
import type { ReadGrant } from "../domain/read-grants.ts";

/** Subscribers per object (a session, a tenant's directory), of every transport together; past it, 429. */
export const MAX_SUBSCRIBERS = 256;
/** Subscribers one read token may hold on one object, so that one token cannot take every place; past it, 429. */
export const MAX_SUBSCRIBERS_PER_READ_TOKEN = 16;

/** Why a subscriber was refused, as the object's 429 says it to the Worker. */
export type SubscriberCap = "object" | "read-token";

/** Which cap, if any, refuses one more subscriber with this read token (null for an API token). */
export function capReached(
  subscribers: { size: number; countOf(jti: string): number },
  grant: ReadGrant | null,
): SubscriberCap | null {
  if (subscribers.size >= MAX_SUBSCRIBERS) return "object";
  if (grant !== null && subscribers.countOf(grant.jti) >= MAX_SUBSCRIBERS_PER_READ_TOKEN) return "read-token";
  return null;
}
