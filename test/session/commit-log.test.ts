/** Which commits write a log line: the ones that change what an operator searches for, not every batch. */
import { describe, expect, it } from "vitest";
import { type Change, emptyChange } from "../../src/domain/change.ts";
import { initialSession, type SessionState } from "../../src/domain/session.ts";
import { isLogWorthy } from "../../src/session/commit-log.ts";
import { ev } from "../support/events.ts";

const running: SessionState = { ...initialSession, status: "running", activeTurnId: "t1", lastSeq: 4 };

function ingest(before: SessionState, state: SessionState, outcome: "applied" | "recorded" | "ignored"): Change {
  const entry = {
    seq: before.lastSeq + 1,
    receivedAt: 0,
    origin: "provider" as const,
    outcome,
    event: ev.contentDelta("t1"),
  };
  return { ...emptyChange("ingest", before), state, entries: [entry] };
}

describe("isLogWorthy", () => {
  it("skips a batch that only adds content to a running turn", () => {
    expect(isLogWorthy(ingest(running, { ...running, lastSeq: 5 }, "recorded"))).toBe(false);
  });

  it("logs a change of status, turn, error or what waits, an ignored event, and every non-ingest commit", () => {
    const after = { ...running, lastSeq: 5 };
    expect(isLogWorthy(ingest(running, { ...after, status: "ready", activeTurnId: null }, "applied"))).toBe(true);
    expect(isLogWorthy(ingest(running, { ...after, activeTurnId: "t2" }, "applied"))).toBe(true);
    expect(isLogWorthy(ingest(running, { ...after, lastError: "boom" }, "applied"))).toBe(true);
    const pending = [{ requestId: "r1", kind: "approval" as const, turnId: "t1", openedAt: 0 }];
    expect(isLogWorthy(ingest(running, { ...after, pendingRequests: pending }, "applied"))).toBe(true);
    expect(isLogWorthy(ingest(running, after, "ignored"))).toBe(true);
    for (const cause of ["expire-turn", "reap", "delivery", "rebuild", "wake", "directory"] as const) {
      expect(isLogWorthy(emptyChange(cause, running)), cause).toBe(true);
    }
  });
});
