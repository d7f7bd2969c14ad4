/** Where a live subscriber's replay starts, and how much backlog one connection may be sent. */

/** A resume point as a subscriber gives it: a seq, optionally of a named epoch (life of the session). */
export interface ResumeFrom {
  epoch: string | null;
  seq: number;
}

/** Past these, the subscriber is told it is `behind` and pages the events route instead. */
export const MAX_BACKLOG_ENTRIES = 1000;
export const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

export type ReplayPlan =
  /** Entries with seq > afterSeq follow the snapshot; `reset` first when the point could not be vouched for. */
  { kind: "replay"; afterSeq: number; reset: boolean } | { kind: "behind" };

/**
 * Only `<epoch>:<seq>` of the current life names a point the service can vouch for. No point, or seq 0, is the
 * current life from its start. A bare seq above 0 names no life (the threadId may have been deleted and begun again
 * since), and a point of another life or past the last seq is not this life's: each gets `reset`, then the current
 * life from its start, so a reader never skips an entry it has not seen.
 */
export function planReplay(resume: ResumeFrom | null, epoch: string | null, lastSeq: number): ReplayPlan {
  const fromStart = resume === null || (resume.epoch === null && resume.seq === 0);
  const vouched = resume !== null && resume.epoch !== null && resume.epoch === epoch && resume.seq <= lastSeq;
  const afterSeq = vouched ? resume.seq : 0;
  if (lastSeq - afterSeq > MAX_BACKLOG_ENTRIES) return { kind: "behind" };
  return { kind: "replay", afterSeq, reset: !fromStart && !vouched };
}
