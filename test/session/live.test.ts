/** The live stream of one session: snapshot, backlog, synchronized, then every commit, in order, over WebSocket and SSE. */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import type { IngestReply, SessionView } from "../../src/contracts/replies.ts";
import type { StreamMessage } from "../../src/contracts/stream.ts";
import { MAX_SUBSCRIBERS } from "../../src/live/caps.ts";
import { SSE_HEARTBEAT_MS } from "../../src/live/event-stream.ts";
import { SSE_MAX_DURATION_MS } from "../../src/live/hub.ts";
import { api, json, newThreadId, request, sessionPath } from "../support/api.ts";
import { ev } from "../support/events.ts";
import { entrySeqs, isEntry, isType, openLive, openStream } from "../support/live.ts";
import { expectProblem } from "../support/problems.ts";
import { sessionStub } from "../support/session-object.ts";
import { GLOBEX_TOKEN } from "../support/test-config.ts";

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

async function post(threadId: string, events: RuntimeEvent[]) {
  const response = await api.post(threadId, events);
  expect(response.status).toBe(200);
}

/** 20 events in 4 batches of 5. */
async function twentyEvents(threadId: string) {
  const o = { threadId };
  await post(threadId, [
    ev.sessionStarted(o),
    ev.turnStarted("t1", o),
    ...range(1, 3).map(() => ev.contentDelta("t1", o)),
  ]);
  for (let batch = 0; batch < 3; batch += 1)
    await post(
      threadId,
      range(1, 5).map(() => ev.contentDelta("t1", o)),
    );
}

describe("subscribing over a WebSocket", () => {
  it("sends a null snapshot for a session that does not exist yet, then each commit as it happens", async () => {
    const threadId = newThreadId();
    const live = await openLive(threadId);
    await live.until(isType("synchronized"));
    expect(live.messages).toEqual([
      { type: "snapshot", epoch: null, session: null },
      { type: "synchronized", lastSeq: 0 },
    ]);

    await post(threadId, [ev.sessionStarted({ threadId }), ev.turnStarted("t1", { threadId })]);
    await live.until(isType("session"));
    const [, , first, second, session] = live.messages as [StreamMessage, StreamMessage, ...StreamMessage[]];
    expect(first).toMatchObject({ type: "entry", seq: 1, outcome: "applied", event: { type: "session.started" } });
    expect(second).toMatchObject({ type: "entry", seq: 2, event: { type: "turn.started", turnId: "t1" } });
    expect(session).toMatchObject({ type: "session", session: { status: "running", activeTurnId: "t1", lastSeq: 2 } });
    live.close();
  });

  it("replays seqs 1..20 in order after=0, and 11..20 after=10, each followed by synchronized", async () => {
    const threadId = newThreadId();
    await twentyEvents(threadId);
    const fromStart = await openLive(threadId, "0");
    await fromStart.until(isType("synchronized"));
    expect(entrySeqs(fromStart.messages)).toEqual(range(1, 20));
    expect(fromStart.messages.at(-1)).toEqual({ type: "synchronized", lastSeq: 20 });

    const { epoch } = fromStart.messages[0] as { epoch: string };
    const resumed = await openLive(threadId, `${epoch}:10`);
    await resumed.until(isType("synchronized"));
    expect(entrySeqs(resumed.messages)).toEqual(range(11, 20));
    expect(resumed.messages[0]).toMatchObject({ type: "snapshot", session: { lastSeq: 20 } });
    fromStart.close();
    resumed.close();
  });

  it("reads the current life from its start with no after, as with after=0", async () => {
    const threadId = newThreadId();
    await twentyEvents(threadId);
    const live = await openLive(threadId);
    await live.until(isType("synchronized"));
    expect(live.messages.map((message) => message.type).slice(0, 2)).toEqual(["snapshot", "entry"]);
    expect(entrySeqs(live.messages)).toEqual(range(1, 20));
    live.close();
  });

  it("answers a bare seq above 0 with reset and the new life's seq 1 after a delete and a new session", async () => {
    const threadId = newThreadId();
    await twentyEvents(threadId);
    expect((await api.delete(threadId)).status).toBe(204);
    await post(threadId, [ev.sessionStarted({ threadId })]);
    for (const subscribe of [() => openLive(threadId, "1"), () => openStream(threadId, "?after=1")]) {
      const live = await subscribe();
      await live.until(isType("synchronized"));
      expect(live.messages.map((message) => message.type)).toEqual(["snapshot", "reset", "entry", "synchronized"]);
      expect(entrySeqs(live.messages)).toEqual([1]);
      live.close();
    }
  });

  it("shapes each entry exactly like an element of GET …/events", async () => {
    const threadId = newThreadId();
    await twentyEvents(threadId);
    const live = await openLive(threadId, "0");
    await live.until(isType("synchronized"));
    const page = await json<{ events: unknown[] }>(await api.events(threadId, "?limit=20"));
    const entries = live.messages.filter(isType("entry")).map(({ type: _, ...entry }) => entry);
    expect(entries).toEqual(page.events);
    live.close();
  });

  it("resets and replays from seq 1 for a resume point of another epoch, or past the last seq", async () => {
    const threadId = newThreadId();
    await twentyEvents(threadId);
    for (const after of ["25", "zzz:5"]) {
      const live = await openLive(threadId, after);
      await live.until(isType("synchronized"));
      expect(live.messages.map((message) => message.type).slice(0, 2)).toEqual(["snapshot", "reset"]);
      expect(entrySeqs(live.messages)).toEqual(range(1, 20));
      live.close();
    }
  });

  it("tells a new life of the same threadId apart by its epoch", async () => {
    const threadId = newThreadId();
    await twentyEvents(threadId);
    const before = await openLive(threadId);
    const { epoch } = (await before.until(isType("snapshot"))) as { epoch: string };
    expect(epoch).toMatch(/^[0-9a-z]+$/);
    expect((await api.delete(threadId)).status).toBe(204);
    await post(threadId, [ev.sessionStarted({ threadId })]);

    const after = await openLive(threadId, `${epoch}:1`);
    await after.until(isType("synchronized"));
    expect(after.messages[0]).toMatchObject({ type: "snapshot", session: { lastSeq: 1 } });
    expect((after.messages[0] as { epoch: string }).epoch).not.toBe(epoch);
    expect(after.messages[1]).toEqual({ type: "reset" });
    expect(entrySeqs(after.messages)).toEqual([1]);
    after.close();
  });

  it("sends purged and closes normally when the session is deleted", async () => {
    const threadId = newThreadId();
    await post(threadId, [ev.sessionStarted({ threadId })]);
    const live = await openLive(threadId);
    await live.until(isType("synchronized"));
    expect((await api.delete(threadId)).status).toBe(204);
    expect(await live.closed).toMatchObject({ code: 1000 });
    expect(live.messages.at(-1)).toEqual({ type: "purged" });
  });

  it("still delivers the next commit after the object is evicted with the socket open", async () => {
    const threadId = newThreadId();
    await post(threadId, [ev.sessionStarted({ threadId })]);
    const live = await openLive(threadId, "0");
    await live.until(isType("synchronized"));
    await evictDurableObject(sessionStub(threadId));
    await post(threadId, [ev.turnStarted("t9", { threadId })]);
    await live.until(isEntry(2));
    expect(entrySeqs(live.messages)).toEqual([1, 2]);
    live.close();
  });

  it("sends behind and closes when the backlog is past its bound, so the client pages the events route", async () => {
    const threadId = newThreadId();
    const o = { threadId };
    for (let batch = 0; batch < 3; batch += 1)
      await post(
        threadId,
        range(1, 400).map(() => ev.health(o)),
      );
    const live = await openLive(threadId, "0");
    expect(await live.closed).toMatchObject({ code: 1000 });
    expect(live.messages.map((message) => message.type)).toEqual(["snapshot", "behind"]);
    expect(live.messages[1]).toEqual({ type: "behind", lastSeq: 1200 });
  });

  it("refuses a plain GET with 426 and a malformed resume point with 422", async () => {
    const threadId = newThreadId();
    const plain = await request("GET", `${sessionPath(threadId)}/live`);
    expect(plain.status).toBe(426);
    expect(plain.headers.get("content-type")).toBe("application/problem+json");
    const bad = await request("GET", `${sessionPath(threadId)}/live?after=-1`, undefined, {
      headers: { upgrade: "websocket" },
    });
    expect(bad.status).toBe(422);
  });

  it("shows another tenant nothing of the session", async () => {
    const threadId = newThreadId();
    await post(threadId, [ev.sessionStarted({ threadId })]);
    const foreign = await openLive(threadId, "0", { token: GLOBEX_TOKEN });
    await foreign.until(isType("synchronized"));
    expect(foreign.messages).toEqual([
      { type: "snapshot", epoch: null, session: null },
      { type: "synchronized", lastSeq: 0 },
    ]);
    foreign.close();
  });
});

describe("no gap and no duplicate", () => {
  it("gives every subscriber each seq after its resume point exactly once, in order, whatever the interleaving", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(0)), { minLength: 1, maxLength: 12 }),
        async (steps) => {
          const threadId = newThreadId();
          const subscribers: Array<{ from: number; live: Awaited<ReturnType<typeof openLive>> }> = [];
          let lastSeq = 0;
          let epoch: string | null = null;
          const point = (seq: number) => (seq === 0 || epoch === null ? "0" : `${epoch}:${seq}`);
          for (const step of steps) {
            if (step === 0) {
              const from = lastSeq === 0 ? 0 : lastSeq - (subscribers.length % (lastSeq + 1));
              subscribers.push({ from, live: await openLive(threadId, point(from)) });
              continue;
            }
            // Not awaited together with the connects above: ingests race with subscribers attaching.
            const events = range(1, step).map(() => ev.health({ threadId }));
            const [response] = await Promise.all([
              api.post(threadId, events),
              subscribers.length % 2 === 0
                ? openLive(threadId, point(lastSeq)).then((live) => subscribers.push({ from: lastSeq, live }))
                : Promise.resolve(),
            ]);
            expect(response.status).toBe(200);
            epoch ??= (await json<IngestReply>(response)).session.epoch;
            lastSeq += step;
          }
          for (const { from, live } of subscribers) {
            await live.until(from < lastSeq ? isEntry(lastSeq) : isType("synchronized"));
            expect(entrySeqs(live.messages)).toEqual(range(from + 1, lastSeq));
            live.close();
          }
        },
      ),
      { numRuns: Math.max(5, Math.round((fc.readConfigureGlobal().numRuns ?? 100) / 20)) },
    );
  });
});

describe("subscribing as Server-Sent Events", () => {
  it("names each event by its type, ids entries <epoch>:<seq>, and resumes from Last-Event-ID", async () => {
    const threadId = newThreadId();
    await twentyEvents(threadId);
    const { epoch: life } = await json<SessionView>(await api.get(threadId));
    const stream = await openStream(threadId, `?after=${life}:18`);
    await stream.until(isType("synchronized"));
    expect(stream.events.map((event) => event.event)).toEqual(["snapshot", "entry", "entry", "synchronized"]);
    const { epoch } = (await stream.until(isType("snapshot"))) as { epoch: string };
    expect(stream.events.slice(1, 3).map((event) => event.id)).toEqual([`${epoch}:19`, `${epoch}:20`]);
    expect(stream.response.headers.get("cache-control")).toBe("no-store");

    await post(threadId, [ev.turnCompleted("t1", "completed", { threadId })]);
    await stream.until(isType("session"));
    expect(stream.events.slice(4).map((event) => [event.event, event.id])).toEqual([
      ["entry", `${epoch}:21`],
      ["session", null],
    ]);
    stream.close();

    const resumed = await openStream(threadId, "", { "last-event-id": `${epoch}:20` });
    await resumed.until(isType("synchronized"));
    expect(entrySeqs(resumed.messages)).toEqual([21]);
    resumed.close();

    // An EventSource reconnects with the URL it was opened with: its Last-Event-ID is the newer point.
    const reconnected = await openStream(threadId, `?after=${epoch}:18`, { "last-event-id": `${epoch}:20` });
    await reconnected.until(isType("synchronized"));
    expect(entrySeqs(reconnected.messages)).toEqual([21]);
    reconnected.close();
  });

  it("sends a comment heartbeat every 15 s and ends the response after 5 minutes", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "setTimeout", "clearInterval", "clearTimeout"] });
    try {
      const threadId = newThreadId();
      const stream = await openStream(threadId);
      await stream.until(isType("synchronized"));
      // The timers' callbacks write to the object's stream, so time advances inside the object.
      const advance = (ms: number) => runInDurableObject(sessionStub(threadId), () => vi.advanceTimersByTimeAsync(ms));
      await advance(SSE_HEARTBEAT_MS * 2);
      await stream.untilComments(2);
      expect(stream.comments).toEqual(["keep-alive", "keep-alive"]);
      await advance(SSE_MAX_DURATION_MS);
      await stream.closed;
      // One every 15 s until the end (the last one may race the end at 5:00).
      expect(stream.comments.length).toBeGreaterThanOrEqual(SSE_MAX_DURATION_MS / SSE_HEARTBEAT_MS - 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("sends an event sent pretty-printed whole, its lines each in a data: field", async () => {
    const threadId = newThreadId();
    const text = JSON.stringify(ev.sessionStarted({ threadId }), null, 2);
    expect((await request("POST", `${sessionPath(threadId)}/events`, text)).status).toBe(200);
    const stream = await openStream(threadId);
    const entry = await stream.until(isEntry(1));
    expect(entry).toMatchObject({ type: "entry", event: JSON.parse(text) });
    expect(stream.events.find((e) => e.event === "entry")?.raw).toContain(text);
    stream.close();
  });

  it("ends the stream after purged when the session is deleted", async () => {
    const threadId = newThreadId();
    await post(threadId, [ev.sessionStarted({ threadId })]);
    const stream = await openStream(threadId);
    await stream.until(isType("synchronized"));
    await api.delete(threadId);
    await stream.closed;
    expect(stream.messages.at(-1)).toEqual({ type: "purged" });
  });
});

describe("the subscriber cap", () => {
  it("answers 429 past the cap of subscribers on one session", async () => {
    const threadId = newThreadId();
    const open = await Promise.all(range(1, MAX_SUBSCRIBERS).map(() => openLive(threadId)));
    const refused = await request("GET", `${sessionPath(threadId)}/live`, undefined, {
      headers: { upgrade: "websocket" },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    for (const live of open) live.close();
  });

  it("lets one read token hold at most 16 subscriptions on a session (429, Retry-After: 5), and others still in", async () => {
    const threadId = newThreadId();
    await post(threadId, [ev.sessionStarted({ threadId })]);
    const mint = async () =>
      (await json<{ token: string }>(await request("POST", "/v1/read-tokens", { threadId }))).token;
    const token = await mint();
    const sockets = await Promise.all(range(1, 12).map(() => openLive(threadId, undefined, { token })));
    const streams = await Promise.all(range(1, 4).map(() => openStream(threadId, "", {}, token)));
    const refused = await request("GET", `${sessionPath(threadId)}/live`, undefined, {
      token,
      headers: { upgrade: "websocket" },
    });
    await expectProblem(refused.clone(), 429, "too-many-subscribers");
    expect(refused.headers.get("retry-after")).toBe("5");
    const another = await openLive(threadId, undefined, { token: await mint() });
    const withApiToken = await openLive(threadId);
    sockets[0]?.close();
    await sockets[0]?.closed;
    const again = await openLive(threadId, undefined, { token });
    await again.until(isType("synchronized"));
    for (const subscriber of [...sockets, ...streams, another, withApiToken, again]) subscriber.close();
  });

  it("takes no place for a HEAD of the event stream: it answers the stream's headers and opens nothing", async () => {
    const threadId = newThreadId();
    await post(threadId, [ev.sessionStarted({ threadId })]);
    for (const _ of range(1, MAX_SUBSCRIBERS + 1)) {
      const head = await request("HEAD", `${sessionPath(threadId)}/stream`);
      expect(head.status).toBe(200);
      expect(head.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    }
    const stream = await openStream(threadId);
    await stream.until(isType("synchronized"));
    stream.close();
  });

  it("frees the place of an event-stream reader that goes away", async () => {
    const threadId = newThreadId();
    await post(threadId, [ev.sessionStarted({ threadId })]);
    for (const _ of range(1, MAX_SUBSCRIBERS + 1)) {
      const stream = await openStream(threadId);
      await stream.until(isType("synchronized"));
      stream.close();
    }
    const last = await openStream(threadId);
    await last.until(isType("synchronized"));
    last.close();
  });
});
