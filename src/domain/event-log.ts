/** The append-only log is the truth: the session is a fold over its entries. */
import type { RuntimeEvent } from "../contracts/events.ts";
import type { EventOrigin, IgnoreReason, Outcome } from "../contracts/vocabulary.ts";
import { applyEvent, type Evolution } from "./projection.ts";
import { applyServiceEvent } from "./reaping.ts";
import { initialSession, type SessionState } from "./session.ts";
import { bucketsAfter } from "./usage-buckets.ts";

export interface LogEntry {
  seq: number;
  receivedAt: number;
  origin: EventOrigin;
  event: RuntimeEvent;
}

/** An entry as the log keeps it: with the outcome it had when it was appended. */
export interface StoredEntry extends LogEntry {
  outcome: Outcome;
  reason?: IgnoreReason;
  /**
   * The event's JSON text exactly as received, stored and sent on reads in place of a re-serialisation of `event`
   * (which would drop a `__proto__` key and round a number beyond 2^53). Absent for the service's own entries.
   */
  text?: string;
}

export function evolve(state: SessionState, entry: LogEntry): Evolution {
  const counted = { eventCount: state.eventCount + 1, lastSeq: entry.seq };
  const evolution: Evolution =
    entry.origin === "service"
      ? { state: applyServiceEvent(state, entry.event, entry.receivedAt), outcome: "applied" }
      : applyEvent(state, entry.event, entry.receivedAt);
  const next = evolution.state;
  const usageBuckets = bucketsAfter(state.usageBuckets, state.usage, next.usage, {
    at: entry.receivedAt,
    provider: next.providerName ?? entry.event.provider,
    seq: entry.seq,
  });
  return { ...evolution, state: { ...next, ...counted, usageBuckets } };
}

export function foldLog(entries: Iterable<LogEntry>, from: SessionState = initialSession): SessionState {
  let state = from;
  for (const entry of entries) state = evolve(state, entry).state;
  return state;
}

/** Appends one entry at the next seq and records what folding it did. */
export function appendEntry(
  state: SessionState,
  origin: EventOrigin,
  event: RuntimeEvent,
  receivedAt: number,
): { state: SessionState; entry: StoredEntry } {
  const entry: LogEntry = { seq: state.lastSeq + 1, receivedAt, origin, event };
  const { state: next, outcome, reason } = evolve(state, entry);
  return { state: next, entry: { ...entry, outcome, ...(reason === undefined ? {} : { reason }) } };
}
