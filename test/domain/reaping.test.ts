import { describe, expect, it } from "vitest";
import { newNotification, RETRY_WINDOW_MS, recordAttempt, retryDelayMs } from "../../src/domain/notification.ts";
import { nextDeadline, nextWake, type ReapingPolicy, sessionDeadlines } from "../../src/domain/reaping.ts";
import type { SessionState } from "../../src/domain/session.ts";
import { dueDelivery, onWake } from "../../src/domain/wake.ts";
import { ev } from "../support/events.ts";
import { given, T0 } from "../support/given.ts";

const policy: ReapingPolicy = { idleTimeoutMs: 1_800_000, staleTurnTimeoutMs: 7_200_000, retentionMs: 86_400_000 };

/** What the alarm does at `now`: nothing, a purge, or the type of the synthetic event it appends. */
function wakeAt(state: SessionState, now: number, notificationPending = false) {
  const pending = notificationPending
    ? newNotification({ tenant: "acme", seq: 1, event: ev.sessionStarted() }, T0)
    : null;
  const decision = onWake(state, policy, {
    now,
    threadId: "thread-1",
    tenant: "acme",
    eventId: "synthetic-1",
    notify: false,
    pendingNotification: pending,
  });
  return decision.kind === "commit" ? decision.change.entries.map((entry) => entry.event.type) : decision.kind;
}

describe("reaping deadlines", () => {
  it("has nothing due for a session without events", () => {
    expect(nextDeadline(given().state, policy)).toBeNull();
  });

  it("reaps an idle session 30 minutes after its last event", () => {
    const { state } = given(ev.sessionStarted());
    expect(nextDeadline(state, policy)).toEqual({ action: "reap", at: (state.lastEventAt ?? 0) + 1_800_000 });
  });

  it("stalls a busy session after 5 min of silence, and expires its turn after the stale-turn timeout, instead of reaping it", () => {
    const { state } = given(ev.sessionStarted(), ev.turnStarted("t1"));
    const last = state.lastEventAt ?? 0;
    expect(sessionDeadlines(state, policy)).toEqual([
      { action: "expire-turn", at: last + 7_200_000 },
      { action: "stall", at: last + 300_000 },
    ]);
    expect(nextDeadline(state, policy)).toEqual({ action: "stall", at: last + 300_000 });
  });

  it("treats a running session without a turn id as busy", () => {
    const { state } = given(ev.sessionStarted(), ev.state("running"));
    expect(sessionDeadlines(state, policy).map((deadline) => deadline.action)).toEqual(["expire-turn", "stall"]);
  });

  it("decides nothing before a deadline and the action at it", () => {
    const { state } = given(ev.sessionStarted());
    const at = nextDeadline(state, policy)?.at ?? 0;
    expect(wakeAt(state, at - 1)).toBe("nothing-due");
    expect(wakeAt(state, at)).toEqual(["session.reaped"]);
  });

  it("holds the purge while a notification is pending and wakes for the notification instead", () => {
    const reaped = {
      ...given(ev.sessionStarted()).state,
      status: "stopped" as const,
      reapedAt: T0,
      reapReason: "idle" as const,
    };
    expect(wakeAt(reaped, T0 + 86_400_000, true)).toBe("nothing-due");
    expect(wakeAt(reaped, T0 + 86_400_000, false)).toBe("purge");
    const others = { notificationAt: T0 + 5000, readTokenCheckAt: null, directoryUpdateAt: null };
    expect(nextWake(reaped, policy, others)).toEqual({ at: T0 + 5000, why: "notification" });
    expect(nextDeadline(reaped, policy)).toEqual({ action: "purge", at: T0 + 86_400_000 });
  });
});

describe("notification retries", () => {
  const subject = {
    tenant: "acme",
    seq: 4,
    event: { ...ev.sessionStarted(), type: "session.reaped", payload: { reason: "idle" } },
  };

  it("backs off exponentially from 5 seconds up to one hour", () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([5000, 10000, 20000, 40000]);
    expect(retryDelayMs(30)).toBe(3_600_000);
  });

  it("keeps retrying for at least 24 hours, then gives up as failed", () => {
    let notification = newNotification(subject, T0);
    let now = T0;
    while (notification.state === "pending") {
      now = notification.nextAttemptAt ?? now;
      notification = recordAttempt(notification, now, { ok: false, error: "HTTP 503" });
    }
    expect(notification.state).toBe("failed");
    expect(now - T0).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(now - T0).toBeLessThanOrEqual(RETRY_WINDOW_MS);
    expect(notification.lastError).toBe("HTTP 503");
  });

  it("is delivered on the first success, with the same id and body as every attempt before", () => {
    const first = newNotification(subject, T0);
    const failed = recordAttempt(first, T0, { ok: false, error: "timeout" });
    const delivered = recordAttempt(failed, T0 + 5000, { ok: true });
    expect(delivered).toMatchObject({
      id: first.id,
      body: first.body,
      state: "delivered",
      attempts: 2,
      nextAttemptAt: null,
    });
    expect(JSON.parse(first.body)).toMatchObject({
      type: "session.reaped",
      data: { tenant: "acme", seq: 4, reason: "idle" },
    });
  });
});

describe("delivery order", () => {
  const pending = newNotification({ tenant: "acme", seq: 2, event: ev.sessionStarted() }, T0);

  it("attempts the oldest pending notification once it is due", () => {
    expect(dueDelivery(pending, T0)).toBe(pending);
    expect(dueDelivery(null, T0)).toBeNull();
  });

  it("holds every later notification back while the oldest waits for its retry", () => {
    const failed = recordAttempt(pending, T0, { ok: false, error: "HTTP 503" });
    expect(dueDelivery(failed, T0 + retryDelayMs(1) - 1)).toBeNull();
    expect(dueDelivery(failed, T0 + retryDelayMs(1))).toBe(failed);
  });

  it("appends a signed-notification outbox entry with the reap only when a webhook is configured", () => {
    const { state } = given(ev.sessionStarted());
    const at = nextDeadline(state, policy)?.at ?? 0;
    const context = { now: at, threadId: "thread-1", tenant: "acme", eventId: "s-1", pendingNotification: null };
    const notified = onWake(state, policy, { ...context, notify: true });
    const silent = onWake(state, policy, { ...context, notify: false });
    expect(notified.kind === "commit" && notified.change.notifications.map((n) => [n.type, n.seq])).toEqual([
      ["session.reaped", state.lastSeq + 1],
    ]);
    expect(silent.kind === "commit" && silent.change.notifications).toEqual([]);
  });
});
