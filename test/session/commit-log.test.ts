/** Which commits write a log line: the ones that change what an operator searches for, not every batch. */
import { describe, expect, it } from "vitest";
import { type Change, emptyChange } from "../../src/domain/change.ts";
import { initialFeed } from "../../src/domain/directory.ts";
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
  const after = { ...running, lastSeq: 5 };

  it("skips the ordinary flow: content, a turn that starts or ends, a question asked", () => {
    expect(isLogWorthy(ingest(running, after, "recorded"))).toBe(false);
    expect(isLogWorthy(ingest(running, { ...after, status: "ready", activeTurnId: null }, "applied"))).toBe(false);
    expect(isLogWorthy(ingest(running, { ...after, activeTurnId: "t2" }, "applied"))).toBe(false);
    const pending = [{ requestId: "r1", kind: "approval" as const, turnId: "t1", openedAt: 0 }];
    expect(isLogWorthy(ingest(running, { ...after, pendingRequests: pending }, "applied"))).toBe(false);
  });

  it("logs a session that fails, stops or is interrupted, a new error, and an ignored event", () => {
    for (const status of ["error", "stopped", "interrupted"] as const) {
      expect(isLogWorthy(ingest(running, { ...after, status, activeTurnId: null }, "applied")), status).toBe(true);
    }
    expect(isLogWorthy(ingest(running, { ...after, lastError: "boom" }, "applied"))).toBe(true);
    expect(isLogWorthy(ingest(running, after, "ignored"))).toBe(true);
  });

  it("logs a failed directory update, not an acknowledged one, and every act of the service", () => {
    const feed = initialFeed;
    expect(isLogWorthy({ ...emptyChange("directory", running), directoryFeed: feed })).toBe(false);
    expect(isLogWorthy({ ...emptyChange("directory", running), directoryFeed: { ...feed, attempts: 1 } })).toBe(true);
    for (const cause of ["expire-turn", "reap", "delivery", "rebuild", "wake"] as const) {
      expect(isLogWorthy(emptyChange(cause, running)), cause).toBe(true);
    }
  });
});
