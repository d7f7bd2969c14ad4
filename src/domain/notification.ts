/** Reap notifications: an outbox entry per synthetic event, retried with backoff until delivered or given up. */
import type { RuntimeEvent } from "../contracts/events.ts";
import type { AttentionReason, DeliveryState } from "../contracts/vocabulary.ts";

export interface Notification {
  /** The `webhook-id`: stable across retries so the receiver can deduplicate. */
  id: string;
  /** The seq of the log entry it announces; deliveries go out in this order. */
  seq: number;
  type: string;
  /** Fixed at creation, so every attempt signs and sends the same bytes. */
  body: string;
  createdAt: number;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: number | null;
}

export type AttemptResult = { ok: true } | { ok: false; error: string };

const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 60 * 60_000;
/** Retries stop this long after the reap: the promise is "at least 24 hours". */
export const RETRY_WINDOW_MS = 25 * 60 * 60_000;

/** Exponential backoff: 5 s, 10 s, 20 s … capped at one hour between attempts. */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, failedAttempts - 1), MAX_RETRY_MS);
}

export interface NotificationSubject {
  tenant: string;
  seq: number;
  event: RuntimeEvent;
}

/** A Standard Webhooks payload (`type`, `timestamp`, `data`) for a synthetic reap or expiry event. */
export function newNotification({ tenant, seq, event }: NotificationSubject, now: number): Notification {
  return pendingNotification(`msg_${event.eventId}`, seq, event.type, now, event.createdAt, {
    tenant,
    threadId: event.threadId,
    seq,
    turnId: event.turnId ?? null,
    provider: event.provider,
    ...event.payload,
  });
}

/**
 * Something now waits for a person: sent once per edge, when the session goes from nothing pending to something
 * (`pending-request`) or stalls (`stall`).
 */
export function attentionNotification(
  id: string,
  subject: {
    tenant: string;
    threadId: string;
    seq: number;
    reason: AttentionReason;
    activeTurnId: string | null;
    pendingRequests: unknown;
  },
  now: number,
): Notification {
  return pendingNotification(`msg_${id}`, subject.seq, "session.attention", now, new Date(now).toISOString(), subject);
}

/** The subject of a `usage.threshold`: a session's cost (scope `session`) or a tenant's day (`tenant-day`). */
export type UsageThresholdSubject =
  | {
      tenant: string;
      scope: "session";
      threadId: string;
      seq: number;
      thresholdUsd: number;
      costUsd: number;
      unpricedTokens: number;
      model: string | null;
      provider: string | null;
    }
  | { tenant: string; scope: "tenant-day"; day: string; thresholdUsd: number; costUsd: number; unpricedTokens: number };

/** A cost crossed its threshold: sent once per crossing. */
export function usageThresholdNotification(id: string, subject: UsageThresholdSubject, now: number): Notification {
  const seq = subject.scope === "session" ? subject.seq : 0;
  return pendingNotification(`msg_${id}`, seq, "usage.threshold", now, new Date(now).toISOString(), subject);
}

function pendingNotification(
  id: string,
  seq: number,
  type: string,
  now: number,
  timestamp: string,
  data: Record<string, unknown>,
): Notification {
  return {
    id,
    seq,
    type,
    // Fixed at creation, so every attempt signs and sends the same bytes.
    body: JSON.stringify({ type, timestamp, data }),
    createdAt: now,
    state: "pending",
    attempts: 0,
    lastError: null,
    nextAttemptAt: now,
  };
}

export function recordAttempt(notification: Notification, now: number, result: AttemptResult): Notification {
  const attempts = notification.attempts + 1;
  if (result.ok) return { ...notification, attempts, state: "delivered", lastError: null, nextAttemptAt: null };
  const nextAttemptAt = now + retryDelayMs(attempts);
  if (nextAttemptAt > notification.createdAt + RETRY_WINDOW_MS) {
    return { ...notification, attempts, state: "failed", lastError: result.error, nextAttemptAt: null };
  }
  return { ...notification, attempts, lastError: result.error, nextAttemptAt };
}
