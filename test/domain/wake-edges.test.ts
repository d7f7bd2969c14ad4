/**
 * The edges of issue 21's deadlines that the mutation run (`npm run mutate`) found untested: a wake with two due
 * deadlines (the second due at that very moment), the cause each new deadline is logged under, the oldest pending
 * request, a tie between deadlines, and an alarm set later than it should be.
 */
import { describe, expect, it } from "vitest";
import { nextDeadline, type ReapingPolicy } from "../../src/domain/reaping.ts";
import type { SessionState } from "../../src/domain/session.ts";
import { alarmNeedsWriting, onWake } from "../../src/domain/wake.ts";
import { ev, runtimeEvent } from "../support/events.ts";
import { given, T0 } from "../support/given.ts";

const policy: ReapingPolicy = { idleTimeoutMs: 1_800_000, staleTurnTimeoutMs: 7_200_000, retentionMs: 86_400_000 };
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

function committed(state: SessionState, now: number) {
  const decision = onWake(state, policy, {
    now,
    threadId: "thread-1",
    tenant: "acme",
    eventId: "synthetic-1",
    notify: true,
    pendingNotification: null,
  });
  if (decision.kind !== "commit") throw new Error(`expected a commit, got ${decision.kind}`);
  return decision.change;
}

describe("a wake with more than one deadline due", () => {
  it("acts on one due at that very moment too, each entry with its own eventId and notification", () => {
    const { state } = given(ev.sessionStarted(), ev.turnStarted("T1"));
    const change = committed(state, T0 + 2 * SECOND + 2 * HOUR);
    expect(change.entries.map((entry) => entry.event.type)).toEqual(["session.stalled", "turn.expired"]);
    expect(change.entries.map((entry) => entry.event.eventId)).toEqual(["synthetic-1", "synthetic-1.1"]);
    expect(change.notifications).toHaveLength(2);
  });
});

describe("the cause a wake is logged under", () => {
  it.each([
    ["stall", () => given(ev.sessionStarted(), ev.turnStarted("T1")).state, T0 + 2 * SECOND + 5 * MINUTE],
    [
      "request-timeout",
      () => given(ev.sessionStarted(), ev.turnStarted("T1"), ev.requestOpened("r1", "T1")).state,
      T0 + 3 * SECOND + 24 * HOUR,
    ],
    [
      "expire-task",
      () => given(ev.sessionStarted(), runtimeEvent("task.started", { taskId: "k1" })).state,
      T0 + 2 * SECOND + 2 * HOUR,
    ],
    [
      "limit-reset",
      () =>
        given(
          ev.sessionStarted(),
          runtimeEvent("runtime.error", {
            message: "limit",
            class: "usage_limit",
            detail: { resetsAt: new Date(T0 + HOUR).toISOString() },
          }),
        ).state,
      T0 + HOUR,
    ],
  ] as const)("is %s for that deadline", (cause, state, now) => {
    expect(committed(state(), now).cause).toBe(cause);
  });
});

describe("which deadline is next", () => {
  it("times a request out from the oldest pending one", () => {
    const { state } = given(
      ev.sessionStarted(),
      ev.turnStarted("T1"),
      ev.requestOpened("r1", "T1"),
      ev.requestOpened("r2", "T1"),
    );
    const oldest = Math.min(...state.pendingRequests.map((request) => request.openedAt));
    expect(state.pendingRequests.map((request) => request.openedAt)).not.toEqual([oldest, oldest]);
    expect(nextDeadline(state, policy)).toEqual({ action: "request-timeout", at: oldest + 24 * HOUR });
  });

  it("is the first listed on a tie", () => {
    const { state } = given(ev.sessionStarted(), runtimeEvent("task.started", { taskId: "k1" }));
    const taskExpiry = T0 + 2 * SECOND + 2 * HOUR;
    expect(nextDeadline({ ...state, limitResetsAt: taskExpiry }, policy)).toMatchObject({
      action: "expire-task",
      at: taskExpiry,
    });
  });
});

describe("alarmNeedsWriting", () => {
  it("moves an alarm set later than the next wake earlier", () => {
    expect(alarmNeedsWriting(T0 + 2 * HOUR, T0 + HOUR, T0)).toBe(true);
    expect(alarmNeedsWriting(T0 + HOUR, T0 + 2 * HOUR, T0)).toBe(false);
  });
});
