import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import { evolve, foldLog, type LogEntry } from "../../src/domain/event-log.ts";
import { sessionReapedEvent, turnExpiredEvent } from "../../src/domain/reaping.ts";
import { holdsInvariant, initialSession, type SessionState } from "../../src/domain/session.ts";
import { providerEvent } from "../support/arbitraries.ts";

type Step = { kind: "provider"; event: RuntimeEvent } | { kind: "expire" } | { kind: "reap" };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 12, arbitrary: providerEvent.map((event) => ({ kind: "provider" as const, event })) },
  { weight: 1, arbitrary: fc.constant({ kind: "expire" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "reap" as const }) },
);

/** Replays steps the way the object does, returning the log it would store and the state it would hold. */
function run(steps: readonly Step[]) {
  let state: SessionState = initialSession;
  const log: LogEntry[] = [];
  let now = 0;
  const states: SessionState[] = [];
  for (const s of steps) {
    now += 1000;
    const context = { eventId: `svc-${now}`, threadId: "thread-1", now };
    const entry: LogEntry =
      s.kind === "provider"
        ? { seq: state.lastSeq + 1, receivedAt: now, origin: "provider", event: s.event }
        : {
            seq: state.lastSeq + 1,
            receivedAt: now,
            origin: "service",
            event: s.kind === "expire" ? turnExpiredEvent(state, context) : sessionReapedEvent(state, context),
          };
    state = evolve(state, entry).state;
    log.push(entry);
    states.push(state);
  }
  return { state, log, states };
}

describe("projection properties", () => {
  it("keeps activeTurnId null unless the session is starting or running, after every event", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        for (const state of run(steps).states) expect(holdsInvariant(state)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("equals the fold of the stored log", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const { state, log } = run(steps);
        expect(foldLog(log)).toEqual(state);
      }),
      { numRuns: 1000 },
    );
  });

  it("never lets an event below the highest sessionSequence change the lifecycle, a restart aside", () => {
    fc.assert(
      fc.property(fc.array(providerEvent, { minLength: 1, maxLength: 40 }), providerEvent, (history, late) => {
        const { state } = run(history.map((event) => ({ kind: "provider" as const, event })));
        fc.pre(state.highestSessionSequence !== null && state.highestSessionSequence > 0);
        fc.pre(late.type !== "session.started");
        const stale = { ...late, sessionSequence: (state.highestSessionSequence ?? 1) - 1 };
        const after = evolve(state, { seq: state.lastSeq + 1, receivedAt: 1e9, origin: "provider", event: stale });
        expect(after.outcome).toBe("ignored");
        expect(after.state).toMatchObject({
          status: state.status,
          activeTurnId: state.activeTurnId,
          lastError: state.lastError,
        });
      }),
      { numRuns: 500 },
    );
  });
});
