import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import { type Change, emptyChange } from "../../src/domain/change.ts";
import type { SessionState } from "../../src/domain/session.ts";
import { SNAPSHOT_INTERVAL, snapshotDue } from "../../src/domain/snapshot.ts";
import { ev } from "../support/events.ts";
import { given } from "../support/given.ts";

/** The change one event makes after `history`, as an ingest commits it. */
function changeOf(history: RuntimeEvent[], event: RuntimeEvent): Change {
  const { state, when } = given(...history);
  return { ...emptyChange("ingest", state), state: when(event).state };
}

const running = [ev.sessionStarted(), ev.turnStarted("t1")];

describe("when the snapshot is written", () => {
  it("not for an event that moves only the counters and the activity time", () => {
    const change = changeOf(running, ev.contentDelta("t1"));
    expect(change.state.lastSeq).toBe(3);
    expect(snapshotDue(change, 2)).toBe(false);
  });

  it.each([
    ["the status and the turn", changeOf(running, ev.turnCompleted("t1"))],
    ["what waits for a person", changeOf(running, ev.requestOpened("r1", "t1"))],
    ["the provider", changeOf([], ev.health())],
    ["the error", changeOf(running, ev.runtimeError("boom"))],
  ])("when %s change", (_, change) => {
    expect(snapshotDue(change, change.state.lastSeq - 1)).toBe(true);
  });

  it(`at least every ${SNAPSHOT_INTERVAL} events, so a wake folds at most that many`, () => {
    const change = changeOf(running, ev.contentDelta("t1"));
    expect(snapshotDue(change, 3 - (SNAPSHOT_INTERVAL - 1))).toBe(false);
    expect(snapshotDue(change, 3 - SNAPSHOT_INTERVAL)).toBe(true);
  });

  it("not when a field is rebuilt equal: pending requests filtered to the same ones", () => {
    const { state } = given(...running, ev.requestOpened("r1", "t1"));
    const same: SessionState = { ...state, pendingRequests: [...state.pendingRequests], lastSeq: state.lastSeq + 1 };
    expect(snapshotDue({ ...emptyChange("ingest", state), state: same }, state.lastSeq)).toBe(false);
  });

  it("always for a rebuild from the log", () => {
    const { state } = given(...running);
    expect(snapshotDue({ ...emptyChange("rebuild", state), state }, state.lastSeq)).toBe(true);
  });
});
