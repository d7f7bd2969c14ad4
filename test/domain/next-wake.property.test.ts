/**
 * The next wake is always the earliest of every due thing, and the object never sleeps past a due one: over random
 * histories of provider events and alarms, each wake is held to the deadlines the independent reference model
 * (test/support/reference-facts.ts, written from docs/lifecycle-rules.md "Deadlines") lists for the same log, and to
 * the object's other timers (pending delivery, read-token checks, directory retry); what a wake writes is what the
 * reference's wake (every due deadline, earliest first) writes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import { evolve, type LogEntry } from "../../src/domain/event-log.ts";
import { nextDeadline, nextWake, type OtherDeadlines } from "../../src/domain/reaping.ts";
import { initialSession, type SessionState } from "../../src/domain/session.ts";
import { onWake } from "../../src/domain/wake.ts";
import { sessionEvent } from "../support/arbitraries.ts";
import { type ReferencePolicy, referenceDeadlines } from "../support/reference-facts.ts";
import { type ReferenceState, referenceRun, referenceWake } from "../support/reference-model.ts";

/** Before the usage limits the arbitraries report (they reset at 15:00), so a reset can come after other deadlines. */
const START = Date.parse("2026-11-25T10:00:00Z");
const MINUTE = 60_000;

const policies: fc.Arbitrary<ReferencePolicy> = fc.record({
  idleTimeoutMs: fc.constantFrom(10 * MINUTE, 30 * MINUTE),
  staleTurnTimeoutMs: fc.constantFrom(2 * MINUTE, 120 * MINUTE),
  retentionMs: fc.constantFrom(60 * MINUTE, 24 * 60 * MINUTE),
  stallAfterMs: fc.constantFrom(MINUTE, 5 * MINUTE, 180 * MINUTE),
  staleTaskTimeoutMs: fc.constantFrom(3 * MINUTE, 120 * MINUTE),
  pendingRequestTimeoutMs: fc.constantFrom(4 * MINUTE, 24 * 60 * MINUTE),
});

/** The object's other timers, as offsets from the moment they are asked about (null: nothing waits). */
const otherOffsets = fc.record({
  notificationAt: fc.option(fc.integer({ min: 0, max: 200 * MINUTE }), { nil: null }),
  readTokenCheckAt: fc.option(fc.integer({ min: 0, max: 200 * MINUTE }), { nil: null }),
  directoryUpdateAt: fc.option(fc.integer({ min: 0, max: 200 * MINUTE }), { nil: null }),
});

type Step = { kind: "event"; event: RuntimeEvent; gap: number } | { kind: "alarm"; late: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(sessionEvent, fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 300 * MINUTE })))
      .map(([event, gap]) => ({ kind: "event" as const, event, gap })),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(fc.constant(0), fc.integer({ min: 0, max: 500 * MINUTE }))
      .map((late) => ({ kind: "alarm" as const, late })),
  },
);

function referenceInput(reference: ReferenceState) {
  const opened = reference.pendingRequests.map((request) => request.openedAt);
  return {
    busy: reference.status === "starting" || reference.status === "running",
    lastActivityAt: reference.lastActivityAt,
    reapedAt: reference.reapedAt,
    oldestRequestAt: opened.length === 0 ? null : Math.min(...opened),
    facts: reference.facts,
  };
}

const at = (offset: number | null, now: number) => (offset === null ? null : now + offset);

describe("the next wake", () => {
  it("is the earliest due thing, nothing is done before it, and nothing due is left after a wake", () => {
    fc.assert(
      fc.property(policies, otherOffsets, fc.array(step, { maxLength: 40 }), (policy, offsets, steps) => {
        let state: SessionState = initialSession;
        let now = START;
        const log: LogEntry[] = [];
        const context = (time: number) => ({
          now: time,
          threadId: "thread-1",
          tenant: "acme",
          eventId: `svc-${time}`,
          notify: true,
          pendingNotification: null,
        });
        for (const s of steps) {
          const others: OtherDeadlines = {
            notificationAt: at(offsets.notificationAt, now),
            readTokenCheckAt: at(offsets.readTokenCheckAt, now),
            directoryUpdateAt: at(offsets.directoryUpdateAt, now),
          };
          const due = referenceDeadlines(referenceInput(referenceRun(log).state), policy);
          const held = (d: { action: string }) => d.action === "purge" && others.notificationAt !== null;
          const candidates = [
            ...due.filter((d) => !held(d)).map((d) => d.at),
            ...[others.notificationAt, others.readTokenCheckAt, others.directoryUpdateAt].filter((t) => t !== null),
          ];
          const wake = nextWake(state, policy, others);
          expect(wake?.at ?? null).toBe(candidates.length === 0 ? null : Math.min(...candidates));
          for (const d of due) if (!held(d)) expect(wake?.at).toBeLessThanOrEqual(d.at);

          const deadline = nextDeadline(state, policy);
          expect(deadline?.at ?? null).toBe(due.length === 0 ? null : Math.min(...due.map((d) => d.at)));
          if (deadline !== null) expect(onWake(state, policy, context(deadline.at - 1)).kind).toBe("nothing-due");

          if (s.kind === "event") {
            now += s.gap;
            const entry: LogEntry = { seq: state.lastSeq + 1, receivedAt: now, origin: "provider", event: s.event };
            state = evolve(state, entry).state;
            log.push(entry);
            continue;
          }
          if (deadline === null) continue;
          now = Math.max(now, deadline.at + s.late);
          const decision = onWake(state, policy, context(now));
          const expected = referenceWake(referenceRun(log).state, policy, now);
          if (deadline.action === "purge") {
            expect(decision.kind).toBe("purge");
            expect(expected).toEqual({ entries: [], purge: true });
            continue;
          }
          expect(decision.kind).toBe("commit");
          if (decision.kind !== "commit") continue;
          const written = decision.change.entries.map(({ event }) => ({
            type: event.type,
            provider: event.provider,
            createdAt: event.createdAt,
            ...(event.turnId == null ? {} : { turnId: event.turnId }),
            payload: event.payload,
          }));
          expect(written).toEqual(expected.entries);
          state = decision.change.state;
          log.push(...decision.change.entries);
          const after = nextDeadline(state, policy);
          expect(after === null || after.at > now || after.action === "purge").toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
