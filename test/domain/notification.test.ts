import { describe, expect, it } from "vitest";
import { newNotification, recordAttempt } from "../../src/domain/notification.ts";
import { ev } from "../support/events.ts";
import { T0 } from "../support/given.ts";

const SECOND = 1000;
const HOUR = 3_600_000;

const expiry = {
  ...ev.turnStarted("T1", { eventId: "x-1", provider: "codex", threadId: "idle-1" }),
  type: "turn.expired",
  createdAt: "2026-11-25T12:05:00.000Z",
  payload: { reason: "stale-turn", silentForSeconds: 7200 },
};

describe("a reap or expiry notification", () => {
  it("is a Standard Webhooks payload with the event's type, timestamp, turn and payload", () => {
    const notification = newNotification({ tenant: "local", seq: 2, event: expiry }, T0);
    expect(JSON.parse(notification.body)).toEqual({
      type: "turn.expired",
      timestamp: "2026-11-25T12:05:00.000Z",
      data: {
        tenant: "local",
        threadId: "idle-1",
        seq: 2,
        turnId: "T1",
        provider: "codex",
        reason: "stale-turn",
        silentForSeconds: 7200,
      },
    });
  });

  it("carries turnId null when the event names no turn", () => {
    const { turnId: _, ...turnless } = expiry;
    const notification = newNotification({ tenant: "local", seq: 2, event: turnless }, T0);
    expect(JSON.parse(notification.body).data.turnId).toBeNull();
  });

  it("has a webhook-id made from the event id, and is due at once", () => {
    expect(newNotification({ tenant: "local", seq: 2, event: expiry }, T0)).toMatchObject({
      id: "msg_x-1",
      seq: 2,
      type: "turn.expired",
      createdAt: T0,
      state: "pending",
      attempts: 0,
      lastError: null,
      nextAttemptAt: T0,
    });
  });
});

describe("retrying a failed delivery", () => {
  const created = newNotification({ tenant: "local", seq: 2, event: expiry }, T0);

  it("retries a failed delivery after 5 s, then 10 s", () => {
    const first = recordAttempt(created, T0, { ok: false, error: "HTTP 503" });
    expect(first).toMatchObject({
      state: "pending",
      attempts: 1,
      lastError: "HTTP 503",
      nextAttemptAt: T0 + 5 * SECOND,
    });
    const second = recordAttempt(first, T0 + 5 * SECOND, { ok: false, error: "timeout" });
    expect(second).toMatchObject({
      state: "pending",
      attempts: 2,
      lastError: "timeout",
      nextAttemptAt: T0 + 15 * SECOND,
    });
  });

  it("still retries at exactly 25 hours after creation, and gives up on a retry that would come later", () => {
    const late = { ...created, attempts: 1 };
    const lastChance = recordAttempt(late, T0 + 25 * HOUR - 10 * SECOND, { ok: false, error: "HTTP 503" });
    expect(lastChance).toMatchObject({ state: "pending", nextAttemptAt: T0 + 25 * HOUR });
    const tooLate = recordAttempt(late, T0 + 25 * HOUR - 10 * SECOND + 1, { ok: false, error: "HTTP 503" });
    expect(tooLate).toMatchObject({ state: "failed", nextAttemptAt: null, lastError: "HTTP 503", attempts: 2 });
  });

  it("clears the last error once delivered", () => {
    const failed = recordAttempt(created, T0, { ok: false, error: "HTTP 503" });
    expect(recordAttempt(failed, T0 + 5 * SECOND, { ok: true })).toMatchObject({
      state: "delivered",
      lastError: null,
      nextAttemptAt: null,
      attempts: 2,
    });
  });
});
