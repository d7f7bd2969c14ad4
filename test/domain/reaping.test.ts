import { describe, expect, it } from "vitest";
import { newNotification, RETRY_WINDOW_MS, recordAttempt, retryDelayMs } from "../../src/domain/notification.ts";
import { dueAction, nextDeadline, nextWakeAt, type ReapingPolicy, reapAt } from "../../src/domain/reaping.ts";
import { ev } from "../support/events.ts";
import { given, T0 } from "../support/given.ts";

const policy: ReapingPolicy = { idleTimeoutMs: 1_800_000, staleTurnTimeoutMs: 7_200_000, retentionMs: 86_400_000 };

describe("reaping deadlines", () => {
  it("has nothing due for a session without events", () => {
    expect(nextDeadline(given().state, policy)).toBeNull();
  });

  it("reaps an idle session 30 minutes after its last event", () => {
    const { state } = given(ev.sessionStarted());
    expect(nextDeadline(state, policy)).toEqual({ action: "reap", at: (state.lastEventAt ?? 0) + 1_800_000 });
  });

  it("expires a busy session's turn after the stale-turn timeout instead of reaping it", () => {
    const { state } = given(ev.sessionStarted(), ev.turnStarted("t1"));
    expect(nextDeadline(state, policy)).toEqual({ action: "expire-turn", at: (state.lastEventAt ?? 0) + 7_200_000 });
  });

  it("treats a running session without a turn id as busy", () => {
    const { state } = given(ev.sessionStarted(), ev.state("running"));
    expect(nextDeadline(state, policy)?.action).toBe("expire-turn");
  });

  it("decides nothing before a deadline and the action at it", () => {
    const { state } = given(ev.sessionStarted());
    const at = reapAt(state, policy) ?? 0;
    expect(dueAction(state, at - 1, policy, false)).toBeNull();
    expect(dueAction(state, at, policy, false)).toBe("reap");
  });

  it("holds the purge while a notification is pending and wakes for the notification instead", () => {
    const reaped = {
      ...given(ev.sessionStarted()).state,
      status: "stopped" as const,
      reapedAt: T0,
      reapReason: "idle" as const,
    };
    expect(dueAction(reaped, T0 + 86_400_000, policy, true)).toBeNull();
    expect(dueAction(reaped, T0 + 86_400_000, policy, false)).toBe("purge");
    expect(nextWakeAt(reaped, policy, T0 + 5000)).toBe(T0 + 5000);
    expect(reapAt(reaped, policy)).toBeNull();
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
