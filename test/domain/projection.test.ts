import { describe, expect, it } from "vitest";
import { holdsInvariant } from "../../src/domain/session.ts";
import { ev } from "../support/events.ts";
import { given } from "../support/given.ts";

const runningTurn = (turnId = "turn-1") => [ev.sessionStarted(), ev.turnStarted(turnId)] as const;

describe("session lifecycle", () => {
  it("starts idle and becomes ready when the provider session starts", () => {
    const { state, when } = given();
    expect(state.status).toBe("idle");
    const step = when(ev.sessionStarted({ provider: "claudeAgent" }));
    expect(step.outcome).toBe("applied");
    expect(step.state).toMatchObject({ status: "ready", activeTurnId: null, providerName: "claudeAgent" });
  });

  it("runs the turn a turn.started names", () => {
    const step = given(ev.sessionStarted()).when(ev.turnStarted("turn-1"));
    expect(step.state).toMatchObject({ status: "running", activeTurnId: "turn-1" });
  });

  it("keeps a reopened session running while it still holds a turn", () => {
    const step = given(...runningTurn()).when(ev.threadStarted());
    expect(step.state).toMatchObject({ status: "running", activeTurnId: "turn-1" });
  });

  it.each([ev.sessionStarted, ev.threadStarted])(
    "clears lastError when the session (re)starts without a turn",
    (start) => {
      const step = given(ev.sessionStarted(), ev.runtimeError("boom")).when(start());
      expect(step.state).toMatchObject({ status: "ready", activeTurnId: null, lastError: null });
    },
  );

  it("takes providerUpdatedAt from the applied event's createdAt", () => {
    const step = given().when(ev.sessionStarted({ createdAt: "2026-11-25T09:59:00.000Z" }));
    expect(step.state.providerUpdatedAt).toBe("2026-11-25T09:59:00.000Z");
  });

  it.each([
    ["2026-11-25T09:59Z", "2026-11-25T09:59:00.000Z"],
    ["2026-11-25T09:59:00", "2026-11-25T09:59:00.000Z"],
    ["1795588084000", "2026-11-25T06:28:04.000Z"],
  ])("reads a createdAt of %s as %s for providerUpdatedAt", (createdAt, iso) => {
    const step = given().when(ev.sessionStarted({ createdAt }));
    expect(step.state.providerUpdatedAt).toBe(iso);
  });

  it("keeps the last providerUpdatedAt when an applied event's createdAt cannot be read", () => {
    const started = ev.sessionStarted({ createdAt: "2026-11-25T09:59:00.000Z" });
    const step = given(started).when(ev.turnStarted("turn-1", { createdAt: "yesterday" }));
    expect(step.outcome).toBe("applied");
    expect(step.state.providerUpdatedAt).toBe("2026-11-25T09:59:00.000Z");
  });

  it.each([
    ["runtime.error", (text: string) => ev.runtimeError(text, "turn-1")],
    ["turn.completed", (text: string) => ev.turnCompleted("turn-1", "failed", {}, text)],
    ["session.state.changed", (text: string) => ev.state("error", {}, text)],
  ])("clips the text of a %s over 65,536 units into lastError, never splitting a character", (_, build) => {
    const text = `${"x".repeat(65_535)}😀tail`;
    const step = given(...runningTurn()).when(build(text));
    expect(step.outcome).toBe("applied");
    expect(step.state.lastError).toBe("x".repeat(65_535));
  });

  it("leaves providerUpdatedAt when a recorded event comes, however new its createdAt", () => {
    const started = ev.sessionStarted({ createdAt: "2026-11-25T09:59:00.000Z" });
    const step = given(started).when(ev.contentDelta("turn-1", { createdAt: "2026-11-25T11:00:00.000Z" }));
    expect(step.state.providerUpdatedAt).toBe("2026-11-25T09:59:00.000Z");
  });
});

describe("providerName", () => {
  it("keeps the provider the session started with when a later event names another", () => {
    const step = given(ev.sessionStarted({ provider: "codex" }), ev.turnStarted("turn-1")).when(
      ev.contentDelta("turn-1", { provider: "claudeAgent" }),
    );
    expect(step.outcome).toBe("recorded");
    expect(step.state.providerName).toBe("codex");
  });

  it.each([ev.sessionStarted, ev.threadStarted])("is named again by an event that opens the session", (opening) => {
    const step = given(ev.sessionStarted({ provider: "codex" })).when(opening({ provider: "opencode" }));
    expect(step.state.providerName).toBe("opencode");
  });

  it("is named by the first accepted event when no event opened the session", () => {
    const { state } = given(ev.health({ provider: "claudeAgent" }), ev.health({ provider: "codex" }));
    expect(state.providerName).toBe("claudeAgent");
  });
});

describe("session.state.changed", () => {
  it.each(["ready", "stopped", "error", "interrupted"])(
    "clears the active turn when the session becomes %s",
    (state) => {
      const step = given(...runningTurn()).when(ev.state(state));
      expect(step.state.activeTurnId).toBeNull();
      expect(step.state.status).toBe(state);
    },
  );

  it.each([
    ["waiting", "running"],
    ["running", "running"],
    ["starting", "starting"],
  ])("keeps the active turn when the session reports %s", (state, status) => {
    const step = given(...runningTurn()).when(ev.state(state));
    expect(step.state).toMatchObject({ status, activeTurnId: "turn-1" });
  });

  it("records the reason of a session error as lastError", () => {
    const step = given(...runningTurn()).when(ev.state("error", {}, "sandbox crashed"));
    expect(step.state).toMatchObject({ status: "error", lastError: "sandbox crashed" });
  });

  it("clears lastError when the session becomes ready", () => {
    const step = given(ev.sessionStarted(), ev.runtimeError("boom")).when(ev.state("ready"));
    expect(step.state.lastError).toBeNull();
  });
});

describe("turn.completed", () => {
  it("closes the active turn and readies the session", () => {
    const step = given(...runningTurn()).when(ev.turnCompleted("turn-1"));
    expect(step.outcome).toBe("applied");
    expect(step.state).toMatchObject({ status: "ready", activeTurnId: null, lastError: null });
  });

  it.each(["completed", "interrupted", "cancelled"])("readies the session when its turn ends %s", (state) => {
    const step = given(...runningTurn()).when(ev.turnCompleted("turn-1", state));
    expect(step).toMatchObject({ outcome: "applied", state: { status: "ready", activeTurnId: null } });
  });

  it.each(["completed", "interrupted", "cancelled"])("clears lastError when a turn ends %s", (state) => {
    const step = given(ev.sessionStarted(), ev.runtimeError("boom"), ev.turnStarted("turn-1")).when(
      ev.turnCompleted("turn-1", state),
    );
    expect(step.state).toMatchObject({ status: "ready", lastError: null });
  });

  it("keeps the previous lastError for a failed turn without a message", () => {
    const step = given(ev.sessionStarted(), ev.runtimeError("boom"), ev.turnStarted("turn-1")).when(
      ev.turnCompleted("turn-1", "failed"),
    );
    expect(step.state).toMatchObject({ status: "error", lastError: "boom" });
  });

  it("says the turn failed when a failed turn brings no message and none came before", () => {
    const step = given(...runningTurn()).when(ev.turnCompleted("turn-1", "failed"));
    expect(step.state).toMatchObject({ status: "error", lastError: "Turn failed" });
  });

  it("turns a failed turn into a session error with its message", () => {
    const step = given(...runningTurn()).when(ev.turnCompleted("turn-1", "failed", {}, "rate limited"));
    expect(step.state).toMatchObject({ status: "error", activeTurnId: null, lastError: "rate limited" });
  });

  it("ignores a completion of another turn", () => {
    const { state, when } = given(...runningTurn("turn-2"));
    const step = when(ev.turnCompleted("turn-1"));
    expect(step).toMatchObject({ outcome: "ignored", reason: "not-the-active-turn" });
    expect(step.state).toMatchObject({ status: state.status, activeTurnId: "turn-2" });
  });

  it("ignores a turn-less completion while a turn is active", () => {
    const step = given(...runningTurn()).when(ev.turnCompleted(undefined));
    expect(step).toMatchObject({ outcome: "ignored", reason: "turnless-completion" });
    expect(step.state.activeTurnId).toBe("turn-1");
  });

  it("settles a running session that never named its turn", () => {
    const step = given(ev.sessionStarted(), ev.state("running")).when(ev.turnCompleted("turn-9"));
    expect(step.state).toMatchObject({ status: "ready", activeTurnId: null });
  });

  it("does not wake a stopped session with a late completion", () => {
    const step = given(...runningTurn(), ev.exited()).when(ev.turnCompleted("turn-1"));
    expect(step).toMatchObject({ outcome: "ignored", reason: "no-turn-to-settle" });
    expect(step.state.status).toBe("stopped");
  });
});

describe("turn.started", () => {
  it("ignores a new turn while a different turn is active", () => {
    const step = given(...runningTurn("turn-1")).when(ev.turnStarted("turn-2"));
    expect(step).toMatchObject({ outcome: "ignored", reason: "another-turn-active" });
    expect(step.state.activeTurnId).toBe("turn-1");
  });

  it("accepts a repeated start of the active turn", () => {
    const step = given(...runningTurn("turn-1")).when(ev.turnStarted("turn-1"));
    expect(step.outcome).toBe("applied");
    expect(step.state.activeTurnId).toBe("turn-1");
  });
});

describe("turn.aborted (the reference ignores it: Stop does nothing)", () => {
  it("interrupts the session and clears the turn when the active turn is aborted", () => {
    const step = given(...runningTurn()).when(ev.turnAborted("turn-1"));
    expect(step.state).toMatchObject({ status: "interrupted", activeTurnId: null });
  });

  it("interrupts the active turn when the abort names no turn", () => {
    const step = given(...runningTurn()).when(ev.turnAborted(undefined));
    expect(step.state).toMatchObject({ status: "interrupted", activeTurnId: null });
  });

  it("ignores an abort of another turn", () => {
    const step = given(...runningTurn("turn-2")).when(ev.turnAborted("turn-1"));
    expect(step).toMatchObject({ outcome: "ignored", reason: "not-the-active-turn" });
    expect(step.state.activeTurnId).toBe("turn-2");
  });

  it("ignores an abort when nothing is running", () => {
    const step = given(ev.sessionStarted()).when(ev.turnAborted("turn-1"));
    expect(step).toMatchObject({ outcome: "ignored", reason: "no-turn-to-settle" });
    expect(step.state.status).toBe("ready");
  });
});

describe("runtime.error (the reference kept the turn id)", () => {
  it("errors the session and clears the turn for an error of the active turn", () => {
    const step = given(...runningTurn()).when(ev.runtimeError("provider crashed", "turn-1"));
    expect(step.state).toMatchObject({ status: "error", activeTurnId: null, lastError: "provider crashed" });
  });

  it("errors the session and clears the turn for an unscoped error", () => {
    const step = given(...runningTurn()).when(ev.runtimeError("transport closed"));
    expect(step.state).toMatchObject({ status: "error", activeTurnId: null, lastError: "transport closed" });
  });

  it("ignores an error of another turn", () => {
    const step = given(...runningTurn("turn-2")).when(ev.runtimeError("old failure", "turn-1"));
    expect(step).toMatchObject({ outcome: "ignored", reason: "not-the-active-turn" });
    expect(step.state).toMatchObject({ status: "running", activeTurnId: "turn-2" });
  });
});

describe("session.exited", () => {
  it("stops the session and clears the turn", () => {
    const step = given(...runningTurn()).when(ev.exited());
    expect(step.state).toMatchObject({ status: "stopped", activeTurnId: null });
  });
});

describe("sessionSequence", () => {
  it("ignores a stale retry, so a late ready cannot clear a newer turn", () => {
    const step = given(
      ev.sessionStarted({ sessionSequence: 1 }),
      ev.turnStarted("turn-1", { sessionSequence: 5 }),
    ).when(ev.state("ready", { sessionSequence: 3 }));
    expect(step).toMatchObject({ outcome: "ignored", reason: "stale-sequence" });
    expect(step.state).toMatchObject({ status: "running", activeTurnId: "turn-1", highestSessionSequence: 5 });
  });

  it("resets the mark when the provider restarts and counts from 0 again", () => {
    const beforeRestart = [
      ev.sessionStarted({ sessionSequence: 0 }),
      ev.turnStarted("turn-1", { sessionSequence: 10 }),
      ev.turnCompleted("turn-1", "completed", { sessionSequence: 50 }),
    ];
    const step = given(...beforeRestart, ev.sessionStarted({ sessionSequence: 0 })).when(
      ev.turnStarted("turn-2", { sessionSequence: 1 }),
    );
    expect(step.outcome).toBe("applied");
    expect(step.state).toMatchObject({ status: "running", activeTurnId: "turn-2", highestSessionSequence: 1 });
  });

  it("never ignores a session.started as stale, and takes its sequence as the new mark", () => {
    const step = given(
      ev.sessionStarted({ sessionSequence: 3 }),
      ev.turnStarted("turn-1", { sessionSequence: 50 }),
    ).when(ev.sessionStarted({ sessionSequence: 0 }));
    expect(step.outcome).toBe("applied");
    expect(step.state.highestSessionSequence).toBe(0);
  });

  it("clears the mark when a session.started carries no sequence", () => {
    const step = given(ev.turnStarted("turn-1", { sessionSequence: 50 })).when(ev.sessionStarted());
    expect(step.state.highestSessionSequence).toBeNull();
  });

  it("applies an event whose sequence equals the highest one", () => {
    const step = given(ev.turnStarted("turn-1", { sessionSequence: 5 })).when(
      ev.turnCompleted("turn-1", "completed", { sessionSequence: 5 }),
    );
    expect(step.outcome).toBe("applied");
  });
});

describe("events that do not touch the lifecycle", () => {
  it.each(["content.delta", "item.started", "runtime.warning", "some.future.event"])(
    "records %s without a change",
    (type) => {
      const { state, when } = given(...runningTurn());
      const step = when({ ...ev.contentDelta("turn-1"), type });
      expect(step.outcome).toBe("recorded");
      expect(step.state).toMatchObject({ status: state.status, activeTurnId: state.activeTurnId });
    },
  );

  it("counts every stored event and tracks the last seq", () => {
    const { state } = given(ev.sessionStarted(), ev.contentDelta("t"), ev.turnCompleted("nope"));
    expect(state).toMatchObject({ eventCount: 3, lastSeq: 3 });
    expect(holdsInvariant(state)).toBe(true);
  });
});
