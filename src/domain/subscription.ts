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
  /** No resume point: the snapshot is the starting point. */
  | { kind: "snapshot-only" }
  /** Entries with seq > afterSeq follow the snapshot; `reset` first when the point is of another life or ahead. */
  | { kind: "replay"; afterSeq: number; reset: boolean }
  | { kind: "behind" };

export function planReplay(resume: ResumeFrom | null, epoch: string | null, lastSeq: number): ReplayPlan {
  if (resume === null) return { kind: "snapshot-only" };
  const foreign = (resume.epoch !== null && resume.epoch !== epoch) || resume.seq > lastSeq;
  const afterSeq = foreign ? 0 : resume.seq;
  if (lastSeq - afterSeq > MAX_BACKLOG_ENTRIES) return { kind: "behind" };
  return { kind: "replay", afterSeq, reset: foreign };
}
