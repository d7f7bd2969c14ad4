import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import type { EventResult } from "../../src/contracts/replies.ts";
import { evolve, foldLog } from "../../src/domain/event-log.ts";
import type { ReapingPolicy } from "../../src/domain/reaping.ts";
import { initialSession } from "../../src/domain/session.ts";
import { sessionView } from "../../src/domain/session-view.ts";
import { historyViolations, logViolations, type Operation, type ReadEntry, toLogEntries } from "../support/checks.ts";
import { ev } from "../support/events.ts";

const policy: ReapingPolicy = { idleTimeoutMs: 1_800_000, staleTurnTimeoutMs: 7_200_000, retentionMs: 86_400_000 };
const AT = "2026-11-25T10:00:00.000Z";

/** The log the object would store for these events, in this order. */
function logOf(events: readonly RuntimeEvent[]): ReadEntry[] {
  let state = initialSession;
  return events.map((event, index) => {
    const step = evolve(state, { seq: index + 1, receivedAt: Date.parse(AT), origin: "provider", event });
    state = step.state;
    const reason = step.reason === undefined ? {} : { reason: step.reason };
    return { seq: index + 1, receivedAt: AT, origin: "provider", outcome: step.outcome, ...reason, event };
  });
}

const viewOf = (log: readonly ReadEntry[]) => sessionView("thread-1", foldLog(toLogEntries(log)), policy, null, 0);

function write(invokedAt: number, completedAt: number, events: RuntimeEvent[], results: EventResult[]): Operation {
  return { kind: "write", invokedAt, completedAt, events, status: 200, results };
}

const a = ev.sessionStarted();
const b = ev.turnStarted("t1");
const c = ev.contentDelta("t1");
const log = logOf([a, b, c]);
const stored = (event: RuntimeEvent, seq: number): EventResult => ({
  eventId: event.eventId,
  seq,
  outcome: log[seq - 1]?.outcome ?? "recorded",
});
const duplicate = (event: RuntimeEvent, seq: number): EventResult => ({
  eventId: event.eventId,
  seq,
  outcome: "duplicate",
});

describe("the history checker", () => {
  const correct: Operation[] = [
    write(1, 2, [a, b], [stored(a, 1), stored(b, 2)]),
    write(3, 6, [a, c], [duplicate(a, 1), stored(c, 3)]),
    { kind: "read", invokedAt: 4, completedAt: 5, status: 200, lastSeq: 2 },
  ];

  it("finds nothing wrong with a correct history", () => {
    expect(historyViolations(correct, log)).toEqual([]);
    expect(logViolations(viewOf(log), log, policy)).toEqual([]);
  });

  it("finds an acknowledged event that the log lost", () => {
    expect(historyViolations(correct, log.slice(0, 2))).toEqual([expect.stringContaining(`${c.eventId}`)]);
  });

  it("finds an event that two requests both stored", () => {
    const twice = [...correct, write(7, 8, [a], [stored(a, 4)])];
    expect(historyViolations(twice, logOf([a, b, c, a]))).toEqual(
      expect.arrayContaining([`event ${a.eventId} was stored by 2 requests`]),
    );
  });

  it("finds a write ordered before one that had finished when it started", () => {
    const reordered = [write(1, 2, [a], [stored(a, 2)]), write(3, 4, [b], [stored(b, 1)])];
    expect(historyViolations(reordered, logOf([b, a]))).toEqual(
      expect.arrayContaining([expect.stringContaining("started after another finished")]),
    );
  });

  it("finds a batch whose seqs another batch interleaved", () => {
    const interleaved = [write(1, 4, [a, c], [stored(a, 1), stored(c, 3)]), write(2, 3, [b], [stored(b, 2)])];
    expect(historyViolations(interleaved, log)).toEqual([expect.stringContaining("not consecutive")]);
  });

  it("finds a read that missed a write finished before it started", () => {
    const stale: Operation[] = [...correct, { kind: "read", invokedAt: 7, completedAt: 8, status: 200, lastSeq: 1 }];
    expect(historyViolations(stale, log)).toEqual(
      expect.arrayContaining([expect.stringContaining("a read saw lastSeq 1")]),
    );
  });

  it("finds a gap in the log, an outcome the fold disagrees with, and a projection that is not the fold", () => {
    const gap = log.map((entry) => (entry.seq === 3 ? { ...entry, seq: 4 } : entry));
    expect(logViolations(viewOf(log), gap, policy)).toEqual(expect.arrayContaining([expect.stringContaining("a gap")]));
    const misrecorded = log.map((entry) => (entry.seq === 2 ? { ...entry, outcome: "ignored" as const } : entry));
    expect(logViolations(viewOf(log), misrecorded, policy)).toEqual([
      expect.stringContaining("seq 2 is stored as ignored"),
    ]);
    const stuck = { ...viewOf(log), status: "ready" as const };
    expect(logViolations(stuck, log, policy)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("is not what the rules make of its log"),
        expect.stringContaining("breaks the invariant: ready, t1"),
        expect.stringContaining("is not the fold of its log"),
      ]),
    );
  });

  it("finds a misjudged outcome and a lastError the rules would have cleared", () => {
    const failed = logOf([a, b, ev.runtimeError("boom", "t1"), ev.turnStarted("t2"), ev.turnCompleted("t2")]);
    const keptError = { ...viewOf(failed), lastError: "boom" };
    const misjudged = failed.map((entry) => (entry.seq === 5 ? { ...entry, outcome: "ignored" as const } : entry));
    expect(logViolations(keptError, misjudged, policy)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("seq 5 is stored as ignored/undefined but the rules say applied/undefined"),
        expect.stringContaining('"lastError":"boom"'),
      ]),
    );
  });

  it("finds a background task, a limit or a stall the rules would not have kept", () => {
    const tasked = logOf([a, b, { ...ev.contentDelta("t1"), type: "task.started", payload: { taskId: "x" } }]);
    expect(logViolations(viewOf(tasked), tasked, policy)).toEqual([]);
    const lost = { ...viewOf(tasked), tasks: { running: 0, backgrounded: 0, oldestStartedAt: null } };
    expect(logViolations(lost, tasked, policy)).toEqual(
      expect.arrayContaining([expect.stringContaining('the facts {"attention":[]')]),
    );
    const stalled = { ...viewOf(log), attention: ["stall" as const] };
    expect(logViolations(stalled, log, policy)).toEqual(
      expect.arrayContaining([expect.stringContaining("are not what the rules make of its log")]),
    );
  });

  it("finds a request the rules would have ended with its turn, and a request outcome they disagree with", () => {
    const asked = logOf([a, b, ev.requestOpened("r1", "t1"), ev.requestOpened("r2", "t9"), ev.turnCompleted("t1")]);
    expect(logViolations(viewOf(asked), asked, policy)).toEqual([]);
    const stillPending = { ...viewOf(asked), pendingRequests: { approvals: 1, userInputs: 0, oldestOpenedAt: AT } };
    const opened = asked.map((entry) =>
      entry.seq === 4 ? { ...entry, outcome: "applied" as const, reason: undefined } : entry,
    );
    expect(logViolations(stillPending, opened, policy)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("seq 4 is stored as applied/undefined but the rules say ignored/not-the-active-turn"),
        expect.stringContaining('"pendingRequests":{"approvals":1'),
      ]),
    );
  });
});
