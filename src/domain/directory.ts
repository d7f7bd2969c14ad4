/** What the tenant directory is told about a session, and when: on a listed change, not on every event. */
import type { SessionSummary } from "../contracts/directory.ts";
import { retryDelayMs } from "./notification.ts";
import type { ReapingPolicy } from "./reaping.ts";
import type { SessionState } from "./session.ts";
import { isoOrNull, sessionView } from "./session-view.ts";
import { listedFieldsDiffer } from "./snapshot.ts";

/** `lastEventAt` and `deadline.at` may lag this much in the directory, so a stream of deltas writes nothing there. */
export const DIRECTORY_LAG_MS = 30_000;

export function sessionSummary(threadId: string, state: SessionState, policy: ReapingPolicy): SessionSummary {
  const view = sessionView(threadId, state, policy, null, 0);
  return {
    threadId,
    status: view.status,
    providerName: view.providerName,
    activeTurnId: view.activeTurnId,
    lastError: view.lastError,
    lastEventAt: view.lastEventAt,
    deadline: view.deadline,
    pendingRequests: view.pendingRequests,
    health: view.health,
    tasks: view.tasks,
    limitResetsAt: view.limitResetsAt,
    attention: view.attention,
  };
}

/** True when the directory's copy (`known`) differs in a listed field, or its times lag by 30 s or more. */
export function summaryNeedsSending(known: SessionSummary | null, next: SessionSummary): boolean {
  if (known === null) return true;
  const { lastEventAt: knownEventAt, deadline: knownDeadline, ...knownRest } = known;
  const { lastEventAt: nextEventAt, deadline: nextDeadline, ...nextRest } = next;
  if (JSON.stringify(knownRest) !== JSON.stringify(nextRest)) return true;
  // A deadline that appears, goes, or changes its action differs in `action` (undefined when there is none).
  if (knownDeadline?.action !== nextDeadline?.action) return true;
  return lagsBy(knownEventAt, nextEventAt) || lagsBy(knownDeadline?.at ?? null, nextDeadline?.at ?? null);
}

function lagsBy(known: string | null, next: string | null): boolean {
  if (known === null || next === null) return known !== next;
  return Math.abs(Date.parse(next) - Date.parse(known)) >= DIRECTORY_LAG_MS;
}

/** The session's side of the directory: what the directory last acknowledged, and what waits to be sent. */
export interface DirectoryFeed {
  known: SessionSummary | null;
  pending: SessionSummary | null;
  attempts: number;
  /**
   * When the alarm retries a failed update. The first attempt goes out at once after the commit, without the
   * alarm; one cut short by an eviction is made again when the object next wakes.
   */
  nextAttemptAt: number | null;
}

export const initialFeed: DirectoryFeed = { known: null, pending: null, attempts: 0, nextAttemptAt: null };

/** A new pending update when the summary differs enough from what the directory has or will have; else null. */
export function queueSummary(feed: DirectoryFeed, summary: SessionSummary): DirectoryFeed | null {
  if (!summaryNeedsSending(feed.pending ?? feed.known, summary)) return null;
  return { ...feed, pending: summary, attempts: 0, nextAttemptAt: null };
}

/**
 * The feed after a change from `before` to `state`: a new pending update, or null when the directory's copy stays
 * good. A change of the counters and of activity within the lag (most events) is decided without a summary.
 */
export function queueChange(
  feed: DirectoryFeed,
  threadId: string,
  before: SessionState,
  state: SessionState,
  policy: ReapingPolicy,
): DirectoryFeed | null {
  const copy = feed.pending ?? feed.known;
  if (copy !== null && !listedFieldsDiffer(before, state) && !activityLags(copy, state)) return null;
  return queueSummary(feed, sessionSummary(threadId, state, policy));
}

function activityLags(copy: SessionSummary, state: SessionState): boolean {
  if (copy.lastEventAt === null || state.lastEventAt === null) return copy.lastEventAt !== isoOrNull(state.lastEventAt);
  return Math.abs(state.lastEventAt - Date.parse(copy.lastEventAt)) >= DIRECTORY_LAG_MS;
}

export function feedAcknowledged(feed: DirectoryFeed, sent: SessionSummary): DirectoryFeed {
  const newer = feed.pending !== sent ? feed.pending : null;
  return { known: sent, pending: newer, attempts: 0, nextAttemptAt: newer === null ? null : feed.nextAttemptAt };
}

export function feedFailed(feed: DirectoryFeed, now: number): DirectoryFeed {
  const attempts = feed.attempts + 1;
  return { ...feed, attempts, nextAttemptAt: now + retryDelayMs(attempts) };
}
