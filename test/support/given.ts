/** given events → when event → then state: folds through the pure domain with a server clock per event. */

import type { RuntimeEvent } from "../../src/contracts/events.ts";
import { evolve, type LogEntry } from "../../src/domain/event-log.ts";
import { initialSession, type SessionState } from "../../src/domain/session.ts";

export const T0 = Date.parse("2026-11-25T10:00:00.000Z");

export function given(...history: RuntimeEvent[]) {
  let state: SessionState = initialSession;
  let clock = T0;
  const entry = (event: RuntimeEvent): LogEntry => {
    clock += 1000;
    return { seq: state.lastSeq + 1, receivedAt: clock, origin: "provider", event };
  };
  for (const event of history) state = evolve(state, entry(event)).state;
  return {
    state,
    when: (event: RuntimeEvent) => evolve(state, entry(event)),
  };
}
