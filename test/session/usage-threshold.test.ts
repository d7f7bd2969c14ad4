/**
 * USAGE_ALERT_USD ($1 in the tests): a session whose cost crosses it tells the orchestrator once per crossing; and
 * TENANT_DAILY_ALERT_USD ($100): a tenant's day whose cost crosses it, from the tenant's directory object.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UsageThresholdWebhookSchema } from "../../src/contracts/webhooks.ts";
import { api, newThreadId, request, sessionPath } from "../support/api.ts";
import { ev, runtimeEvent } from "../support/events.ts";
import { advance, deliveriesFor, HOUR, runAlarm, useFakeClock } from "../support/session-object.ts";
import { GLOBEX_TOKEN } from "../support/test-config.ts";

/** A T3 Code snapshot with the provider's own running cost. */
const report = (threadId: string, totalCostUsd: number, inputTokens: number) =>
  runtimeEvent(
    "thread.token-usage.updated",
    {
      usage: {
        usedTokens: 1,
        inputTokens,
        outputTokens: 10,
        cost: { currency: "USD", totalCostUsd, source: "provider", confidence: "exact", components: [] },
      },
    },
    { threadId, turnId: "t1", provider: "claude" },
  );

describe("usage.threshold", () => {
  beforeEach(() => {
    useFakeClock();
    advance(HOUR);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is delivered once when the session's cost crosses USAGE_ALERT_USD, with the cost and the threshold", async () => {
    const threadId = newThreadId();
    const o = { threadId, provider: "claude" };
    await api.post(threadId, [ev.sessionStarted(o), ev.turnStarted("t1", o), report(threadId, 0.6, 1_000)]);
    await api.post(threadId, [report(threadId, 1.2, 2_000)]);
    await api.post(threadId, [report(threadId, 1.8, 3_000)]);
    await runAlarm(threadId);

    const deliveries = (await deliveriesFor(threadId)).filter((delivery) => delivery.body.includes("usage.threshold"));
    expect(deliveries.map((delivery) => delivery.status)).toEqual([204]);
    expect(deliveries[0]?.verified).toBe(true);
    const payload = JSON.parse(deliveries[0]?.body ?? "null");
    expect(payload).toMatchObject({
      type: "usage.threshold",
      data: { tenant: "acme", scope: "session", threadId, thresholdUsd: 1, costUsd: 1.2, unpricedTokens: 0 },
    });
    expect(UsageThresholdWebhookSchema.safeParse(payload).error).toBeUndefined();
  });

  it("says nothing while the cost stays under it", async () => {
    const threadId = newThreadId();
    const o = { threadId, provider: "claude" };
    await api.post(threadId, [ev.sessionStarted(o), ev.turnStarted("t1", o), report(threadId, 0.99, 1_000)]);
    await runAlarm(threadId);
    const bodies = (await deliveriesFor(threadId)).map((delivery) => delivery.body);
    expect(bodies.filter((body) => body.includes("usage.threshold"))).toEqual([]);
  });
});

describe("usage.threshold for a tenant's day", () => {
  it("is delivered once by the directory when the day's cost of its sessions crosses TENANT_DAILY_ALERT_USD", async () => {
    // globex: no other test gives it usage, so its day starts at $0.
    const asGlobex = { token: GLOBEX_TOKEN };
    const session = async (totalCostUsd: number) => {
      const threadId = newThreadId();
      const o = { threadId, provider: "claude" };
      const events = [ev.sessionStarted(o), ev.turnStarted("t1", o), report(threadId, totalCostUsd, 1_000)];
      const response = await request(
        "POST",
        `${sessionPath(threadId)}/events`,
        [...events, ev.turnCompleted("t1", "completed", o)],
        asGlobex,
      );
      expect(response.status).toBe(200);
    };
    await session(60);
    await session(50);
    await session(20);
    const tenantDay = async () =>
      (await deliveriesFor("unknown"))
        .map((delivery) => JSON.parse(delivery.body))
        .filter((payload) => payload.data?.scope === "tenant-day" && payload.data?.tenant === "globex");
    await vi.waitUntil(async () => (await tenantDay()).length > 0, { timeout: 10_000, interval: 100 });
    // Give a second (wrong) delivery time to show.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const payloads = await tenantDay();
    expect(payloads).toHaveLength(1);
    expect(payloads[0]).toMatchObject({
      type: "usage.threshold",
      data: {
        tenant: "globex",
        scope: "tenant-day",
        day: new Date().toISOString().slice(0, 10),
        thresholdUsd: 100,
        costUsd: 110,
      },
    });
    expect(UsageThresholdWebhookSchema.safeParse(payloads[0]).error).toBeUndefined();
  });
});
