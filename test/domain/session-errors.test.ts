import { describe, expect, it } from "vitest";
import { holdsInvariant, initialSession } from "../../src/domain/session.ts";
import { ev } from "../support/events.ts";
import { given } from "../support/given.ts";

describe("lastError of a session in error", () => {
  it("keeps the previous error when a session error gives no reason", () => {
    const step = given(ev.sessionStarted(), ev.runtimeError("disk full")).when(ev.state("error"));
    expect(step.state).toMatchObject({ status: "error", lastError: "disk full" });
  });

  it("says something when a session error gives no reason and nothing failed before", () => {
    const step = given(ev.sessionStarted()).when(ev.state("error"));
    expect(step.state.status).toBe("error");
    expect(step.state.lastError).toEqual(expect.stringMatching(/\S/));
  });

  it("says something when a turn fails without a message and nothing failed before", () => {
    const step = given(ev.sessionStarted(), ev.turnStarted("T1")).when(ev.turnCompleted("T1", "failed"));
    expect(step.state.status).toBe("error");
    expect(step.state.lastError).toEqual(expect.stringMatching(/\S/));
  });

  it("is a turn's error when a running session that never named its turn reports one for a turn", () => {
    const step = given(ev.sessionStarted(), ev.state("running")).when(ev.runtimeError("rate limited", "T9"));
    expect(step.outcome).toBe("applied");
    expect(step.state).toMatchObject({ status: "error", activeTurnId: null, lastError: "rate limited" });
  });
});

describe("the invariant", () => {
  it("is broken by a turn held while the session is not starting or running", () => {
    expect(holdsInvariant({ ...initialSession, status: "ready", activeTurnId: "T1" })).toBe(false);
    expect(holdsInvariant({ ...initialSession, status: "running", activeTurnId: "T1" })).toBe(true);
  });
});
