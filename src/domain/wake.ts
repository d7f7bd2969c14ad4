/** onWake: what the session's alarm does when it fires, and which notification goes out next. */
import type { RuntimeEvent } from "../contracts/events.ts";
import type { AttentionReason, DeadlineAction } from "../contracts/vocabulary.ts";
import type { Change, ChangeCause } from "./change.ts";
import { appendEntry } from "./event-log.ts";
import { attentionNotification, type Notification, newNotification } from "./notification.ts";
import {
  type Deadline,
  limitResetEvent,
  nextDeadline,
  type ReapingPolicy,
  requestTimeoutEvent,
  sessionReapedEvent,
  sessionStalledEvent,
  taskExpiredEvent,
  turnExpiredEvent,
} from "./reaping.ts";
import type { SessionState } from "./session.ts";
import { pendingRequestsView } from "./session-view.ts";

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

/** More deadlines than a session can have due at once: a guard, so a rule that never settles cannot loop. */
const MAX_ENTRIES_PER_WAKE = 8;

/**
 * At least once and idempotent: every decision is taken from the state at the time the alarm runs. Every deadline
 * due is acted on, earliest first, in one change (a turn silent past both its stall and its expiry gets both
 * entries), so the object never sleeps past a due one. A purge waits for pending notifications, so the orchestrator
 * learns of the reap before the log goes.
 */
export function onWake(state: SessionState, policy: ReapingPolicy, context: WakeContext): WakeDecision {
  const first = nextDeadline(state, policy);
  if (first === null || first.at > context.now) return { kind: "nothing-due" };
  if (first.action === "purge") {
    return context.pendingNotification === null ? { kind: "purge" } : { kind: "nothing-due" };
  }
  let change = serviceChange(state, state, first, context, 0);
  for (let count = 1; count < MAX_ENTRIES_PER_WAKE; count += 1) {
    const next = nextDeadline(change.state, policy);
    if (next === null || next.at > context.now || next.action === "purge") break;
    const more = serviceChange(state, change.state, next, context, count);
    change = {
      ...more,
      entries: [...change.entries, ...more.entries],
      notifications: [...change.notifications, ...more.notifications],
    };
  }
  return { kind: "commit", change };
}

/** The service's log entry for a deadline that is not a purge. */
function serviceEvent(state: SessionState, deadline: Deadline, context: WakeContext): RuntimeEvent {
  switch (deadline.action) {
    case "expire-turn":
      return turnExpiredEvent(state, context);
    case "request-timeout":
      return requestTimeoutEvent(state, context);
    case "stall":
      return sessionStalledEvent(state, context);
    case "expire-task":
      return taskExpiredEvent(state, deadline.taskId ?? "", context);
    case "limit-reset":
      return limitResetEvent(state, context);
    case "reap":
    case "purge":
      return sessionReapedEvent(state, context);
  }
}

/**
 * The change cause each deadline's entry is logged under. The object's log names only the causes it knows, so the
 * new entries go under the nearest: a request timeout is a turn expiry; stall, task expiry and limit reset are wakes.
 */
const CAUSES: Record<Exclude<DeadlineAction, "purge">, ChangeCause> = {
  "expire-turn": "expire-turn",
  "request-timeout": "request-timeout",
  stall: "stall",
  "expire-task": "expire-task",
  "limit-reset": "limit-reset",
  reap: "reap",
};

/** The `index`th entry of a wake: the first takes the context's id, the others the same id with a suffix. */
function serviceChange(
  before: SessionState,
  state: SessionState,
  deadline: Deadline,
  wake: WakeContext,
  index: number,
): Change {
  const context = index === 0 ? wake : { ...wake, eventId: `${wake.eventId}.${index}` };
  const event = serviceEvent(state, deadline, context);
  const { state: next, entry } = appendEntry(state, "service", event, context.now);
  const notification = context.notify ? noticeOf(deadline.action, next, entry.seq, event, context) : null;
  return {
    cause: CAUSES[deadline.action as Exclude<DeadlineAction, "purge">],
    before,
    state: next,
    entries: [entry],
    notifications: notification === null ? [] : [notification],
    deliveries: [],
  };
}

/**
 * What the orchestrator is told: a turn expiry (either reason), a reap and a limit reset as their own entries; a
 * stall as a `session.attention` edge with its reason; a task expiry not at all (nothing waits on it).
 */
function noticeOf(
  action: DeadlineAction,
  state: SessionState,
  seq: number,
  event: RuntimeEvent,
  context: WakeContext,
): Notification | null {
  switch (action) {
    case "expire-task":
    case "purge":
      return null;
    case "stall":
      return attentionNotice(state, seq, "stall", context);
    case "expire-turn":
    case "request-timeout":
    case "limit-reset":
    case "reap":
      return newNotification({ tenant: context.tenant, seq, event }, context.now);
  }
}

function attentionNotice(state: SessionState, seq: number, reason: AttentionReason, context: WakeContext) {
  return attentionNotification(
    context.eventId,
    {
      tenant: context.tenant,
      threadId: context.threadId,
      seq,
      reason,
      activeTurnId: state.activeTurnId,
      pendingRequests: pendingRequestsView(state.pendingRequests),
    },
    context.now,
  );
}

/** The earliest of some times that may be unset (null): when an object next has something to do. */
export function earliestTime(...times: readonly (number | null)[]): number | null {
  const set = times.filter((time): time is number => time !== null);
  return set.length === 0 ? null : Math.min(...set);
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
