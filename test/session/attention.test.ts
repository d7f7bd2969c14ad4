/** A session that starts waiting for a person tells the orchestrator once, through the signed, retried webhook. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SessionAttentionWebhookSchema } from "../../src/contracts/webhooks.ts";
import { api, newThreadId } from "../support/api.ts";
import { ev } from "../support/events.ts";
import { advance, deliveriesFor, HOUR, runAlarm, useFakeClock } from "../support/session-object.ts";

describe("session.attention", () => {
  // An hour ahead of the real scheduler, so the delivery runs when the test runs the alarm, and only then.
  beforeEach(() => {
    useFakeClock();
    advance(HOUR);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is delivered once when approvals or questions become pending, with what is pending", async () => {
    const threadId = newThreadId();
    const o = { threadId };
    await api.post(threadId, [ev.sessionStarted(o), ev.turnStarted("t1", o), ev.requestOpened("r1", "t1", o)]);
    await api.post(threadId, [ev.userInputRequested("q1", "t1", o)]);
    await runAlarm(threadId);

    const deliveries = await deliveriesFor(threadId);
    expect(deliveries.map((delivery) => delivery.status)).toEqual([204]);
    expect(deliveries[0]?.verified).toBe(true);
    expect(JSON.parse(deliveries[0]?.body ?? "null")).toMatchObject({
      type: "session.attention",
      data: { tenant: "acme", threadId, activeTurnId: "t1", pendingRequests: { approvals: 1, userInputs: 0 } },
    });
    // Exactly the shape the OpenAPI document's webhooks section gives generated clients.
    const payload = JSON.parse(deliveries[0]?.body ?? "null");
    expect(SessionAttentionWebhookSchema.strict().safeParse(payload).error).toBeUndefined();
  });

  it("is sent again only after everything was resolved and something new is pending", async () => {
    const threadId = newThreadId();
    const o = { threadId };
    await api.post(threadId, [ev.sessionStarted(o), ev.turnStarted("t1", o), ev.requestOpened("r1", "t1", o)]);
    await api.post(threadId, [ev.requestResolved("r1", "t1", o)]);
    await api.post(threadId, [ev.requestOpened("r2", "t1", o)]);
    await runAlarm(threadId);
    const types = (await deliveriesFor(threadId)).map((delivery) => JSON.parse(delivery.body).type);
    expect(types).toEqual(["session.attention", "session.attention"]);
  });
});
