/** The append-only log is the truth: the session is a fold over its entries. */
import type { RuntimeEvent } from "./events.ts";
import { applyEvent, type IgnoreReason, type Outcome } from "./projection.ts";
import { applyServiceEvent } from "./reaping.ts";
import { initialSession, type SessionState } from "./session.ts";

/** `provider` events came from an orchestrator; `service` events were written by this service (reaper, watchdog). */
export type EventOrigin = "provider" | "service";

export interface LogEntry {
  seq: number;
  receivedAt: number;
  origin: EventOrigin;
  event: RuntimeEvent;
}

export interface Evolution {
  state: SessionState;
  outcome: Outcome;
  reason?: IgnoreReason;
}

export function evolve(state: SessionState, entry: LogEntry): Evolution {
  const counted = { eventCount: state.eventCount + 1, lastSeq: entry.seq };
  if (entry.origin === "service") {
    return { state: { ...applyServiceEvent(state, entry.event, entry.receivedAt), ...counted }, outcome: "applied" };
  }
  const step = applyEvent(state, entry.event, entry.receivedAt);
  return { ...step, state: { ...step.state, ...counted } };
}

export function foldLog(entries: Iterable<LogEntry>, from: SessionState = initialSession): SessionState {
  let state = from;
  for (const entry of entries) state = evolve(state, entry).state;
  return state;
}
