/** onWake: what the session's alarm does when it fires, and which notification goes out next. */
import type { RuntimeEvent } from "../contracts/events.ts";
import type { Change } from "./change.ts";
import { appendEntry } from "./event-log.ts";
import { type Notification, newNotification } from "./notification.ts";
import { nextDeadline, type ReapingPolicy, sessionReapedEvent, turnExpiredEvent } from "./reaping.ts";
import type { SessionState } from "./session.ts";

export interface WakeContext {
  now: number;
  threadId: string;
  tenant: string;
  /** The id the synthetic event gets if one is written. */
  eventId: string;
  /** Whether reaps and expiries are notified (a webhook is configured). */
  notify: boolean;
  /** The oldest notification not yet delivered or given up, if any. */
  pendingNotification: Notification | null;
}

export type WakeDecision = { kind: "commit"; change: Change } | { kind: "purge" } | { kind: "nothing-due" };

/**
 * At least once and idempotent: every decision is taken from the state at the time the alarm runs. A purge waits
 * for pending notifications, so the orchestrator learns of the reap before the log goes.
 */
export function onWake(state: SessionState, policy: ReapingPolicy, context: WakeContext): WakeDecision {
  const deadline = nextDeadline(state, policy);
  if (deadline === null || deadline.at > context.now) return { kind: "nothing-due" };
  switch (deadline.action) {
    case "purge":
      return context.pendingNotification === null ? { kind: "purge" } : { kind: "nothing-due" };
    case "expire-turn":
      return { kind: "commit", change: serviceChange(state, turnExpiredEvent(state, context), context) };
    case "reap":
      return { kind: "commit", change: serviceChange(state, sessionReapedEvent(state, context), context) };
  }
}

function serviceChange(state: SessionState, event: RuntimeEvent, context: WakeContext): Change {
  const { state: next, entry } = appendEntry(state, "service", event, context.now);
  const notification = context.notify
    ? newNotification({ tenant: context.tenant, seq: entry.seq, event }, context.now)
    : null;
  return {
    cause: event.type === "turn.expired" ? "expire-turn" : "reap",
    before: state,
    state: next,
    entries: [entry],
    notifications: notification === null ? [] : [notification],
    deliveries: [],
  };
}

/**
 * Whether the alarm must be written for a wake at `wakeAt`: only when that moves it earlier, or when the one set has
 * come due (fired or firing), since an alarm write is a billed storage write. An alarm at least once, set early, is
 * harmless: the object decides from its state when it runs.
 */
export function alarmNeedsWriting(armed: number | null, wakeAt: number, now: number): boolean {
  return armed === null || armed <= now || armed > wakeAt;
}

/**
 * The notification to attempt now, if any. Only the oldest pending one is ever due: deliveries keep their
 * creation order, so a failed one, waiting for its backoff, holds every later one back.
 */
export function dueDelivery(oldestPending: Notification | null, now: number): Notification | null {
  if (oldestPending === null || oldestPending.state !== "pending") return null;
  return (oldestPending.nextAttemptAt ?? now) <= now ? oldestPending : null;
}
