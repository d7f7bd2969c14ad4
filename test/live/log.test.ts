/**
 * The Durable Streams read of a session's log (`GET /v1/sessions/{threadId}/log`), spoken to raw and through
 * @durable-streams/client: catch-up, long-poll and SSE, resumed from the offsets it gives, with no gap or repeat.
 */
import { runInDurableObject } from "cloudflare:test";
import { stream } from "@durable-streams/client";
import { describe, expect, it, vi } from "vitest";
import type { LogEntryView } from "../../src/contracts/replies.ts";
import { MAX_SUBSCRIBERS_PER_READ_TOKEN } from "../../src/live/caps.ts";
import { LOG_SSE_MAX_DURATION_MS, LONG_POLL_TIMEOUT_MS } from "../../src/live/log-tail.ts";
import { api, newThreadId, request, sessionPath } from "../support/api.ts";
import { runtimeEvent } from "../support/events.ts";
import { expectProblem } from "../support/problems.ts";
import { sessionStub } from "../support/session-object.ts";
import { ACME_TOKEN } from "../support/test-config.ts";

const ORIGIN = "https://sessions.test";
const note = (threadId: string, n: number) => runtimeEvent("item.note", { n }, { threadId, eventId: `note-${n}` });

async function append(threadId: string, from: number, count: number): Promise<void> {
  const events = Array.from({ length: count }, (_, i) => note(threadId, from + i));
  const response = await api.post(threadId, events);
  expect(response.status).toBe(200);
}

const logUrl = (threadId: string, query = "") => `${sessionPath(threadId)}/log${query}`;
const readLog = (threadId: string, query = "", headers: Record<string, string> = {}) =>
  request("GET", logUrl(threadId, query), undefined, { headers });
/** The `n` of each note among the items (other entries, none here, would be skipped). */
const notes = (items: readonly LogEntryView[]) => items.map((item) => (item.event.payload as { n: number }).n);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** @durable-streams/client reaching the Worker through its entry, with the API token. */
const clientOptions = (threadId: string) => ({
  url: `${ORIGIN}${logUrl(threadId)}`,
  headers: { authorization: `Bearer ${ACME_TOKEN}` },
  fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
    request(init?.method ?? "GET", new URL(String(input)).pathname + new URL(String(input)).search, undefined, {
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
    })) as typeof fetch,
});

describe("a catch-up read", () => {
  it("answers the whole log as a JSON array with the tail's offset, and resumes from it with nothing again", async () => {
    const threadId = newThreadId();
    await append(threadId, 1, 3);
    const first = await readLog(threadId, "?offset=-1");
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/json");
    expect(first.headers.get("stream-up-to-date")).toBe("true");
    expect(first.headers.get("cache-control")).toContain("private");
    const offset = first.headers.get("stream-next-offset") ?? "";
    expect(notes(await first.json())).toEqual([1, 2, 3]);

    await append(threadId, 4, 2);
    const next = await readLog(threadId, `?offset=${offset}`);
    expect(notes(await next.json())).toEqual([4, 5]);
    const later = next.headers.get("stream-next-offset") ?? "";
    // Offsets of one life sort in log order.
    expect(later > offset).toBe(true);
    const atTail = await readLog(threadId, `?offset=${later}`);
    expect(await atTail.json()).toEqual([]);
    expect(atTail.headers.get("stream-next-offset")).toBe(later);
  });

  it("reads the same from no offset as from -1, and `now` gives the tail with no items", async () => {
    const threadId = newThreadId();
    await append(threadId, 1, 2);
    const none = await readLog(threadId);
    const start = await readLog(threadId, "?offset=-1");
    expect(await none.text()).toBe(await start.text());
    const now = await readLog(threadId, "?offset=now");
    expect(await now.json()).toEqual([]);
    expect(now.headers.get("stream-next-offset")).toBe(start.headers.get("stream-next-offset"));
    expect(now.headers.get("cache-control")).toBe("no-store");
  });

  it("pages a long log: a page without Stream-Up-To-Date, then the rest from its offset", async () => {
    const threadId = newThreadId();
    for (let from = 1; from <= 1200; from += 400) await append(threadId, from, 400);
    const page = await readLog(threadId, "?offset=-1");
    expect(page.headers.get("stream-up-to-date")).toBeNull();
    const firstItems = notes(await page.json());
    expect(firstItems).toEqual(range(1, 1000));
    const rest = await readLog(threadId, `?offset=${page.headers.get("stream-next-offset")}`);
    expect(notes(await rest.json())).toEqual(range(1001, 1200));
    expect(rest.headers.get("stream-up-to-date")).toBe("true");
    // A chunk from -1 may start elsewhere later (a new life): revalidated. One from an offset, before the tail,
    // never changes: cached a minute. One at the tail may grow: revalidated. Each varies with the token.
    expect(page.headers.get("cache-control")).toBe("private, no-cache");
    expect(rest.headers.get("cache-control")).toBe("private, no-cache");
    const tenth = (rest.headers.get("stream-next-offset") ?? "").replace(/_\d+$/, `_${"100".padStart(16, "0")}`);
    const middle = await readLog(threadId, `?offset=${tenth}`);
    expect(notes(await middle.json())).toEqual(range(101, 1100));
    expect(middle.headers.get("cache-control")).toBe("private, max-age=60, stale-while-revalidate=300");
    expect(middle.headers.get("vary")?.toLowerCase()).toContain("authorization");
  });

  it("answers 304 to If-None-Match with the chunk's ETag, and new data with a new ETag", async () => {
    const threadId = newThreadId();
    await append(threadId, 1, 1);
    const first = await readLog(threadId, "?offset=-1");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^".+"$/);
    const again = await readLog(threadId, "?offset=-1", { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    await append(threadId, 2, 1);
    const changed = await readLog(threadId, "?offset=-1", { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
  });

  it("keeps events exactly as sent: a pretty-printed event reads back as its own text", async () => {
    const threadId = newThreadId();
    const text = `{\n  "eventId": "pretty-1",\n  "type": "item.note",\n  "provider": "codex",\n  "threadId": ${JSON.stringify(threadId)},\n  "createdAt": "2026-11-25T10:00:00.000Z",\n  "payload": { "big": 9007199254740993 }\n}`;
    expect((await request("POST", `${sessionPath(threadId)}/events`, text)).status).toBe(200);
    const body = await (await readLog(threadId, "?offset=-1")).text();
    expect(body).toContain(text);
  });
});

describe("offsets a log refuses", () => {
  it("answers 400 to a malformed, empty, repeated or future offset, and to a live read without one", async () => {
    const threadId = newThreadId();
    await append(threadId, 1, 1);
    const tail = (await readLog(threadId, "?offset=now")).headers.get("stream-next-offset") ?? "";
    const future = tail.replace(/_(\d+)$/, (_, seq: string) => `_${String(Number(seq) + 5).padStart(16, "0")}`);
    for (const query of [
      "?offset=abc",
      "?offset=",
      "?offset=-1&offset=now",
      `?offset=${future}`,
      "?live=long-poll",
      "?offset=-1&live=yes",
    ]) {
      const response = await readLog(threadId, query);
      await expectProblem(response, 400, "malformed-offset");
    }
  });

  it("answers 404 for no session, and 410 for an offset of the session's earlier life", async () => {
    const threadId = newThreadId();
    await expectProblem(await readLog(threadId, "?offset=-1"), 404, "session-not-found");
    await append(threadId, 1, 2);
    const old = (await readLog(threadId, "?offset=-1")).headers.get("stream-next-offset") ?? "";
    expect((await api.delete(threadId)).status).toBe(204);
    await expectProblem(await readLog(threadId, `?offset=${old}`), 404, "session-not-found");
    await append(threadId, 10, 1);
    await expectProblem(await readLog(threadId, `?offset=${old}`), 410, "offset-gone");
    expect(notes(await (await readLog(threadId, "?offset=-1")).json())).toEqual([10]);
  });

  it("takes `after` as an alias: a seq of the current life", async () => {
    const threadId = newThreadId();
    await append(threadId, 1, 4);
    expect(notes(await (await readLog(threadId, "?after=2")).json())).toEqual([3, 4]);
  });
});

describe("a long-poll", () => {
  it("answers at once when there is data, with a Stream-Cursor", async () => {
    const threadId = newThreadId();
    await append(threadId, 1, 2);
    const response = await readLog(threadId, "?offset=-1&live=long-poll");
    expect(response.status).toBe(200);
    expect(response.headers.get("stream-cursor")).toMatch(/^\d+$/);
    expect(notes(await response.json())).toEqual([1, 2]);
  });

  it("at the tail, waits for the next commit and answers with it", async () => {
    const threadId = newThreadId();
    await append(threadId, 1, 1);
    const waiting = readLog(threadId, "?offset=now&live=long-poll");
    await new Promise((resolve) => setTimeout(resolve, 50));
    await append(threadId, 2, 2);
    const response = await waiting;
    expect(response.status).toBe(200);
    expect(notes(await response.json())).toEqual([2, 3]);
  });

  it("answers 204 with the tail, the cursor and Stream-Up-To-Date when nothing comes in its time", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const threadId = newThreadId();
      await append(threadId, 1, 1);
      const tail = (await readLog(threadId, "?offset=now")).headers.get("stream-next-offset");
      const waiting = readLog(threadId, `?offset=${tail}&live=long-poll&cursor=1`);
      await runInDurableObject(sessionStub(threadId), () => vi.advanceTimersByTimeAsync(LONG_POLL_TIMEOUT_MS));
      const response = await waiting;
      expect(response.status).toBe(204);
      expect(response.headers.get("stream-next-offset")).toBe(tail);
      expect(response.headers.get("stream-up-to-date")).toBe("true");
      expect(Number(response.headers.get("stream-cursor"))).toBeGreaterThan(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("is told the log closed when the session is deleted, and later reads get 404", async () => {
    const threadId = newThreadId();
    await append(threadId, 1, 1);
    const waiting = readLog(threadId, "?offset=now&live=long-poll");
    await new Promise((resolve) => setTimeout(resolve, 50));
    await api.delete(threadId);
    const response = await waiting;
    expect(response.status).toBe(204);
    expect(response.headers.get("stream-closed")).toBe("true");
    await expectProblem(await readLog(threadId, "?offset=-1&live=long-poll"), 404, "session-not-found");
  });
});

describe("an SSE read", () => {
  it("sends data then a control with the offset, then each commit, and a closed control when the session goes", async () => {
    const threadId = newThreadId();
    await append(threadId, 1, 2);
    const response = await readLog(threadId, "?offset=-1&live=sse");
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("cache-control")).toContain("no-cache");
    const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { done, value } = await reader.read();
        if (done) return;
        text += value;
      }
    };
    await readUntil('"upToDate":true');
    const [data, control] = text.split("\n\n");
    expect(data?.startsWith("event: data\ndata:[")).toBe(true);
    expect(notes(JSON.parse(data?.slice("event: data\ndata:".length) ?? "[]"))).toEqual([1, 2]);
    const first = JSON.parse(control?.slice("event: control\ndata:".length) ?? "{}");
    expect(first).toMatchObject({ upToDate: true, streamCursor: expect.stringMatching(/^\d+$/) });
    await append(threadId, 3, 1);
    await readUntil('"seq":3');
    expect((await api.delete(threadId)).status).toBe(204);
    await readUntil("streamClosed");
    const last = text.trimEnd().split("\n\n").at(-1) ?? "";
    expect(JSON.parse(last.slice("event: control\ndata:".length))).toEqual({
      streamNextOffset: expect.stringMatching(/_0000000000000003$/),
      streamClosed: true,
    });
    expect((await reader.read()).done).toBe(true);
  });
});

describe("an SSE read's lifetime", () => {
  it("ends after 60 s, as the protocol asks, so the client reconnects from its last offset", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "setTimeout", "clearInterval", "clearTimeout"] });
    try {
      const threadId = newThreadId();
      await append(threadId, 1, 1);
      const response = await readLog(threadId, "?offset=-1&live=sse");
      const body = response.text();
      await runInDurableObject(sessionStub(threadId), () => vi.advanceTimersByTimeAsync(LOG_SSE_MAX_DURATION_MS));
      const text = await body;
      expect(LOG_SSE_MAX_DURATION_MS).toBe(60_000);
      expect(text).toContain('"upToDate":true');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("through @durable-streams/client", () => {
  it("reads the log in catch-up mode a chunk a request, resuming from each offset with no gap and no repeat", async () => {
    const threadId = newThreadId();
    for (let from = 1; from <= 1500; from += 500) await append(threadId, from, 500);
    // live: false is one request; a log longer than a page is read by resuming until it is up to date.
    const items: LogEntryView[] = [];
    let offset = "-1";
    for (let upToDate = false; !upToDate; ) {
      const chunk = await stream<LogEntryView>({ ...clientOptions(threadId), offset, live: false });
      items.push(...(await chunk.json()));
      ({ offset, upToDate } = chunk);
    }
    expect(notes(items)).toEqual(range(1, 1500));
    await append(threadId, 1501, 3);
    const rest = await stream<LogEntryView>({ ...clientOptions(threadId), offset, live: false });
    expect(notes(await rest.json())).toEqual([1501, 1502, 1503]);
  });

  for (const live of ["long-poll", "sse"] as const) {
    it(`follows the log live over ${live}: the backlog, then each commit, in order, once`, async () => {
      const threadId = newThreadId();
      await append(threadId, 1, 5);
      const controller = new AbortController();
      const response = await stream<LogEntryView>({
        ...clientOptions(threadId),
        offset: "-1",
        live,
        signal: controller.signal,
      });
      const seen: number[] = [];
      let lastOffset = "";
      const done = new Promise<void>((resolve) => {
        response.subscribeJson((batch) => {
          seen.push(...notes(batch.items));
          lastOffset = batch.offset;
          if (seen.length >= 12) resolve();
        });
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await append(threadId, 6, 3);
      await append(threadId, 9, 4);
      await done;
      controller.abort();
      expect(seen).toEqual(range(1, 12));
      // Resuming from the last offset it gave: only what came after.
      await append(threadId, 13, 1);
      const resumed = await stream<LogEntryView>({ ...clientOptions(threadId), offset: lastOffset, live: false });
      expect(notes(await resumed.json())).toEqual([13]);
    });
  }
});

describe("long-poll and SSE readers", () => {
  it("count toward a read token's cap with the other subscribers, and free their place when answered", async () => {
    const threadId = newThreadId();
    await append(threadId, 1, 1);
    const minted = await request("POST", "/v1/read-tokens", { threadId });
    const { token } = (await minted.json()) as { token: string };
    const asReader = { authorization: `Bearer ${token}` };
    const waiting = Array.from({ length: MAX_SUBSCRIBERS_PER_READ_TOKEN - 1 }, () =>
      readLog(threadId, "?offset=now&live=long-poll", asReader),
    );
    const sse = await request("GET", logUrl(threadId, "?offset=now&live=sse"), undefined, { headers: asReader });
    expect(sse.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expectProblem(await readLog(threadId, "?offset=now&live=long-poll", asReader), 429, "too-many-subscribers");
    // A read that takes no place is never refused: a catch-up, a HEAD, a long-poll with data to answer at once.
    expect((await readLog(threadId, "?offset=-1", asReader)).status).toBe(200);
    expect((await request("HEAD", logUrl(threadId), undefined, { headers: asReader })).status).toBe(200);
    expect((await readLog(threadId, "?offset=-1&live=long-poll", asReader)).status).toBe(200);
    // A commit answers the long-polls, which frees their places.
    await append(threadId, 2, 1);
    for (const response of await Promise.all(waiting)) expect(response.status).toBe(200);
    const again = readLog(threadId, "?offset=now&live=long-poll", asReader);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await append(threadId, 3, 1);
    expect((await again).status).toBe(200);
    await sse.body?.cancel();
  });
});

describe("a read from a Worker of an earlier version", () => {
  it("gets 503 with Retry-After from the object, not an error, while a rolling deployment mixes versions", async () => {
    const threadId = newThreadId();
    await append(threadId, 1, 1);
    // Before 0.7 the Worker named the read in the path and query; the object now takes it from one header.
    const response = await sessionStub(threadId).fetch("https://subscription/stream?after=0");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
  });
});
