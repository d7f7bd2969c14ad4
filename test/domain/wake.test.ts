import { describe, expect, it } from "vitest";
import { newNotification, recordAttempt } from "../../src/domain/notification.ts";
import { nextWake, type OtherDeadlines, type ReapingPolicy } from "../../src/domain/reaping.ts";
import type { SessionState } from "../../src/domain/session.ts";
import { alarmNeedsWriting, dueDelivery, onWake, type WakeContext } from "../../src/domain/wake.ts";
import { ev } from "../support/events.ts";
import { given, T0 } from "../support/given.ts";

/** The defaults of docs/operations.md (Configuration): 30 min idle, 2 h stale turn, 1 day retention. */
const policy: ReapingPolicy = { idleTimeoutMs: 1_800_000, staleTurnTimeoutMs: 7_200_000, retentionMs: 86_400_000 };
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const context = (now: number, overrides: Partial<WakeContext> = {}): WakeContext => ({
  now,
  threadId: "thread-1",
  tenant: "acme",
  eventId: "synthetic-1",
  notify: true,
  pendingNotification: null,
  ...overrides,
});

/** A session whose last provider event (its second) was received at T0 + 2 s. */
const freshTurn = () => given(ev.sessionStarted(), ev.turnStarted("T1")).state;
const readySession = () => given(ev.sessionStarted(), ev.health()).state;
const LAST_EVENT_AT = T0 + 2 * SECOND;

function committed(state: SessionState, now: number, overrides: Partial<WakeContext> = {}) {
  const decision = onWake(state, policy, context(now, overrides));
  if (decision.kind !== "commit") throw new Error(`expected a commit, got ${decision.kind}`);
  return decision.change;
}

/** The same turn once the service marked it stalled, 5 min after its last event (seq 3): the watchdog is next. */
const runningTurn = () => committed(freshTurn(), LAST_EVENT_AT + 5 * MINUTE).state;

describe("the alarm of a session with no events", () => {
  it("finds nothing due, whenever it fires", () => {
    expect(onWake(given().state, policy, context(T0 + 365 * 24 * HOUR))).toEqual({ kind: "nothing-due" });
  });
});

describe("the stale-turn watchdog", () => {
  it("expires a turn silent for 2 h as a service-written turn.expired that interrupts the session", () => {
    const state = runningTurn();
    const change = committed(state, LAST_EVENT_AT + 2 * HOUR);
    expect(change.cause).toBe("expire-turn");
    expect(change.before).toBe(state);
    expect(change.entries).toHaveLength(1);
    expect(change.entries[0]).toMatchObject({
      seq: 4,
      origin: "service",
      outcome: "applied",
      receivedAt: LAST_EVENT_AT + 2 * HOUR,
      event: { type: "turn.expired", eventId: "synthetic-1", turnId: "T1", threadId: "thread-1" },
    });
    expect(change.state).toMatchObject({ status: "interrupted", activeTurnId: null, lastSeq: 4, eventCount: 4 });
    expect(change.deliveries).toEqual([]);
  });

  it("announces the expiry with a notification for the new entry when a webhook is configured", () => {
    const change = committed(runningTurn(), LAST_EVENT_AT + 2 * HOUR);
    expect(change.notifications.map((n) => [n.type, n.seq, n.state])).toEqual([["turn.expired", 4, "pending"]]);
  });
});

describe("the idle reaper", () => {
  it("reaps an idle session 30 min after its last event with a service-written session.reaped", () => {
    const change = committed(readySession(), LAST_EVENT_AT + 30 * MINUTE);
    expect(change.cause).toBe("reap");
    expect(change.entries.map((e) => [e.origin, e.event.type, e.outcome])).toEqual([
      ["service", "session.reaped", "applied"],
    ]);
    expect(change.state).toMatchObject({
      status: "stopped",
      reapedAt: LAST_EVENT_AT + 30 * MINUTE,
      reapReason: "idle",
    });
    expect(change.deliveries).toEqual([]);
  });

  it("writes no notification without a webhook", () => {
    expect(committed(readySession(), LAST_EVENT_AT + 30 * MINUTE, { notify: false }).notifications).toEqual([]);
  });
});

describe("when the object wakes next, and why", () => {
  const reaped = () => committed(readySession(), LAST_EVENT_AT + 30 * MINUTE).state;
  const REAPED_AT = LAST_EVENT_AT + 30 * MINUTE;
  const none: OtherDeadlines = { notificationAt: null, readTokenCheckAt: null, directoryUpdateAt: null };
  const wake = (state: SessionState, others: Partial<OtherDeadlines> = {}) =>
    nextWake(state, policy, { ...none, ...others });

  it("never, for a session without events and nothing else to do", () => {
    expect(wake(given().state)).toBeNull();
  });

  it("for a notification alone when the session has no deadline", () => {
    expect(wake(given().state, { notificationAt: T0 + 5 * SECOND })).toEqual({
      at: T0 + 5 * SECOND,
      why: "notification",
    });
  });

  it("at the session's deadline when nothing else waits: reap a ready one, stall a running turn, then expire it", () => {
    expect(wake(readySession())).toEqual({ at: LAST_EVENT_AT + 30 * MINUTE, why: "reap" });
    expect(wake(freshTurn())).toEqual({ at: LAST_EVENT_AT + 5 * MINUTE, why: "stall" });
    expect(wake(runningTurn())).toEqual({ at: LAST_EVENT_AT + 2 * HOUR, why: "expire-turn" });
  });

  it("at the earlier of the deadline and the next delivery attempt", () => {
    expect(wake(readySession(), { notificationAt: LAST_EVENT_AT + 5 * SECOND })).toEqual({
      at: LAST_EVENT_AT + 5 * SECOND,
      why: "notification",
    });
    expect(wake(readySession(), { notificationAt: LAST_EVENT_AT + HOUR })).toEqual({
      at: LAST_EVENT_AT + 30 * MINUTE,
      why: "reap",
    });
  });

  it("at the purge, one day after the reap, when every notification is settled", () => {
    expect(wake(reaped())).toEqual({ at: REAPED_AT + 24 * HOUR, why: "purge" });
  });

  it("for the pending notification, not the purge, while one waits, even past the retention", () => {
    expect(wake(reaped(), { notificationAt: REAPED_AT + 5 * SECOND })).toEqual({
      at: REAPED_AT + 5 * SECOND,
      why: "notification",
    });
    expect(wake(reaped(), { notificationAt: REAPED_AT + 25 * HOUR })).toEqual({
      at: REAPED_AT + 25 * HOUR,
      why: "notification",
    });
  });

  it("to check its subscribers' read tokens, or to tell the directory, when that comes first", () => {
    expect(wake(readySession(), { readTokenCheckAt: LAST_EVENT_AT + MINUTE })).toEqual({
      at: LAST_EVENT_AT + MINUTE,
      why: "read-token-check",
    });
    expect(wake(given().state, { readTokenCheckAt: T0 + MINUTE, directoryUpdateAt: T0 + 2 * SECOND })).toEqual({
      at: T0 + 2 * SECOND,
      why: "directory-update",
    });
  });
});

describe("when the alarm is written", () => {
  it("when none is set, when the one set has come due, or when the wake moves earlier; not for a later wake", () => {
    expect(alarmNeedsWriting(null, T0 + MINUTE, T0)).toBe(true);
    expect(alarmNeedsWriting(T0, T0 + MINUTE, T0)).toBe(true);
    expect(alarmNeedsWriting(T0 + HOUR, T0 + MINUTE, T0)).toBe(true);
    expect(alarmNeedsWriting(T0 + MINUTE, T0 + MINUTE, T0)).toBe(false);
    expect(alarmNeedsWriting(T0 + MINUTE, T0 + HOUR, T0)).toBe(false);
  });
});

describe("which delivery is due", () => {
  const pending = newNotification({ tenant: "acme", seq: 2, event: ev.sessionStarted() }, T0);

  it("none once the oldest notification is delivered or given up", () => {
    const delivered = recordAttempt(pending, T0, { ok: true });
    const failed = { ...recordAttempt(pending, T0, { ok: false, error: "HTTP 503" }), state: "failed" as const };
    expect(dueDelivery(delivered, T0 + HOUR)).toBeNull();
    expect(dueDelivery({ ...failed, nextAttemptAt: T0 }, T0 + HOUR)).toBeNull();
  });
});
