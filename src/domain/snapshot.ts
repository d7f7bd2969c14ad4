/**
 * When the session's snapshot is written. The log is the truth and the snapshot a cache of its fold: it is written
 * when a field a reader lists or acts on changes, and at least every SNAPSHOT_INTERVAL events, but not for the
 * counters every event moves, which a wake folds from the log's tail.
 */
import type { Change } from "./change.ts";
import type { SessionState } from "./session.ts";

/** A wake folds at most this many entries after the snapshot. */
export const SNAPSHOT_INTERVAL = 500;

/** Moved by every event: stored in the snapshot when it is written, otherwise folded from the tail on wake. */
const FOLDED_FROM_TAIL: ReadonlySet<keyof SessionState> = new Set<keyof SessionState>([
  "eventCount",
  "lastSeq",
  "lastEventAt",
  "highestSessionSequence",
  // Usage reports are frequent and no reader lists or acts on them; the directory gets them with its next update.
  "usage",
  "usageSource",
  "usageBuckets",
]);

/** `snapshotSeq`: the last seq the stored snapshot covers. */
export function snapshotDue(change: Change, snapshotSeq: number): boolean {
  if (change.cause === "rebuild") return true;
  if (change.state.lastSeq - snapshotSeq >= SNAPSHOT_INTERVAL) return true;
  return listedFieldsDiffer(change.before, change.state);
}

/** Any field but the counters: a field added to the state is written when it changes unless listed above. */
export function listedFieldsDiffer(before: SessionState, after: SessionState): boolean {
  for (const key of Object.keys(after) as (keyof SessionState)[]) {
    if (FOLDED_FROM_TAIL.has(key)) continue;
    const was = before[key];
    const is = after[key];
    if (was === is) continue;
    if (Array.isArray(was) && Array.isArray(is) && sameElements(was, is)) continue;
    return true;
  }
  return false;
}

function sameElements(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((element, index) => element === b[index]);
}
