/**
 * The session object skips re-arming its alarm when an event moved only the counters (eventCount, lastSeq,
 * lastEventAt, highestSessionSequence): that is safe only if such a change never brings the next wake earlier.
 * Checked here over random histories, with the rules as they are, so a new deadline that counts from something else
 * than activity fails this test instead of letting the object sleep past it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evolve, type LogEntry } from "../../src/domain/event-log.ts";
import { nextWake, type OtherDeadlines } from "../../src/domain/reaping.ts";
import { initialSession, type SessionState } from "../../src/domain/session.ts";
import { listedFieldsDiffer } from "../../src/domain/snapshot.ts";
import { sessionEvent } from "../support/arbitraries.ts";

const policy = { idleTimeoutMs: 600_000, staleTurnTimeoutMs: 120_000, retentionMs: 86_400_000 };
const none: OtherDeadlines = { notificationAt: null, readTokenCheckAt: null, directoryUpdateAt: null };
/** Gaps between events, from a burst to longer than every timeout. */
const gap = fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 200_000_000 }));

describe("a change of the counters alone", () => {
  it("never brings the next wake earlier", () => {
    let counterOnlyChanges = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(sessionEvent, gap), { minLength: 1, maxLength: 40 }), (steps) => {
        let state: SessionState = initialSession;
        let now = 1_800_000_000_000;
        for (const [event, wait] of steps) {
          now += wait;
          const entry: LogEntry = { seq: state.lastSeq + 1, receivedAt: now, origin: "provider", event };
          const next = evolve(state, entry).state;
          if (state.lastEventAt !== null && !listedFieldsDiffer(state, next)) {
            counterOnlyChanges += 1;
            const before = nextWake(state, policy, none);
            const after = nextWake(next, policy, none);
            expect(after?.at ?? Number.POSITIVE_INFINITY).toBeGreaterThanOrEqual(
              before?.at ?? Number.NEGATIVE_INFINITY,
            );
          }
          state = next;
        }
      }),
      { numRuns: 300 },
    );
    // The histories reach the case at all: most events of a live session are of this kind.
    expect(counterOnlyChanges).toBeGreaterThan(100);
  });
});
