import { describe, expect, it } from "vitest";
import { evolve } from "../../src/domain/event-log.ts";
import {
  applyServiceEvent,
  nextDeadline,
  type ReapingPolicy,
  sessionReapedEvent,
  turnExpiredEvent,
} from "../../src/domain/reaping.ts";
import type { SessionState } from "../../src/domain/session.ts";
import { ev } from "../support/events.ts";
import { given, T0 } from "../support/given.ts";

/** The defaults of docs/operations.md (Configuration): 30 min idle, 2 h stale turn, 1 day retention. */
const policy: ReapingPolicy = { idleTimeoutMs: 1_800_000, staleTurnTimeoutMs: 7_200_000, retentionMs: 86_400_000 };
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Two provider events, the last received at T0 + 2 s. */
const LAST_EVENT_AT = T0 + 2 * SECOND;
const EXPIRED_AT = LAST_EVENT_AT + 2 * HOUR;

/** Folds a synthetic event the way the alarm appends it: origin `service`, received now. */
function fold(state: SessionState, event: ReturnType<typeof turnExpiredEvent>, now: number) {
  return evolve(state, { seq: state.lastSeq + 1, receivedAt: now, origin: "service", event });
}

const TURN_STARTED_AT = "2026-11-25T09:59:00.000Z";

function expiredTurn(
  history = [ev.sessionStarted({ provider: "codex" }), ev.turnStarted("T1", { createdAt: TURN_STARTED_AT })],
) {
  const state = given(...history).state;
  const event = turnExpiredEvent(state, { eventId: "x-1", threadId: "thread-1", now: EXPIRED_AT });
  return { event, step: fold(state, event, EXPIRED_AT) };
}

describe("turn.expired, the stale-turn watchdog's record", () => {
  it("names the silent turn, the reason and the 7200 s of silence", () => {
    const { event } = expiredTurn();
    expect(event).toMatchObject({
      eventId: "x-1",
      type: "turn.expired",
      threadId: "thread-1",
      provider: "codex",
      turnId: "T1",
      createdAt: new Date(EXPIRED_AT).toISOString(),
      payload: { reason: "stale-turn", silentForSeconds: 7200 },
    });
  });

  it("names no turn when the running session never named one", () => {
    const { event } = expiredTurn([ev.sessionStarted(), ev.state("running")]);
    expect(event).not.toHaveProperty("turnId");
  });

  it("interrupts the session, clears the turn and says which turn went silent for how long", () => {
    const { step } = expiredTurn();
    expect(step.outcome).toBe("applied");
    expect(step.state).toMatchObject({
      status: "interrupted",
      activeTurnId: null,
      lastError: "Turn T1 went silent: no provider event for 7200 s",
      turnExpiredAt: EXPIRED_AT,
      lastEventAt: LAST_EVENT_AT,
    });
  });

  it("leaves providerUpdatedAt on the provider's clock: the last provider lifecycle event's createdAt", () => {
    expect(expiredTurn().step.state.providerUpdatedAt).toBe(TURN_STARTED_AT);
  });

  it("says the running session went silent when no turn was named", () => {
    const { step } = expiredTurn([ev.sessionStarted(), ev.state("running")]);
    expect(step.state.lastError).toMatch(/^\S.* went silent: no provider event for 7200 s$/);
    expect(step.state.lastError).not.toMatch(/^Turn /);
  });

  it("keeps the interrupted session visible for one idle period counted from the expiry", () => {
    const { step } = expiredTurn();
    expect(nextDeadline(step.state, policy)).toEqual({ action: "reap", at: EXPIRED_AT + 30 * MINUTE });
  });
});

describe("session.reaped, the idle reaper's record", () => {
  it("says the session was idle for the 30 min since its last event", () => {
    const state = given(ev.sessionStarted({ provider: "claudeAgent" }), ev.health()).state;
    const event = sessionReapedEvent(state, { eventId: "r-1", threadId: "thread-1", now: LAST_EVENT_AT + 30 * MINUTE });
    expect(event).toMatchObject({
      eventId: "r-1",
      type: "session.reaped",
      provider: "claudeAgent",
      threadId: "thread-1",
      payload: { reason: "idle", idleForSeconds: 1800 },
    });
  });

  it("counts the idle time of an expired turn's session from the expiry", () => {
    const { step } = expiredTurn();
    const now = EXPIRED_AT + 30 * MINUTE;
    const event = sessionReapedEvent(step.state, { eventId: "r-1", threadId: "thread-1", now });
    expect(event.payload).toEqual({ reason: "idle", idleForSeconds: 1800 });
  });

  it("stops the session and marks it reaped for being idle", () => {
    const state = given(ev.sessionStarted(), ev.health()).state;
    const now = LAST_EVENT_AT + 30 * MINUTE;
    const step = fold(state, sessionReapedEvent(state, { eventId: "r-1", threadId: "thread-1", now }), now);
    expect(step.outcome).toBe("applied");
    expect(step.state).toMatchObject({ status: "stopped", activeTurnId: null, reapedAt: now, reapReason: "idle" });
    expect(step.state.providerUpdatedAt).toBe(state.providerUpdatedAt);
  });

  it("is signed by the service itself when no provider has spoken", () => {
    const state = { ...given().state, lastEventAt: T0 };
    const event = sessionReapedEvent(state, { eventId: "r-1", threadId: "thread-1", now: T0 + 30 * MINUTE });
    expect(event.provider).toBe("provider-sessions");
  });
});

describe("events only the service writes", () => {
  it("refuses to fold any other type as a service event, naming it", () => {
    expect(() => applyServiceEvent(given().state, ev.sessionStarted(), T0)).toThrow("session.started");
  });

  it("are folded by the provider rules when a provider sends the same type: recorded, not applied", () => {
    const { event } = expiredTurn();
    const step = given(ev.sessionStarted(), ev.turnStarted("T1")).when(event);
    expect(step.outcome).toBe("recorded");
    expect(step.state).toMatchObject({ status: "running", activeTurnId: "T1" });
  });
});
