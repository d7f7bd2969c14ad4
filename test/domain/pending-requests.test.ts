import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import { evolve } from "../../src/domain/event-log.ts";
import { MAX_PENDING_REQUESTS, pendingRequestsHoldInvariant } from "../../src/domain/pending-requests.ts";
import { type ReapingPolicy, sessionReapedEvent, turnExpiredEvent } from "../../src/domain/reaping.ts";
import type { SessionState } from "../../src/domain/session.ts";
import { sessionView } from "../../src/domain/session-view.ts";
import { ev } from "../support/events.ts";
import { given, T0 } from "../support/given.ts";

const policy: ReapingPolicy = { idleTimeoutMs: 1_800_000, staleTurnTimeoutMs: 7_200_000, retentionMs: 86_400_000 };
const pendingOf = (state: SessionState) => sessionView("thread-1", state, policy, null, 0).pendingRequests;
/** given() receives the n-th event at T0 + n seconds. */
const receivedIso = (n: number) => new Date(T0 + n * 1000).toISOString();
const NONE = { approvals: 0, userInputs: 0, oldestOpenedAt: null };

const runningTurn = (turnId = "turn-1") => [ev.sessionStarted(), ev.turnStarted(turnId)] as const;
/** Turn 1 waits on an approval and a question. */
const waitingOnAPerson = () =>
  [...runningTurn(), ev.requestOpened("approve-1", "turn-1"), ev.userInputRequested("ask-1", "turn-1")] as const;

function whenService(state: SessionState, make: typeof turnExpiredEvent): SessionState {
  const now = (state.lastEventAt ?? T0) + 1000;
  const event: RuntimeEvent = make(state, { eventId: `svc-${now}`, threadId: "thread-1", now });
  return evolve(state, { seq: state.lastSeq + 1, receivedAt: now, origin: "service", event }).state;
}

describe("opening a request", () => {
  it("shows no pending requests in a fresh session", () => {
    expect(pendingOf(given(ev.sessionStarted()).state)).toEqual(NONE);
  });

  it("counts an approval the running turn asks for, from the server's receive time", () => {
    const step = given(...runningTurn()).when(
      ev.requestOpened("approve-1", "turn-1", { createdAt: "2020-01-01T00:00:00.000Z" }),
    );
    expect(step.outcome).toBe("applied");
    expect(pendingOf(step.state)).toEqual({ approvals: 1, userInputs: 0, oldestOpenedAt: receivedIso(3) });
  });

  it("counts a question as a pending user input", () => {
    const step = given(...runningTurn()).when(ev.userInputRequested("ask-1", "turn-1"));
    expect(step.outcome).toBe("applied");
    expect(pendingOf(step.state)).toEqual({ approvals: 0, userInputs: 1, oldestOpenedAt: receivedIso(3) });
  });

  it("keeps the first opening when the same requestId opens again", () => {
    const { state, when } = given(...runningTurn(), ev.requestOpened("approve-1", "turn-1"));
    const step = when(ev.requestOpened("approve-1", "turn-1"));
    expect(step.outcome).toBe("recorded");
    expect(step.state.pendingRequests).toEqual(state.pendingRequests);
    expect(pendingOf(step.state)).toEqual({ approvals: 1, userInputs: 0, oldestOpenedAt: receivedIso(3) });
  });

  it("records a request without a requestId and tracks nothing", () => {
    const step = given(...runningTurn()).when(ev.requestOpened(undefined, "turn-1"));
    expect(step.outcome).toBe("recorded");
    expect(pendingOf(step.state)).toEqual(NONE);
  });

  it("tracks nothing for an event that names a requestId but neither asks nor answers", () => {
    const delta: RuntimeEvent = { ...ev.contentDelta("turn-1"), requestId: "approve-1" };
    const step = given(...runningTurn()).when(delta);
    expect(step.outcome).toBe("recorded");
    expect(pendingOf(step.state)).toEqual(NONE);
  });

  it("ignores a request of a turn other than the running one", () => {
    const step = given(...runningTurn("turn-2")).when(ev.requestOpened("approve-1", "turn-1"));
    expect(step).toMatchObject({ outcome: "ignored", reason: "not-the-active-turn" });
    expect(pendingOf(step.state)).toEqual(NONE);
  });

  it("ignores a late request of a turn that already settled", () => {
    const step = given(...runningTurn(), ev.turnCompleted("turn-1")).when(ev.requestOpened("approve-1", "turn-1"));
    expect(step).toMatchObject({ outcome: "ignored", reason: "not-the-active-turn" });
    expect(pendingOf(step.state)).toEqual(NONE);
  });

  it("tracks a request of a running session that never named its turn", () => {
    const step = given(ev.sessionStarted(), ev.state("running")).when(ev.requestOpened("approve-1", "turn-9"));
    expect(step.outcome).toBe("applied");
    expect(pendingOf(step.state).approvals).toBe(1);
  });

  it("tracks a turn-less request while the session is ready", () => {
    const step = given(ev.sessionStarted()).when(ev.userInputRequested("ask-1"));
    expect(step.outcome).toBe("applied");
    expect(step.state.pendingRequests).toEqual([
      { requestId: "ask-1", kind: "user-input", turnId: null, openedAt: T0 + 2000 },
    ]);
  });

  it(`tracks at most ${MAX_PENDING_REQUESTS} open requests and ignores the next one`, () => {
    const opened = Array.from({ length: MAX_PENDING_REQUESTS }, (_, i) => ev.requestOpened(`approve-${i}`, "turn-1"));
    const step = given(...runningTurn(), ...opened).when(ev.userInputRequested("one-too-many", "turn-1"));
    expect(step).toMatchObject({ outcome: "ignored", reason: "too-many-pending-requests" });
    expect(pendingOf(step.state)).toEqual({
      approvals: MAX_PENDING_REQUESTS,
      userInputs: 0,
      oldestOpenedAt: receivedIso(3),
    });
  });
});

describe("resolving a request", () => {
  it("clears the approval it resolves", () => {
    const step = given(...runningTurn(), ev.requestOpened("approve-1", "turn-1")).when(
      ev.requestResolved("approve-1", "turn-1"),
    );
    expect(step.outcome).toBe("applied");
    expect(pendingOf(step.state)).toEqual(NONE);
  });

  it("clears the question it answers, matched by requestId alone", () => {
    const step = given(...runningTurn(), ev.userInputRequested("ask-1", "turn-1")).when(ev.userInputResolved("ask-1"));
    expect(step.outcome).toBe("applied");
    expect(pendingOf(step.state)).toEqual(NONE);
  });

  it("moves oldestOpenedAt to the next oldest request when the oldest is resolved", () => {
    const step = given(...waitingOnAPerson()).when(ev.requestResolved("approve-1", "turn-1"));
    expect(pendingOf(step.state)).toEqual({ approvals: 0, userInputs: 1, oldestOpenedAt: receivedIso(4) });
  });

  it("records the resolution of an unknown request without a change", () => {
    const { state, when } = given(...waitingOnAPerson());
    const step = when(ev.requestResolved("never-opened", "turn-1"));
    expect(step.outcome).toBe("recorded");
    expect(step.state.pendingRequests).toEqual(state.pendingRequests);
    expect(pendingOf(step.state)).toMatchObject({ approvals: 1, userInputs: 1 });
  });

  it("ignores a resolution below the stale-sequence mark", () => {
    const step = given(
      ev.sessionStarted({ sessionSequence: 0 }),
      ev.turnStarted("turn-1", { sessionSequence: 1 }),
      ev.requestOpened("approve-1", "turn-1", { sessionSequence: 5 }),
    ).when(ev.requestResolved("approve-1", "turn-1", { sessionSequence: 4 }));
    expect(step).toMatchObject({ outcome: "ignored", reason: "stale-sequence" });
    expect(pendingOf(step.state).approvals).toBe(1);
  });
});

describe("a turn's requests end with the turn", () => {
  it("keeps them pending while the turn runs", () => {
    const step = given(...waitingOnAPerson(), ev.contentDelta("turn-1")).when(ev.state("waiting"));
    expect(pendingOf(step.state)).toEqual({ approvals: 1, userInputs: 1, oldestOpenedAt: receivedIso(3) });
  });

  it.each([
    ["turn.completed", ev.turnCompleted("turn-1")],
    ["a failed turn.completed", ev.turnCompleted("turn-1", "failed")],
    ["turn.aborted", ev.turnAborted("turn-1")],
    ["a turn-less turn.aborted", ev.turnAborted(undefined)],
    ["runtime.error of the turn", ev.runtimeError("boom", "turn-1")],
    ["an unscoped runtime.error", ev.runtimeError("transport closed")],
    ["session.state.changed ready", ev.state("ready")],
    ["session.state.changed stopped", ev.state("stopped")],
    ["session.state.changed error", ev.state("error")],
    ["session.state.changed interrupted", ev.state("interrupted")],
    ["session.exited", ev.exited()],
  ])("clears them on %s", (_, settling) => {
    const step = given(...waitingOnAPerson()).when(settling);
    expect(step.outcome).toBe("applied");
    expect(pendingOf(step.state)).toEqual(NONE);
  });

  it("clears them when the watchdog expires the turn", () => {
    const expired = whenService(given(...waitingOnAPerson()).state, turnExpiredEvent);
    expect(expired.status).toBe("interrupted");
    expect(pendingOf(expired)).toEqual(NONE);
  });

  it("keeps them when another turn's completion is ignored", () => {
    const step = given(...waitingOnAPerson()).when(ev.turnCompleted("turn-0"));
    expect(step.outcome).toBe("ignored");
    expect(pendingOf(step.state)).toMatchObject({ approvals: 1, userInputs: 1 });
  });
});

describe("turn-less requests end with the session's idle or end", () => {
  const sessionQuestion = () => [...runningTurn(), ev.userInputRequested("ask-session")] as const;

  it.each([
    ["becomes ready", ev.turnCompleted("turn-1")],
    ["reports ready", ev.state("ready")],
    ["stops", ev.state("stopped")],
    ["exits", ev.exited()],
  ])("clears them when the session %s", (_, event) => {
    const step = given(...sessionQuestion()).when(event);
    expect(pendingOf(step.state)).toEqual(NONE);
  });

  it("clears them when the reaper stops the session", () => {
    const interrupted = given(...sessionQuestion(), ev.turnAborted("turn-1")).state;
    expect(pendingOf(interrupted).userInputs).toBe(1);
    expect(pendingOf(whenService(interrupted, sessionReapedEvent))).toEqual(NONE);
  });

  it.each([
    ["the turn is aborted", ev.turnAborted("turn-1")],
    ["the turn fails", ev.turnCompleted("turn-1", "failed")],
    ["the session reports an error", ev.state("error")],
  ])("keeps them when %s: the provider may still ask", (_, event) => {
    const step = given(...sessionQuestion()).when(event);
    expect(pendingOf(step.state)).toEqual({ approvals: 0, userInputs: 1, oldestOpenedAt: receivedIso(3) });
  });

  it("keeps them when the watchdog expires the turn", () => {
    const expired = whenService(given(...sessionQuestion()).state, turnExpiredEvent);
    expect(pendingOf(expired).userInputs).toBe(1);
  });
});

describe("the invariant check the property tests rely on", () => {
  const waiting = () => given(...waitingOnAPerson()).state;

  it("holds while the requests' turn runs", () => {
    expect(pendingRequestsHoldInvariant(waiting())).toBe(true);
  });

  it("flags a request of a turn that is no longer running, or of another turn", () => {
    expect(pendingRequestsHoldInvariant({ ...waiting(), status: "ready", activeTurnId: null })).toBe(false);
    expect(pendingRequestsHoldInvariant({ ...waiting(), activeTurnId: "turn-2" })).toBe(false);
  });

  it("never flags a turn-less request", () => {
    const sessionQuestion = given(ev.sessionStarted(), ev.userInputRequested("ask-session")).state;
    expect(pendingRequestsHoldInvariant({ ...sessionQuestion, status: "ready", activeTurnId: null })).toBe(true);
  });
});
