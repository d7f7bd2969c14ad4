/** Reaping policy: every deadline a session keeps, the earliest of them, and the wake it asks of its object. */
import type { DeadlineAction } from "../contracts/vocabulary.ts";
import { type SessionState, statusAllowsActiveTurn } from "./session.ts";
import { stalestTask } from "./tasks.ts";

export {
  applyServiceEvent,
  limitResetEvent,
  requestTimeoutEvent,
  type SyntheticEventContext,
  sessionReapedEvent,
  sessionStalledEvent,
  taskExpiredEvent,
  turnExpiredEvent,
} from "./service-events.ts";

export interface ReapingPolicy {
  idleTimeoutMs: number;
  staleTurnTimeoutMs: number;
  retentionMs: number;
  /** A busy session silent this long is stalled (STALL_AFTER_SECONDS); DEFAULT_STALL_AFTER_MS when absent. */
  stallAfterMs?: number;
  /** A background task silent this long is expired (STALE_TASK_TIMEOUT_SECONDS); DEFAULT_STALE_TASK_TIMEOUT_MS when absent. */
  staleTaskTimeoutMs?: number;
  /** A request unanswered this long expires its turn (PENDING_REQUEST_TIMEOUT_SECONDS); default when absent. */
  pendingRequestTimeoutMs?: number;
}

export const DEFAULT_STALL_AFTER_MS = 300_000;
export const DEFAULT_STALE_TASK_TIMEOUT_MS = 7_200_000;
export const DEFAULT_PENDING_REQUEST_TIMEOUT_MS = 86_400_000;

export interface Deadline {
  action: DeadlineAction;
  at: number;
  /** For `expire-task`: the task it expires. */
  taskId?: string;
}

/**
 * Everything the session has due at some moment, each rule once:
 * - purge: `retentionMs` after a reap, and nothing else is due for a reaped session;
 * - request-timeout: while an approval or a question is pending, `pendingRequestTimeoutMs` after the oldest opened.
 *   Waiting for a person is neither idle nor stale: no turn expiry, stall or idle reap meanwhile;
 * - expire-turn: a busy session (starting or running, with or without a turn id) silent for `staleTurnTimeoutMs`;
 * - stall: the same, silent for `stallAfterMs`, unless already stalled;
 * - expire-task: the running task silent longest, `staleTaskTimeoutMs` after its last event;
 * - limit-reset: when a usage limit resets;
 * - reap: a session with none of the above, `idleTimeoutMs` after the last provider event, turn expiry, task expiry
 *   or limit reset, whichever is later (so what the service ended stays visible for an idle period).
 */
export function sessionDeadlines(state: SessionState, policy: ReapingPolicy): Deadline[] {
  if (state.lastEventAt === null) return [];
  if (state.reapedAt !== null) return [{ action: "purge", at: state.reapedAt + policy.retentionMs }];
  const deadlines: Deadline[] = [];
  const waiting = state.pendingRequests.length > 0;
  const busy = statusAllowsActiveTurn(state.status);
  if (waiting) {
    const oldest = Math.min(...state.pendingRequests.map((request) => request.openedAt));
    deadlines.push({ action: "request-timeout", at: oldest + pendingRequestTimeout(policy) });
  } else if (busy) {
    deadlines.push({ action: "expire-turn", at: state.lastEventAt + policy.staleTurnTimeoutMs });
    if (state.health?.state !== "stalled") {
      deadlines.push({ action: "stall", at: state.lastEventAt + (policy.stallAfterMs ?? DEFAULT_STALL_AFTER_MS) });
    }
  }
  const task = stalestTask(state.tasks);
  if (task !== null) {
    const at = task.lastEventAt + (policy.staleTaskTimeoutMs ?? DEFAULT_STALE_TASK_TIMEOUT_MS);
    deadlines.push({ action: "expire-task", at, taskId: task.taskId });
  }
  if (state.limitResetsAt !== null) deadlines.push({ action: "limit-reset", at: state.limitResetsAt });
  if (!waiting && !busy && task === null && state.limitResetsAt === null) {
    deadlines.push({ action: "reap", at: idleSince(state, state.lastEventAt) + policy.idleTimeoutMs });
  }
  return deadlines;
}

/** Idle time counts from the last provider event, or from the last turn expiry, task expiry or limit reset. */
export function idleSince(state: SessionState, lastEventAt: number): number {
  return Math.max(lastEventAt, state.turnExpiredAt ?? lastEventAt, state.quietSince ?? lastEventAt);
}

function pendingRequestTimeout(policy: ReapingPolicy): number {
  return policy.pendingRequestTimeoutMs ?? DEFAULT_PENDING_REQUEST_TIMEOUT_MS;
}

/** The next moment something could be due: the earliest of the session's deadlines (the first listed on a tie). */
export function nextDeadline(state: SessionState, policy: ReapingPolicy): Deadline | null {
  return earliest(sessionDeadlines(state, policy));
}

function earliest<T extends { at: number }>(candidates: readonly T[]): T | null {
  return candidates.reduce<T | null>((first, next) => (first === null || next.at < first.at ? next : first), null);
}

/** Why a session object will wake: its own deadline, or one of the things it keeps besides the session. */
export type WakeReason = DeadlineAction | "notification" | "read-token-check" | "directory-update";

export interface Wake {
  at: number;
  why: WakeReason;
}

/** What else than the session's deadline may need the object awake, each null when nothing does. */
export interface OtherDeadlines {
  /** The next attempt of the oldest notification not yet delivered. */
  notificationAt: number | null;
  /** The next check of the read tokens its subscribers were opened with. */
  readTokenCheckAt: number | null;
  /** The next attempt to tell the tenant's directory of a change. */
  directoryUpdateAt: number | null;
}

/**
 * When the session object wakes next, and why: the earliest of its deadline and the others. A purge waits while a
 * notification is pending, so the orchestrator hears of the reap before the log goes.
 */
export function nextWake(state: SessionState, policy: ReapingPolicy, others: OtherDeadlines): Wake | null {
  const deadline = nextDeadline(state, policy);
  const purgeHeld = deadline?.action === "purge" && others.notificationAt !== null;
  const candidates: Wake[] = [
    ...(deadline === null || purgeHeld ? [] : [{ at: deadline.at, why: deadline.action }]),
    ...(others.notificationAt === null ? [] : [{ at: others.notificationAt, why: "notification" as const }]),
    ...(others.readTokenCheckAt === null ? [] : [{ at: others.readTokenCheckAt, why: "read-token-check" as const }]),
    ...(others.directoryUpdateAt === null ? [] : [{ at: others.directoryUpdateAt, why: "directory-update" as const }]),
  ];
  return earliest(candidates);
}
