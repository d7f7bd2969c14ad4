/** `provider-sessions/client` against the real Worker: every method, the paging iterators, ProblemError, AbortSignal. */
import { describe, expect, expectTypeOf, it } from "vitest";
import { MAX_FORWARDER_BATCH_EVENTS } from "../../src/client/forwarder.ts";
import { ProblemError, type SessionView } from "../../src/client/index.ts";
import { parseRetryAfter } from "../../src/client/problem-error.ts";
import { retryDelay } from "../../src/client/retry.ts";
import { parseSse } from "../../src/client/sse.ts";
import { MAX_EVENTS_PER_BATCH } from "../../src/contracts/events.ts";
import { PROBLEM_TYPE_PREFIX } from "../../src/contracts/problem.ts";
import { newThreadId } from "../support/api.ts";
import { testClient } from "../support/client-fetch.ts";
import { ev, runtimeEvent } from "../support/events.ts";

const client = testClient();

const deltas = (threadId: string, count: number) =>
  Array.from({ length: count }, (_, index) => runtimeEvent("content.delta", { delta: `d${index}` }, { threadId }));

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable("the promise resolved"),
    (error: unknown) => error,
  );
}

describe("createClient", () => {
  it("ingests, reads the session, pages every event and deletes", async () => {
    const threadId = newThreadId();
    const reply = await client.ingest(threadId, [ev.sessionStarted({ threadId }), ev.turnStarted("t1", { threadId })]);
    expect(reply.results.map((result) => result.outcome)).toEqual(["applied", "applied"]);
    await client.ingest(threadId, deltas(threadId, 5));
    const view = await client.session(threadId);
    expectTypeOf(view).toEqualTypeOf<SessionView>();
    expect(view).toMatchObject({ status: "running", activeTurnId: "t1", lastSeq: 7 });

    const entries = await collect(client.events(threadId, { limit: 2 }));
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await collect(client.events(threadId, { after: 5, limit: 1 }))).map((e) => e.seq)).toEqual([6, 7]);

    await client.delete(threadId);
    const gone = await rejection(client.session(threadId));
    expect(gone).toBeInstanceOf(ProblemError);
    expect(gone).toMatchObject({
      status: 404,
      type: `${PROBLEM_TYPE_PREFIX}session-not-found`,
      title: "Session not found",
    });
  });

  it("throws a ProblemError carrying the problem's fields and pointers", async () => {
    const threadId = newThreadId();
    const error = await rejection(
      client.ingest(threadId, [ev.sessionStarted({ threadId }), ev.state("asleep", { threadId })]),
    );
    if (!(error instanceof ProblemError)) throw error;
    expect(error).toMatchObject({
      status: 422,
      type: `${PROBLEM_TYPE_PREFIX}validation-failed`,
      title: "Validation failed",
    });
    expect(error.detail).not.toBe("");
    expect(error.errors.map((fieldError) => fieldError.pointer)).toEqual(["/1/payload/state"]);
    expect(error.message).toContain("422");
  });

  it("lists the directory page by page, following nextCursor", async () => {
    const prefix = `list-${crypto.randomUUID()}-`;
    const threadIds = [0, 1, 2, 3, 4].map((index) => `${prefix}${index}`);
    const { version } = await client.listPage({ limit: 1 });
    const changes = client.directory({ after: version });
    for (const threadId of threadIds) await client.ingest(threadId, [ev.sessionStarted({ threadId })]);
    const seen = new Set<string>();
    for await (const message of changes) {
      if (message.type === "upsert" && message.session.threadId.startsWith(prefix)) seen.add(message.session.threadId);
      if (seen.size === threadIds.length) break;
    }
    const listed = (await collect(client.list({ limit: 2, status: ["ready", "idle"] })))
      .map((summary) => summary.threadId)
      .filter((threadId) => threadId.startsWith(prefix));
    expect([...listed].sort()).toEqual(threadIds);
    expect(await collect(client.list({ active: true, limit: 200 }))).not.toContainEqual(
      expect.objectContaining({ threadId: threadIds[0] }),
    );
  });

  it("lists stalled sessions, sessions with a running task and sessions held by a usage limit", async () => {
    const [stalled, tasked, limited] = [newThreadId(), newThreadId(), newThreadId()];
    const resetsAt = "2099-01-01T00:00:00.000Z";
    const { version } = await client.listPage({ limit: 1 });
    const changes = client.directory({ after: version });
    await client.ingest(stalled, [
      ev.sessionStarted({ threadId: stalled }),
      ev.turnStarted("t1", { threadId: stalled }),
      runtimeEvent("session.health", { state: "stalled", stalledForMs: 60_000 }, { threadId: stalled }),
    ]);
    await client.ingest(tasked, [
      ev.sessionStarted({ threadId: tasked }),
      runtimeEvent("task.started", { taskId: "task-1", description: "tests" }, { threadId: tasked }),
    ]);
    await client.ingest(limited, [
      ev.sessionStarted({ threadId: limited }),
      runtimeEvent(
        "runtime.error",
        { message: "limit", class: "usage_limit", detail: { resetsAt } },
        { threadId: limited },
      ),
    ]);
    const settled = new Set<string>();
    for await (const message of changes) {
      if (message.type !== "upsert") continue;
      const { session } = message;
      if (session.threadId === stalled && session.health?.state === "stalled") settled.add(stalled);
      if (session.threadId === tasked && session.tasks.running === 1) settled.add(tasked);
      if (session.threadId === limited && session.limitResetsAt !== null) settled.add(limited);
      if (settled.size === 3) break;
    }
    const mine = async (filters: Parameters<typeof client.list>[0]) =>
      (await collect(client.list({ limit: 200, ...filters })))
        .map((summary) => summary.threadId)
        .filter((threadId) => [stalled, tasked, limited].includes(threadId));
    expect(await mine({ health: "stalled" })).toEqual([stalled]);
    expect(await mine({ tasks: "running" })).toEqual([tasked]);
    expect(await mine({ limited: true })).toEqual([limited]);
    expect((await mine({ limited: false })).sort()).toEqual([stalled, tasked, limited].sort());

    const view = await client.session(stalled);
    expect(view.health).toMatchObject({ state: "stalled", source: "provider" });
    expect(view.attention).toEqual(["stall"]);
    expect((await client.session(tasked)).tasks).toMatchObject({ running: 1, backgrounded: 0 });
    expect((await client.session(limited)).limitResetsAt).toBe(resetsAt);
  });

  it("mints a read token that reads and cannot write", async () => {
    const threadId = newThreadId();
    await client.ingest(threadId, ev.sessionStarted({ threadId }));
    const minted = await client.readToken({ threadId, ttlSeconds: 60 });
    expect(minted.threadId).toBe(threadId);
    const reader = testClient(undefined, minted.token);
    expect((await reader.session(threadId)).lastSeq).toBe(1);
    expect(await rejection(reader.ingest(threadId, ev.sessionStarted({ threadId })))).toMatchObject({ status: 403 });
    expect(await rejection(reader.list().next())).toMatchObject({ status: 403 });
  });

  it("stops at an AbortSignal in requests and between pages", async () => {
    const threadId = newThreadId();
    await client.ingest(threadId, deltas(threadId, 4));
    const aborted = AbortSignal.abort(new Error("stop"));
    expect(await rejection(client.session(threadId, { signal: aborted }))).toMatchObject({ message: "stop" });

    const controller = new AbortController();
    const seqs: number[] = [];
    const reading = (async () => {
      for await (const entry of client.events(threadId, { limit: 1, signal: controller.signal })) {
        seqs.push(entry.seq);
        if (entry.seq === 2) controller.abort(new Error("enough"));
      }
    })();
    expect(await rejection(reading)).toMatchObject({ message: "enough" });
    expect(seqs).toEqual([1, 2]);
  });
});

describe("the client's pure parts", () => {
  it("parses SSE split anywhere, skipping comments and a cut-off event", async () => {
    const text =
      ': keep-alive\r\nevent: entry\r\nid: e:1\r\ndata: {"seq":1}\r\n\r\nevent: session\ndata: {}\n\nevent: entry\ndata: {';
    const bytes = new TextEncoder().encode(text);
    for (const size of [1, 2, 7, bytes.length]) {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += size) controller.enqueue(bytes.subarray(at, at + size));
          controller.close();
        },
      });
      expect(await collect(parseSse(body))).toEqual([
        { event: "entry", id: "e:1", data: '{"seq":1}' },
        { event: "session", id: null, data: "{}" },
      ]);
    }
  });

  it("backs off exponentially with jitter, capped, and honours Retry-After", () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4, 40].map((attempt) => retryDelay(attempt, null, policy, 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(retryDelay(3, null, policy, 0.5)).toBe(400);
    expect(retryDelay(3, 7000, policy, 0.5)).toBe(7000);
    const now = Date.parse("2026-11-28T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Sat, 28 Nov 2026 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it("keeps the forwarder's batch limit equal to the service's", () => {
    expect(MAX_FORWARDER_BATCH_EVENTS).toBe(MAX_EVENTS_PER_BATCH);
  });
});
