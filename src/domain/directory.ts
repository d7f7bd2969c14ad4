/** What the tenant directory is told about a session, and when: on a listed change, not on every event. */
import type { SessionSummary } from "../contracts/directory.ts";
import { retryDelayMs } from "./notification.ts";
import type { ReapingPolicy } from "./reaping.ts";
import type { SessionState } from "./session.ts";
import { isoOrNull, sessionView } from "./session-view.ts";
import { listedFieldsDiffer } from "./snapshot.ts";
import { bucketsSince, type UsageBucket } from "./usage-buckets.ts";

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
    costUsd: view.usage?.costUsd ?? null,
  };
}

/** True when the directory's copy (`known`) differs in a listed field, or its times lag by 30 s or more. */
export function summaryNeedsSending(known: SessionSummary | null, next: SessionSummary): boolean {
  if (known === null) return true;
  // The cost goes with the next update, or with the usage (queueChange): never an update of its own per event.
  const { lastEventAt: knownEventAt, deadline: knownDeadline, costUsd: _knownCost, ...knownRest } = known;
  const { lastEventAt: nextEventAt, deadline: nextDeadline, costUsd: _nextCost, ...nextRest } = next;
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
  /** Usage buckets that go with the pending update (absolute figures: a resend changes nothing). */
  pendingUsage: readonly UsageBucket[] | null;
  /** The seq up to which the directory has acknowledged the buckets. */
  usageSeq: number;
  /** When buckets were last queued (server ms): while usage changes, at most every DIRECTORY_LAG_MS. */
  usageQueuedAt: number | null;
  attempts: number;
  /**
   * When the alarm retries a failed update. The first attempt goes out at once after the commit, without the
   * alarm; one cut short by an eviction is made again when the object next wakes.
   */
  nextAttemptAt: number | null;
}

export const initialFeed: DirectoryFeed = {
  known: null,
  pending: null,
  pendingUsage: null,
  usageSeq: 0,
  usageQueuedAt: null,
  attempts: 0,
  nextAttemptAt: null,
};

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
  now: number,
): DirectoryFeed | null {
  const copy = feed.pending ?? feed.known;
  const listed = listedFieldsDiffer(before, state);
  // A commit of no change is the alarm's flush of the usage (usageFlushAt): the only other time usage goes.
  const usage = usageDue(feed, state, listed || before === state);
  if (copy !== null && !listed && !activityLags(copy, state) && usage === null) return null;
  const summary = sessionSummary(threadId, state, policy);
  const queued = queueSummary(feed, summary);
  if (usage === null) return queued;
  return {
    ...(queued ?? feed),
    pending: summary,
    pendingUsage: usage,
    usageQueuedAt: now,
    attempts: 0,
    nextAttemptAt: null,
  };
}

/**
 * The buckets to send with this change, or null: those changed since the directory's acknowledgement, with a listed
 * change (a turn's end) or at the flush. Never with a usage report itself: its row budget (3, a lifecycle event's)
 * holds the report and its logged price, not the snapshot row the outbox lives in.
 */
function usageDue(feed: DirectoryFeed, state: SessionState, due: boolean): readonly UsageBucket[] | null {
  if (!due) return null;
  const unsent = bucketsSince(state.usageBuckets, feed.usageSeq);
  return unsent.length === 0 ? null : unsent;
}

/**
 * When usage the directory has not been sent goes without waiting for another change (the object's alarm): at
 * once after a quiet spell, then at most every DIRECTORY_LAG_MS while usage changes, so the directory's figures lag
 * by at most that much, and usage reported after a turn ended (Claude reports a turn's usage after its end) does not
 * wait for the next turn. Null when nothing waits.
 */
export function usageFlushAt(feed: DirectoryFeed, state: SessionState): number | null {
  if (feed.pendingUsage !== null) return null;
  if (bucketsSince(state.usageBuckets, feed.usageSeq).length === 0) return null;
  return (feed.usageQueuedAt ?? 0) + DIRECTORY_LAG_MS;
}

function activityLags(copy: SessionSummary, state: SessionState): boolean {
  if (copy.lastEventAt === null || state.lastEventAt === null) return copy.lastEventAt !== isoOrNull(state.lastEventAt);
  return Math.abs(state.lastEventAt - Date.parse(copy.lastEventAt)) >= DIRECTORY_LAG_MS;
}

export function feedAcknowledged(
  feed: DirectoryFeed,
  sent: SessionSummary,
  sentUsage: readonly UsageBucket[] | null = null,
): DirectoryFeed {
  const newer = feed.pending !== sent ? feed.pending : null;
  const usageSeq = Math.max(feed.usageSeq, ...(sentUsage ?? []).map((bucket) => bucket.seq));
  const pendingUsage = feed.pendingUsage !== sentUsage ? feed.pendingUsage : null;
  return {
    known: sent,
    pending: newer,
    pendingUsage,
    usageSeq,
    usageQueuedAt: feed.usageQueuedAt,
    attempts: 0,
    nextAttemptAt: newer === null ? null : feed.nextAttemptAt,
  };
}

export function feedFailed(feed: DirectoryFeed, now: number): DirectoryFeed {
  const attempts = feed.attempts + 1;
  return { ...feed, attempts, nextAttemptAt: now + retryDelayMs(attempts) };
}
