import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import type { EventPage, IngestReply, SessionView } from "../../src/contracts/replies.ts";
import { api, json, newThreadId } from "../support/api.ts";
import { type EventOptions, ev } from "../support/events.ts";

type Build = (o: EventOptions) => RuntimeEvent;

async function givenWhen(history: Build[], next: Build) {
  const threadId = newThreadId();
  const o = { threadId };
  if (history.length > 0)
    expect(
      (
        await api.post(
          threadId,
          history.map((build) => build(o)),
        )
      ).status,
    ).toBe(200);
  const response = await api.post(threadId, next(o));
  expect(response.status).toBe(200);
  const reply = await json<IngestReply>(response);
  return { threadId, session: reply.session, result: reply.results[0] };
}

const started: Build = (o) => ev.sessionStarted(o);
const turn =
  (id: string): Build =>
  (o) =>
    ev.turnStarted(id, o);

describe("POST /v1/sessions/{threadId}/events applies the projection rules", () => {
  it.each([
    ["ready", "ready"],
    ["stopped", "stopped"],
    ["error", "error"],
  ])("clears the active turn when the session becomes %s", async (state, status) => {
    const { session, result } = await givenWhen([started, turn("t1")], (o) => ev.state(state, o));
    expect(result?.outcome).toBe("applied");
    expect(session).toMatchObject({ status, activeTurnId: null });
  });

  it.each([
    ["waiting", "running"],
    ["running", "running"],
    ["starting", "starting"],
  ])("keeps the active turn when the session reports %s", async (state, status) => {
    const { session } = await givenWhen([started, turn("t1")], (o) => ev.state(state, o));
    expect(session).toMatchObject({ status, activeTurnId: "t1" });
  });

  it("interrupts the session when the active turn is aborted", async () => {
    const { session } = await givenWhen([started, turn("t1")], (o) => ev.turnAborted("t1", o));
    expect(session).toMatchObject({ status: "interrupted", activeTurnId: null });
  });

  it("errors the session and clears the turn on a runtime error of the active turn", async () => {
    const { session } = await givenWhen([started, turn("t1")], (o) => ev.runtimeError("model overloaded", "t1", o));
    expect(session).toMatchObject({ status: "error", activeTurnId: null, lastError: "model overloaded" });
  });

  it("errors the session and clears the turn on an unscoped runtime error", async () => {
    const { session } = await givenWhen([started, turn("t1")], (o) =>
      ev.runtimeError("transport closed", undefined, o),
    );
    expect(session).toMatchObject({ status: "error", activeTurnId: null, lastError: "transport closed" });
  });

  it("closes the active turn on its completion", async () => {
    const { session } = await givenWhen([started, turn("t1")], (o) => ev.turnCompleted("t1", "completed", o));
    expect(session).toMatchObject({ status: "ready", activeTurnId: null });
  });

  it("ignores a completion of another turn", async () => {
    const { session, result } = await givenWhen([started, turn("t2")], (o) => ev.turnCompleted("t1", "completed", o));
    expect(result).toMatchObject({ outcome: "ignored", reason: "not-the-active-turn" });
    expect(session).toMatchObject({ status: "running", activeTurnId: "t2" });
  });

  it("ignores a turn-less completion while a turn is active", async () => {
    const { session, result } = await givenWhen([started, turn("t1")], (o) =>
      ev.turnCompleted(undefined, "completed", o),
    );
    expect(result).toMatchObject({ outcome: "ignored", reason: "turnless-completion" });
    expect(session).toMatchObject({ status: "running", activeTurnId: "t1" });
  });

  it("ignores a turn.started while a different turn is active", async () => {
    const { session, result } = await givenWhen([started, turn("t1")], (o) => ev.turnStarted("t2", o));
    expect(result).toMatchObject({ outcome: "ignored", reason: "another-turn-active" });
    expect(session.activeTurnId).toBe("t1");
  });

  it("ignores a stale retry by sessionSequence, so a late ready cannot clear a newer turn", async () => {
    const { session, result } = await givenWhen(
      [
        (o) => ev.sessionStarted({ ...o, sessionSequence: 1 }),
        (o) => ev.turnStarted("t2", { ...o, sessionSequence: 7 }),
      ],
      (o) => ev.state("ready", { ...o, sessionSequence: 4 }),
    );
    expect(result).toMatchObject({ outcome: "ignored", reason: "stale-sequence" });
    expect(session).toMatchObject({ status: "running", activeTurnId: "t2" });
  });

  it("records unknown event types without rejecting them", async () => {
    const { session, result } = await givenWhen([started], (o) => ({ ...ev.health(o), type: "vendor.custom.thing" }));
    expect(result?.outcome).toBe("recorded");
    expect(session.status).toBe("ready");
  });

  it("takes providerUpdatedAt from the event and providerName from its provider", async () => {
    const { session } = await givenWhen([], (o) =>
      ev.sessionStarted({ ...o, provider: "opencode", createdAt: "2026-11-24T08:00:00.000Z" }),
    );
    expect(session).toMatchObject({ providerName: "opencode", providerUpdatedAt: "2026-11-24T08:00:00.000Z" });
  });
});

describe("storage", () => {
  it("stores a replayed event once and answers duplicate with the original seq", async () => {
    const threadId = newThreadId();
    const first = ev.sessionStarted({ threadId });
    await api.post(threadId, [first, ev.turnStarted("t1", { threadId })]);
    const replay = await json<IngestReply>(await api.post(threadId, [first, ev.contentDelta("t1", { threadId })]));
    expect(replay.results.map((r) => [r.seq, r.outcome])).toEqual([
      [1, "duplicate"],
      [3, "recorded"],
    ]);
    expect(replay.session).toMatchObject({ status: "running", activeTurnId: "t1", eventCount: 3, lastSeq: 3 });
  });

  it("deduplicates an event repeated inside one batch", async () => {
    const threadId = newThreadId();
    const event = ev.sessionStarted({ threadId });
    const reply = await json<IngestReply>(await api.post(threadId, [event, event]));
    expect(reply.results.map((r) => r.outcome)).toEqual(["applied", "duplicate"]);
    expect(reply.session.eventCount).toBe(1);
  });

  it("stores nothing from a batch with one invalid event", async () => {
    const threadId = newThreadId();
    await api.post(threadId, ev.sessionStarted({ threadId }));
    const bad = { ...ev.state("ready", { threadId }), payload: { state: "sleeping" } };
    const response = await api.post(threadId, [ev.turnStarted("t1", { threadId }), bad]);
    expect(response.status).toBe(422);
    const session = await json<SessionView>(await api.get(threadId));
    expect(session).toMatchObject({ status: "ready", eventCount: 1, activeTurnId: null });
  });

  it("keeps per-session seq gap-free across batches and lists the log in seq order", async () => {
    const threadId = newThreadId();
    const batch = (n: number) => Array.from({ length: n }, () => ev.contentDelta("t", { threadId }));
    await api.post(threadId, batch(3));
    await api.post(threadId, batch(4));
    const first = await json<EventPage>(await api.events(threadId, "?limit=5"));
    expect(first.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(first.nextAfter).toBe(5);
    const rest = await json<EventPage>(await api.events(threadId, `?after=${first.nextAfter}&limit=5`));
    expect(rest.events.map((e) => e.seq)).toEqual([6, 7]);
    expect(rest.nextAfter).toBeNull();
    expect(rest.events[0]).toMatchObject({ origin: "provider", outcome: "recorded", event: { type: "content.delta" } });
  });

  it("keeps unknown fields of an event as sent", async () => {
    const threadId = newThreadId();
    const event = { ...ev.contentDelta("t", { threadId }), vendorExtra: { nested: [1, 2, 3] } };
    await api.post(threadId, event);
    const page = await json<EventPage>(await api.events(threadId));
    expect(page.events[0]?.event).toEqual(event);
  });

  it("accepts a batch of 500 events", async () => {
    const threadId = newThreadId();
    const events = Array.from({ length: 500 }, () => ev.contentDelta("t", { threadId }));
    const reply = await json<IngestReply>(await api.post(threadId, events));
    expect(reply.session.lastSeq).toBe(500);
  });
});

describe("reads", () => {
  it("pages a log of ~1 MiB events by bytes, so no page outgrows the object's 32 MiB reply (it answered 500)", async () => {
    const threadId = newThreadId();
    const delta = "x".repeat(1024 * 1024 - 1024);
    for (let n = 0; n < 40; n += 1) {
      const event = { ...ev.contentDelta("t", { threadId }), payload: { delta } };
      expect((await api.post(threadId, event)).status).toBe(200);
    }
    const pages: number[][] = [];
    for (let after: number | null = 0; after !== null; ) {
      const response = await api.events(threadId, `?after=${after}`);
      expect(response.status).toBe(200);
      const page: EventPage = await json<EventPage>(response);
      pages.push(page.events.map((entry) => entry.seq));
      after = page.nextAfter;
    }
    expect(pages[0]?.length).toBeGreaterThanOrEqual(1);
    expect(pages[0]?.length).toBeLessThan(40);
    expect(pages.every((seqs) => seqs.length >= 1)).toBe(true);
    expect(pages.flat()).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
  }, 60_000);

  it("answers 404 for a session that has no events", async () => {
    const response = await api.get(newThreadId());
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect((await api.events(newThreadId())).status).toBe(404);
  });

  it("serves /healthz and the OpenAPI document without auth", async () => {
    const { request } = await import("../support/api.ts");
    expect((await request("GET", "/healthz", undefined, { token: null })).status).toBe(200);
    const doc = await json<{
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
      webhooks: Record<string, unknown>;
    }>(await request("GET", "/openapi.json", undefined, { token: null }));
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/sessions/{threadId}/events",
        "/v1/sessions/{threadId}",
        "/v1/sessions/{threadId}/turns",
        "/v1/usage",
      ]),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["StreamMessage", "DirectoryMessage"]));
    expect(Object.keys(doc.webhooks).sort()).toEqual([
      "session.attention",
      "session.limit-reset",
      "session.reaped",
      "turn.expired",
      "usage.threshold",
    ]);
  });
});

describe("an eventId reused with different content", () => {
  it("is refused 409 event-id-conflict with a pointer to each conflicting event, storing nothing of the request", async () => {
    const threadId = newThreadId();
    const original = ev.turnStarted("t1", { threadId });
    expect((await api.post(threadId, [ev.sessionStarted({ threadId }), original])).status).toBe(200);

    const fresh = ev.health({ threadId });
    const changed = { ...original, turnId: "t2" };
    const response = await api.post(threadId, [fresh, changed]);
    expect(response.status).toBe(409);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = await json<{ type: string; errors: Array<{ pointer: string; detail: string }> }>(response);
    expect(problem.type).toBe("urn:provider-sessions:problem:event-id-conflict");
    expect(problem.errors).toEqual([{ pointer: "/1", detail: expect.stringContaining("seq 2") }]);

    const session = await json<SessionView>(await api.get(threadId));
    expect(session).toMatchObject({ lastSeq: 2, activeTurnId: "t1" });
  });

  it("stays a duplicate when only the key order differs", async () => {
    const threadId = newThreadId();
    const original = ev.turnStarted("t1", { threadId });
    await api.post(threadId, original);
    const reordered = Object.fromEntries(Object.entries(original).reverse());
    const reply = await json<IngestReply>(await api.post(threadId, reordered));
    expect(reply.results).toEqual([{ eventId: original.eventId, seq: 1, outcome: "duplicate" }]);
  });

  it("points at the body itself when a single event conflicts", async () => {
    const threadId = newThreadId();
    const original = ev.health({ threadId });
    await api.post(threadId, original);
    const response = await api.post(threadId, { ...original, payload: { state: "other" } });
    expect(response.status).toBe(409);
    expect((await json<{ errors: Array<{ pointer: string }> }>(response)).errors).toEqual([
      { pointer: "", detail: expect.any(String) },
    ]);
  });
});
