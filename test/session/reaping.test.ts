import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SessionReapedWebhookSchema, TurnExpiredWebhookSchema } from "../../src/contracts/webhooks.ts";
import { api, newThreadId } from "../support/api.ts";
import { toLogEntries } from "../support/checks.ts";
import { ev } from "../support/events.ts";
import { lifecycleOf, referenceRun } from "../support/reference-model.ts";
import {
  advance,
  deliverAlarmAgain,
  deliveriesFor,
  failNextDeliveries,
  HOUR,
  MINUTE,
  readLog,
  readSession,
  readySession,
  runAlarm,
  SECOND,
  sessionStub,
  useFakeClock,
} from "../support/session-object.ts";

beforeEach(useFakeClock);
afterEach(() => {
  vi.useRealTimers();
});

async function busySession(turnId = "t1") {
  const threadId = newThreadId();
  await api.post(threadId, [ev.sessionStarted({ threadId }), ev.turnStarted(turnId, { threadId })]);
  return threadId;
}

async function reap(threadId: string) {
  advance(30 * MINUTE + SECOND);
  expect(await runAlarm(threadId)).toBe(true);
}

describe("idle reap", () => {
  it("reaps a session with no active turn after 30 idle minutes", async () => {
    const threadId = await readySession();
    const before = await readSession(threadId);
    expect(before.deadline?.action).toBe("reap");
    expect(Date.parse(before.deadline?.at ?? "")).toBe(Date.parse(before.lastEventAt ?? "") + 30 * MINUTE);

    await reap(threadId);

    const session = await readSession(threadId);
    expect(session).toMatchObject({ status: "stopped", activeTurnId: null, reapReason: "idle" });
    expect(session.deadline?.action).toBe("purge");
    expect(session.reapedAt).not.toBeNull();
    const log = await readLog(threadId);
    expect(log.at(-1)).toMatchObject({ origin: "service", outcome: "applied", event: { type: "session.reaped" } });
  });

  it("does not reap a session that is not due yet", async () => {
    const threadId = await readySession();
    advance(29 * MINUTE);
    await runAlarm(threadId);
    expect((await readSession(threadId)).status).toBe("ready");
  });

  it("counts idle time from the last event, not from when the alarm was set", async () => {
    const threadId = await readySession();
    advance(20 * MINUTE);
    await api.post(threadId, ev.health({ threadId }));
    advance(20 * MINUTE);
    await runAlarm(threadId);
    expect((await readSession(threadId)).status).toBe("ready");
    advance(11 * MINUTE);
    await runAlarm(threadId);
    expect((await readSession(threadId)).status).toBe("stopped");
  });
});

describe("stale-turn watchdog", () => {
  it("never idle-reaps a session holding a turn", async () => {
    const threadId = await busySession();
    advance(90 * MINUTE);
    await runAlarm(threadId);
    expect(await readSession(threadId)).toMatchObject({ status: "running", activeTurnId: "t1", reapedAt: null });
  });

  it("expires a turn silent for two hours to interrupted, then reaps it as idle", async () => {
    const threadId = await busySession("t-stuck");
    advance(2 * HOUR + SECOND);
    await runAlarm(threadId);
    const expired = await readSession(threadId);
    expect(expired).toMatchObject({ status: "interrupted", activeTurnId: null, reapedAt: null });
    expect(expired.lastError).toBe("Turn t-stuck went silent: no provider event for 7201 s");
    expect((await readLog(threadId)).at(-1)).toMatchObject({
      origin: "service",
      event: { type: "turn.expired", turnId: "t-stuck" },
    });

    advance(30 * MINUTE + SECOND);
    await runAlarm(threadId);
    expect(await readSession(threadId)).toMatchObject({ status: "stopped", reapReason: "idle" });
  });

  it("keeps a long turn alive while heartbeats arrive", async () => {
    const threadId = await busySession();
    for (let hour = 0; hour < 3; hour += 1) {
      advance(90 * MINUTE);
      await api.post(threadId, ev.health({ threadId }));
      await runAlarm(threadId);
    }
    expect(await readSession(threadId)).toMatchObject({ status: "running", activeTurnId: "t1" });
  });
});

describe("revival and purge", () => {
  it("revives a reaped session with a late event and cancels its purge", async () => {
    const threadId = await readySession();
    await reap(threadId);
    await api.post(threadId, ev.turnStarted("t2", { threadId }));
    expect(await readSession(threadId)).toMatchObject({
      status: "running",
      activeTurnId: "t2",
      reapedAt: null,
      reapReason: null,
    });
    advance(25 * HOUR);
    await runAlarm(threadId);
    expect((await api.get(threadId)).status).toBe(200);
  });

  it("purges everything a day after the reap; a new event then starts a fresh session", async () => {
    const threadId = await readySession();
    await reap(threadId);
    advance(24 * HOUR + SECOND);
    await runAlarm(threadId);
    expect((await api.get(threadId)).status).toBe(404);
    expect((await api.events(threadId)).status).toBe(404);
    await runInDurableObject(sessionStub(threadId), async (_, state) => {
      expect(await state.storage.getAlarm()).toBeNull();
      expect(state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray()).toEqual([]);
    });

    await api.post(threadId, ev.sessionStarted({ threadId }));
    expect(await readSession(threadId)).toMatchObject({ status: "ready", eventCount: 1, lastSeq: 1, reapedAt: null });
  });

  it("purges at once on DELETE", async () => {
    const threadId = await busySession();
    expect((await api.delete(threadId)).status).toBe(204);
    expect((await api.get(threadId)).status).toBe(404);
    expect((await api.delete(threadId)).status).toBe(404);
    await api.post(threadId, ev.sessionStarted({ threadId }));
    expect(await readSession(threadId)).toMatchObject({ eventCount: 1, status: "ready" });
  });
});

describe("reap notification", () => {
  it("POSTs a Standard Webhooks signed notification that an independent verifier accepts", async () => {
    const threadId = await readySession();
    await reap(threadId);
    const deliveries = await deliveriesFor(threadId);
    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    expect(delivery?.verified).toBe(true);
    expect(delivery?.headers["webhook-id"]).toMatch(/^msg_/);
    expect(delivery?.headers["webhook-timestamp"]).toBe(String(Math.floor(Date.now() / 1000)));
    expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({
      type: "session.reaped",
      data: { tenant: "acme", threadId, reason: "idle", provider: "codex" },
    });
    // Exactly the shape the OpenAPI document's webhooks section gives generated clients.
    expect(SessionReapedWebhookSchema.strict().safeParse(JSON.parse(delivery?.body ?? "{}")).error).toBeUndefined();
    expect((await readSession(threadId)).notification).toMatchObject({
      state: "delivered",
      attempts: 1,
      lastError: null,
    });
  });

  it("retries a failed delivery with backoff and then delivers it exactly once, under one webhook-id", async () => {
    const threadId = await readySession();
    await failNextDeliveries(threadId, 2);
    await reap(threadId);
    expect((await readSession(threadId)).notification).toMatchObject({
      state: "pending",
      attempts: 1,
      lastError: "receiver answered HTTP 503",
    });

    await deliverAlarmAgain(threadId);
    expect(await deliveriesFor(threadId)).toHaveLength(1);

    advance(5 * SECOND);
    await runAlarm(threadId);
    advance(10 * SECOND);
    await runAlarm(threadId);
    advance(HOUR);
    await deliverAlarmAgain(threadId);

    const deliveries = await deliveriesFor(threadId);
    expect(deliveries.map((d) => d.status)).toEqual([503, 503, 204]);
    expect(new Set(deliveries.map((d) => d.headers["webhook-id"])).size).toBe(1);
    expect((await readSession(threadId)).notification).toMatchObject({ state: "delivered", attempts: 3 });
  });

  it("notifies a stall and a turn expiry too", async () => {
    const threadId = await busySession("t-silent");
    advance(2 * HOUR + SECOND);
    await runAlarm(threadId);
    await deliverAlarmAgain(threadId);
    const [stall, delivery] = await deliveriesFor(threadId);
    expect(JSON.parse(stall?.body ?? "{}")).toMatchObject({
      type: "session.attention",
      data: { reason: "stall", activeTurnId: "t-silent", threadId },
    });
    expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({
      type: "turn.expired",
      data: { turnId: "t-silent", threadId },
    });
    expect(TurnExpiredWebhookSchema.strict().safeParse(JSON.parse(delivery?.body ?? "{}")).error).toBeUndefined();
  });

  it("waits for a pending notification before purging", async () => {
    const threadId = await readySession();
    await failNextDeliveries(threadId, 1000);
    await reap(threadId);
    advance(24 * HOUR + SECOND);
    await deliverAlarmAgain(threadId);
    expect((await api.get(threadId)).status).toBe(200);
  });

  it("still waits for a pending notification after the object was evicted between the reap and the purge", async () => {
    const threadId = await readySession();
    await failNextDeliveries(threadId, 1000);
    await reap(threadId);
    expect((await readSession(threadId)).notification).toMatchObject({ state: "pending", attempts: 1 });
    await evictDurableObject(sessionStub(threadId));

    advance(24 * HOUR + SECOND);
    expect(await runAlarm(threadId)).toBe(true);
    expect((await api.get(threadId)).status).toBe(200);
    expect((await readSession(threadId)).notification).toMatchObject({ state: "pending", attempts: 2 });
  });
});

describe("alarm safety", () => {
  it("reaps and notifies once when the alarm runs twice", async () => {
    const threadId = await readySession();
    await reap(threadId);
    await deliverAlarmAgain(threadId);
    await deliverAlarmAgain(threadId);
    const reaps = (await readLog(threadId)).filter((entry) => entry.event.type === "session.reaped");
    expect(reaps).toHaveLength(1);
    expect(await deliveriesFor(threadId)).toHaveLength(1);
  });

  it("does not reap a session that became active after the alarm was due", async () => {
    const threadId = await readySession();
    advance(31 * MINUTE);
    await api.post(threadId, ev.turnStarted("t9", { threadId }));
    await runAlarm(threadId);
    expect(await readSession(threadId)).toMatchObject({ status: "running", activeTurnId: "t9" });
  });

  it("projects what the lifecycle rules make of the log, synthetic events included", async () => {
    const threadId = await busySession();
    advance(2 * HOUR + SECOND);
    await runAlarm(threadId);
    advance(31 * MINUTE);
    await runAlarm(threadId);
    const log = await readLog(threadId);
    const session = await readSession(threadId);
    expect(log.map((entry) => [entry.origin, entry.event.type, entry.outcome])).toEqual([
      ["provider", "session.started", "applied"],
      ["provider", "turn.started", "applied"],
      ["service", "session.stalled", "applied"],
      ["service", "turn.expired", "applied"],
      ["service", "session.reaped", "applied"],
    ]);
    const expected = {
      status: "stopped",
      activeTurnId: null,
      lastError: "Turn t1 went silent: no provider event for 7201 s",
      // The service's own entries leave the provider's name and clock alone: turn.started's createdAt.
      providerName: "codex",
      providerUpdatedAt: "2026-11-25T10:00:00.000Z",
      eventCount: 5,
      lastSeq: 5,
      pendingRequests: { approvals: 0, userInputs: 0, oldestOpenedAt: null },
    };
    expect(lifecycleOf(session)).toEqual(expected);
    expect(lifecycleOf(referenceRun(toLogEntries(log)).state)).toEqual(expected);
    expect(session.reapedAt).toBe(new Date(Date.now()).toISOString());
  });

  it("keeps a turn waiting for a person past the stale-turn timeout and ends it and its requests at the request timeout, as the rules say", async () => {
    const threadId = await busySession();
    await api.post(threadId, [
      ev.requestOpened("approve-1", "t1", { threadId }),
      ev.userInputRequested("ask-1", undefined, { threadId }),
    ]);
    const openedAt = (await readSession(threadId)).pendingRequests.oldestOpenedAt;
    expect(openedAt).not.toBeNull();
    const judged = async () => {
      const log = await readLog(threadId);
      const session = await readSession(threadId);
      expect(lifecycleOf(session)).toEqual(lifecycleOf(referenceRun(toLogEntries(log)).state));
      return session.pendingRequests;
    };

    advance(2 * HOUR + SECOND);
    await runAlarm(threadId);
    expect(await judged()).toEqual({ approvals: 1, userInputs: 1, oldestOpenedAt: openedAt });
    expect(await readSession(threadId)).toMatchObject({ status: "running", deadline: { action: "request-timeout" } });
    advance(22 * HOUR);
    await runAlarm(threadId);
    expect(await judged()).toEqual({ approvals: 0, userInputs: 0, oldestOpenedAt: null });
    expect(await readSession(threadId)).toMatchObject({ status: "interrupted", activeTurnId: null });
  });
});
