import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import { evolve, foldLog, type LogEntry } from "../../src/domain/event-log.ts";
import {
  limitResetEvent,
  requestTimeoutEvent,
  type SyntheticEventContext,
  sessionReapedEvent,
  sessionStalledEvent,
  taskExpiredEvent,
  turnExpiredEvent,
} from "../../src/domain/reaping.ts";
import { holdsInvariant, initialSession, type SessionState } from "../../src/domain/session.ts";
import { sessionView } from "../../src/domain/session-view.ts";
import { sessionEvent } from "../support/arbitraries.ts";
import { ev } from "../support/events.ts";
import { factsViewOf, lifecycleOf, REFERENCE_MAX_PENDING_REQUESTS, referenceRun } from "../support/reference-model.ts";

const POLICY = { idleTimeoutMs: 1_800_000, staleTurnTimeoutMs: 7_200_000, retentionMs: 86_400_000 };

/** Error texts vary, so a rule that keeps, drops or swaps a lastError shows. */
const errorText = fc.constantFrom(undefined, "rate limited", "sandbox crashed", "boom");
const withErrorTexts = fc.tuple(sessionEvent, errorText).map(([event, text]): RuntimeEvent => {
  if (text === undefined) return event;
  const field = { "runtime.error": "message", "turn.completed": "errorMessage", "session.state.changed": "reason" }[
    event.type
  ];
  return field === undefined ? event : { ...event, payload: { ...event.payload, [field]: text } };
});

type ServiceKind = "expire" | "reap" | "stall" | "expire-task" | "request-timeout" | "limit-reset";
type Step = { kind: "provider"; event: RuntimeEvent } | { kind: ServiceKind };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 12, arbitrary: withErrorTexts.map((event) => ({ kind: "provider" as const, event })) },
  ...(["expire", "reap", "stall", "expire-task", "request-timeout", "limit-reset"] as const).map((kind) => ({
    weight: 1,
    arbitrary: fc.constant({ kind }),
  })),
);

/** The entry the service writes for a step, as the alarm would when that deadline is due. */
function serviceEventOf(kind: ServiceKind, state: SessionState, context: SyntheticEventContext): RuntimeEvent {
  switch (kind) {
    case "expire":
      return turnExpiredEvent(state, context);
    case "reap":
      return sessionReapedEvent(state, context);
    case "stall":
      return sessionStalledEvent(state, context);
    case "expire-task":
      return taskExpiredEvent(state, state.tasks[0]?.taskId ?? "task-none", context);
    case "request-timeout":
      return requestTimeoutEvent(state, context);
    case "limit-reset":
      return limitResetEvent(state, context);
  }
}

/** Replays steps the way the object does, returning the log it would store and the state it would hold. */
function run(steps: readonly Step[]) {
  let state: SessionState = initialSession;
  const log: LogEntry[] = [];
  let now = 0;
  const states: SessionState[] = [];
  const judged: Array<{ outcome: string; reason: string | undefined }> = [];
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
            event: serviceEventOf(s.kind, state, context),
          };
    const evolution = evolve(state, entry);
    state = evolution.state;
    log.push(entry);
    states.push(state);
    judged.push({ outcome: evolution.outcome, reason: evolution.reason });
  }
  return { state, log, states, judged };
}

describe("projection properties", () => {
  it("judges and folds every event as the lifecycle rules say, synthetic ones included", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60, size: "max" }), (steps) => {
        const { log, states, judged } = run(steps);
        const service = states.map((state, i) => {
          const { health, tasks, limitResetsAt, deniedTools, exitKind, stderrTail, attention } = sessionView(
            "thread-1",
            state,
            POLICY,
            null,
            0,
          );
          return {
            ...judged[i],
            ...lifecycleOf(state),
            open: state.pendingRequests,
            sequenceMark: state.highestSessionSequence,
            facts: { health, tasks, limitResetsAt, deniedTools, exitKind, stderrTail, attention },
          };
        });
        const expected = referenceRun(log).steps.map((s) => ({
          outcome: s.outcome,
          reason: s.reason,
          ...lifecycleOf(s.state),
          open: s.state.pendingRequests,
          sequenceMark: s.state.sequenceMark,
          facts: factsViewOf(s.state),
        }));
        expect(service).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
    // 2,000 histories of up to 60 steps, each judged by the reference model too: seconds on a busy machine.
  }, 60_000);

  it("keeps activeTurnId null unless the session is starting or running, after every event", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60, size: "max" }), (steps) => {
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
      fc.property(fc.array(sessionEvent, { minLength: 1, maxLength: 40 }), sessionEvent, (history, late) => {
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
          pendingRequests: state.pendingRequests,
        });
      }),
      { numRuns: 500 },
    );
  });

  it("judges requests at the cap of open ones as the lifecycle rules say", () => {
    const opens = Array.from({ length: REFERENCE_MAX_PENDING_REQUESTS + 1 }, (_, i) =>
      ev.requestOpened(`r${i}`, i % 2 === 0 ? undefined : "turn-1"),
    );
    const steps = [
      ev.sessionStarted(),
      ev.turnStarted("turn-1"),
      ...opens,
      ev.userInputRequested("q-late"),
      ev.requestResolved("r0"),
      ev.userInputRequested("q-late"),
      ev.userInputRequested("q-over"),
      ev.turnCompleted("turn-1", "completed"),
    ].map((event) => ({ kind: "provider" as const, event }));
    const { log, states, judged } = run(steps);
    const reference = referenceRun(log).steps;
    expect(judged.slice(-6)).toEqual([
      { outcome: "ignored", reason: "too-many-pending-requests" },
      { outcome: "ignored", reason: "too-many-pending-requests" },
      { outcome: "applied", reason: undefined },
      { outcome: "applied", reason: undefined },
      { outcome: "ignored", reason: "too-many-pending-requests" },
      { outcome: "applied", reason: undefined },
    ]);
    expect(judged).toEqual(reference.map((s) => ({ outcome: s.outcome, reason: s.reason })));
    expect(states.map(lifecycleOf)).toEqual(reference.map((s) => lifecycleOf(s.state)));
    const pendingAt = (index: number) => lifecycleOf(states.at(index) as SessionState).pendingRequests;
    expect(pendingAt(-2)).toMatchObject({ approvals: 99, userInputs: 1 });
    expect(pendingAt(-1)).toEqual({ approvals: 0, userInputs: 0, oldestOpenedAt: null });
  });
});
