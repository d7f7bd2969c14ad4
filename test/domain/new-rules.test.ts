/** Issue 21's rules, each by name: health and stalls, background tasks, usage limits, waiting for a person, denied tools, exits. */
import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import { evolve } from "../../src/domain/event-log.ts";
import { type ReapingPolicy, sessionDeadlines } from "../../src/domain/reaping.ts";
import type { SessionState } from "../../src/domain/session.ts";
import { sessionView } from "../../src/domain/session-view.ts";
import { onWake, type WakeContext } from "../../src/domain/wake.ts";
import { ev, runtimeEvent } from "../support/events.ts";
import { given, T0 } from "../support/given.ts";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const policy: ReapingPolicy = {
  idleTimeoutMs: 30 * MINUTE,
  staleTurnTimeoutMs: 2 * HOUR,
  retentionMs: 24 * HOUR,
  stallAfterMs: 5 * MINUTE,
  staleTaskTimeoutMs: 2 * HOUR,
  pendingRequestTimeoutMs: 24 * HOUR,
};

const task = (type: string, taskId: string, extra: Record<string, unknown> = {}) =>
  runtimeEvent(type, { taskId, description: "run the tests", ...extra });
const health = (state: string, stalledForMs?: number) =>
  runtimeEvent("session.health", {
    state,
    lastActivityAt: "2026-11-25T09:00:00Z",
    ...(stalledForMs === undefined ? {} : { stalledForMs }),
  });
const usageLimit = (detail: Record<string, unknown>, turnId?: string) =>
  runtimeEvent(
    "runtime.error",
    { message: "usage limit", class: "usage_limit", detail },
    turnId === undefined ? {} : { turnId },
  );
const denied = () => runtimeEvent("tool.denied", { toolName: "Bash", reason: "plan mode" });

/** Given events a second apart from T0 + 1 s; the last one's receive time. */
const lastAt = (count: number) => T0 + count * SECOND;

function wake(state: SessionState, now: number, overrides: Partial<WakeContext> = {}) {
  return onWake(state, policy, {
    now,
    threadId: "thread-1",
    tenant: "acme",
    eventId: "svc-1",
    notify: true,
    pendingNotification: null,
    ...overrides,
  });
}

function wokenAt(state: SessionState, now: number) {
  const decision = wake(state, now);
  if (decision.kind !== "commit") throw new Error(`expected a commit, got ${decision.kind}`);
  return decision.change;
}

const actions = (state: SessionState) => sessionDeadlines(state, policy).map(({ action }) => action);

describe("health", () => {
  it("is the provider's word from session.health, stalled since its receive time less stalledForMs", () => {
    const step = given(ev.sessionStarted(), ev.turnStarted("t1")).when(health("stalled", 60_000));
    expect(step.outcome).toBe("applied");
    expect(step.state.health).toEqual({ state: "stalled", since: lastAt(3) - 60_000, source: "provider" });
  });

  it("leaves a heartbeat that repeats the known state recorded, so heartbeats write no snapshot", () => {
    const { state, when } = given(ev.sessionStarted(), health("active"));
    const step = when(health("active"));
    expect(step.outcome).toBe("recorded");
    expect(step.state.health).toBe(state.health);
  });

  it("stalls a busy session silent for STALL_AFTER_SECONDS at its own alarm, a service entry, and says so once", () => {
    const { state } = given(ev.sessionStarted(), ev.turnStarted("t1"));
    expect(wake(state, lastAt(2) + 5 * MINUTE - 1)).toEqual({ kind: "nothing-due" });
    const change = wokenAt(state, lastAt(2) + 5 * MINUTE);
    expect(change.entries.map((entry) => [entry.origin, entry.event.type])).toEqual([["service", "session.stalled"]]);
    expect(change.state.health).toEqual({ state: "stalled", since: lastAt(2), source: "service" });
    expect(change.state).toMatchObject({ status: "running", activeTurnId: "t1" });
    expect(change.notifications.map((n) => [n.type, JSON.parse(n.body).data.reason])).toEqual([
      ["session.attention", "stall"],
    ]);
    expect(actions(change.state)).toEqual(["expire-turn"]);
  });

  it("is active again at the turn's next event", () => {
    const { state } = given(ev.sessionStarted(), ev.turnStarted("t1"));
    const stalled = wokenAt(state, lastAt(2) + 5 * MINUTE).state;
    const next = evolve(stalled, {
      seq: stalled.lastSeq + 1,
      receivedAt: lastAt(2) + 6 * MINUTE,
      origin: "provider",
      event: ev.contentDelta("t1"),
    });
    expect(next.state.health).toEqual({ state: "active", since: lastAt(2) + 6 * MINUTE, source: "service" });
    expect(sessionView("t", next.state, policy, null, 0).attention).toEqual([]);
  });

  it("does not stall a session waiting for a person", () => {
    const { state } = given(ev.sessionStarted(), ev.turnStarted("t1"), ev.requestOpened("r1", "t1"));
    expect(actions(state)).toEqual(["request-timeout"]);
  });
});

describe("background tasks", () => {
  it("counts running and backgrounded tasks from task.started, task.progress and task.updated", () => {
    const { state } = given(
      ev.sessionStarted(),
      task("task.started", "a"),
      task("task.progress", "b"),
      task("task.updated", "a", { status: "running", isBackgrounded: true }),
    );
    expect(sessionView("t", state, policy, null, 0).tasks).toEqual({
      running: 2,
      backgrounded: 1,
      oldestStartedAt: new Date(lastAt(2)).toISOString(),
    });
  });

  it("refreshes a task's last sign of life at most once a minute, so task.progress does not rewrite the snapshot", () => {
    const { state, when } = given(ev.sessionStarted(), task("task.started", "a"));
    expect(when(task("task.progress", "a")).outcome).toBe("recorded");
    const later = evolve(state, {
      seq: state.lastSeq + 1,
      receivedAt: lastAt(2) + MINUTE,
      origin: "provider",
      event: task("task.progress", "a"),
    });
    expect(later.outcome).toBe("applied");
    expect(later.state.tasks[0]?.lastEventAt).toBe(lastAt(2) + MINUTE);
  });

  it.each([
    ["task.completed", { status: "completed" }],
    ["task.updated", { status: "killed" }],
    ["task.updated", { status: "failed" }],
  ])("ends a task at %s %j", (type, extra) => {
    const step = given(ev.sessionStarted(), task("task.started", "a")).when(task(type, "a", extra));
    expect(step.outcome).toBe("applied");
    expect(step.state.tasks).toEqual([]);
  });

  it("keeps a ready session with a running task from the idle reap, and expires the task after its silence", () => {
    const { state } = given(ev.sessionStarted(), task("task.started", "a"));
    expect(sessionDeadlines(state, policy)).toEqual([{ action: "expire-task", at: lastAt(2) + 2 * HOUR, taskId: "a" }]);
    const change = wokenAt(state, lastAt(2) + 2 * HOUR);
    expect(change.entries.map((entry) => [entry.event.type, entry.event.payload])).toEqual([
      ["task.expired", { taskId: "a", silentForSeconds: 7200 }],
    ]);
    expect(change.state.tasks).toEqual([]);
    expect(change.notifications).toEqual([]);
    expect(actions(change.state)).toEqual(["reap"]);
  });

  it("outlives a turn's completion, and ends with session.exited and a stop", () => {
    const started = [ev.sessionStarted(), ev.turnStarted("t1"), task("task.started", "a")];
    expect(given(...started).when(ev.turnCompleted("t1")).state.tasks).toHaveLength(1);
    expect(given(...started).when(ev.exited()).state.tasks).toEqual([]);
    expect(given(...started).when(ev.state("stopped")).state.tasks).toEqual([]);
  });

  it("ends with the reap", () => {
    const { state } = given(
      ev.sessionStarted(),
      task("task.started", "a"),
      task("task.completed", "a", { status: "completed" }),
    );
    const reaped = wokenAt(state, lastAt(3) + 30 * MINUTE).state;
    expect(reaped).toMatchObject({ status: "stopped", tasks: [] });
  });
});

describe("usage limits", () => {
  const resetsAt = "2026-11-25T15:00:00Z";

  it.each([
    [{ kind: "usage-limit", resetsAt }],
    [{ kind: "usage-limit", resetsAtEpochSeconds: Date.parse(resetsAt) / 1000 }],
  ])("errors the session and keeps when the limit resets, from %j", (detail) => {
    const step = given(ev.sessionStarted(), ev.turnStarted("t1")).when(usageLimit(detail, "t1"));
    expect(step.state).toMatchObject({ status: "error", activeTurnId: null, limitResetsAt: Date.parse(resetsAt) });
    expect(sessionView("t", step.state, policy, null, 0).limitResetsAt).toBe("2026-11-25T15:00:00.000Z");
  });

  it("is not idle-reaped before the reset, and sends session.limit-reset when it passes", () => {
    const { state } = given(ev.sessionStarted(), usageLimit({ kind: "usage-limit", resetsAt }));
    expect(actions(state)).toEqual(["limit-reset"]);
    const change = wokenAt(state, Date.parse(resetsAt));
    expect(change.entries.map((entry) => entry.event.type)).toEqual(["session.limit-reset"]);
    expect(change.state.limitResetsAt).toBeNull();
    expect(change.notifications.map((n) => n.type)).toEqual(["session.limit-reset"]);
    expect(actions(change.state)).toEqual(["reap"]);
  });

  it("ends when the provider works again", () => {
    const limited = [ev.sessionStarted(), usageLimit({ kind: "usage-limit", resetsAt })];
    expect(given(...limited).when(ev.turnStarted("t2")).state.limitResetsAt).toBeNull();
  });

  it("is not set by another error class, nor by a detail without a reset time", () => {
    expect(given(ev.sessionStarted()).when(ev.runtimeError("boom")).state.limitResetsAt).toBeNull();
    expect(given(ev.sessionStarted()).when(usageLimit({ kind: "usage-limit" })).state.limitResetsAt).toBeNull();
  });
});

describe("waiting for a person", () => {
  const asked = (): RuntimeEvent[] => [ev.sessionStarted(), ev.turnStarted("t1"), ev.requestOpened("r1", "t1")];

  it("neither expires the turn nor reaps while a request is pending, and expires the turn a day after it opened", () => {
    const { state } = given(...asked());
    expect(sessionDeadlines(state, policy)).toEqual([{ action: "request-timeout", at: lastAt(3) + 24 * HOUR }]);
    const change = wokenAt(state, lastAt(3) + 24 * HOUR);
    expect(change.entries[0]?.event).toMatchObject({
      type: "turn.expired",
      turnId: "t1",
      payload: { reason: "request-timeout", waitedForSeconds: 86_400 },
    });
    expect(change.state).toMatchObject({ status: "interrupted", activeTurnId: null, pendingRequests: [] });
    expect(change.state.lastError).toBe("Turn t1 waited 86400 s for a person: no answer to its request");
    expect(change.notifications.map((n) => n.type)).toEqual(["turn.expired"]);
    expect(actions(change.state)).toEqual(["reap"]);
  });

  it("ends a session's own question at the timeout without stopping the session", () => {
    const { state } = given(ev.sessionStarted(), ev.runtimeError("boom"), ev.userInputRequested("q1"));
    const change = wokenAt(state, lastAt(3) + 24 * HOUR);
    expect(change.state).toMatchObject({ status: "error", pendingRequests: [] });
  });
});

describe("denied tools and exits", () => {
  it("counts tool.denied for the turn and the session; a new turn counts from 0", () => {
    const { state, when } = given(
      ev.sessionStarted(),
      ev.turnStarted("t1"),
      denied(),
      denied(),
      ev.turnCompleted("t1"),
    );
    expect(state.deniedTools).toEqual({ turn: 2, session: 2 });
    const { state: next } = given(
      ev.sessionStarted(),
      ev.turnStarted("t1"),
      denied(),
      ev.turnCompleted("t1"),
      ev.turnStarted("t2"),
    );
    expect(next.deniedTools).toEqual({ turn: 0, session: 1 });
    expect(when(denied()).outcome).toBe("applied");
  });

  it("keeps a non-graceful exit's kind and the clipped tail of its stderr, until the session starts again", () => {
    const stderr = `${"x".repeat(5000)}panic: out of memory`;
    const exited = runtimeEvent("session.exited", { exitKind: "error", stderrTail: stderr });
    const { state, when } = given(ev.sessionStarted(), exited);
    const view = sessionView("t", state, policy, null, 0);
    expect(view.exitKind).toBe("error");
    expect(view.stderrTail).toHaveLength(4096);
    expect(view.stderrTail?.endsWith("panic: out of memory")).toBe(true);
    expect(when(ev.sessionStarted()).state.exit).toBeNull();
    expect(given(ev.sessionStarted(), ev.exited()).state.exit).toBeNull();
  });
});
