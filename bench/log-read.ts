/**
 * The logs by offset (`/v1/sessions/{threadId}/log`, the Durable Streams read): a catch-up of LOG_ENTRIES entries
 * with @durable-streams/client (one request a chunk, until up to date), the wake-up latency of a long-poll waiting at
 * the tail (event sent → long-poll answered), and SSE fan-out through the reader: LOG_SSE_SUBSCRIBERS readers of one
 * session while it ingests LOG_SSE_RATE events/s, each carrying its send time.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { stream } from "@durable-streams/client";
import { formatColumns, percentile, round } from "./load.ts";
import { HEADERS, post, run } from "./scenarios.ts";
import type { RunningWorker } from "./wrangler-dev.ts";

export interface LogReadSettings {
  entries: number;
  longPolls: number;
  sse: { subscribers: readonly number[]; ratePerSecond: number; seconds: number };
}

export interface LogReadFigures {
  catchUp: { entries: number; requests: number; ms: number[]; entriesPerSecond: number };
  longPoll: { wakeUps: number; p50Ms: number; p99Ms: number; answerP50Ms: number };
  sse: Array<{ subscribers: number; sent: number; missing: number; outOfOrder: number; p50Ms: number; p99Ms: number }>;
}

const note = (threadId: string, n: number, extra: Record<string, unknown> = {}) => ({
  eventId: `log-${n}`,
  type: "item.note",
  provider: "codex",
  threadId,
  createdAt: new Date().toISOString(),
  payload: { n, ...extra },
});

interface Entry {
  seq: number;
  event: { payload: { n: number; sentAt?: number } };
}

async function catchUp(origin: string, threadId: string): Promise<{ items: number; requests: number; ms: number }> {
  const started = performance.now();
  let offset = "-1";
  let items = 0;
  let requests = 0;
  for (let upToDate = false; !upToDate; requests += 1) {
    const chunk = await stream<Entry>({
      url: `${origin}/v1/sessions/${threadId}/log`,
      headers: HEADERS,
      offset,
      live: false,
    });
    items += (await chunk.json()).length;
    ({ offset, upToDate } = chunk);
  }
  return { items, requests, ms: performance.now() - started };
}

async function longPollWakeUps(origin: string, threadId: string, count: number) {
  const wakeUps: number[] = [];
  const answers: number[] = [];
  const url = `${origin}/v1/sessions/${threadId}/log`;
  let offset = (await fetch(`${url}?offset=now`, { headers: HEADERS })).headers.get("stream-next-offset") ?? "";
  for (let i = 0; i < count; i += 1) {
    const waiting = fetch(`${url}?offset=${offset}&live=long-poll`, { headers: HEADERS }).then(async (response) => {
      const at = performance.now();
      await response.arrayBuffer();
      return { at, offset: response.headers.get("stream-next-offset") ?? "" };
    });
    // Let the long-poll reach the object and wait there before the event is sent.
    await sleep(5);
    const sentAt = performance.now();
    await post(origin, threadId, note(threadId, 1_000_000 + i));
    answers.push(performance.now() - sentAt);
    const answered = await waiting;
    wakeUps.push(answered.at - sentAt);
    offset = answered.offset;
  }
  const sorted = wakeUps.toSorted((a, b) => a - b);
  return {
    wakeUps: count,
    p50Ms: round(percentile(sorted, 50), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    answerP50Ms: round(
      percentile(
        answers.toSorted((a, b) => a - b),
        50,
      ),
      2,
    ),
  };
}

/** One SSE reader of the log from the tail: the latency of each event it gets, and whether its seqs run on. */
async function sseReader(url: string, signal: AbortSignal, onEntry: (entry: Entry, at: number) => void) {
  const response = await fetch(`${url}?offset=now&live=sse`, { headers: HEADERS, signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  void (async () => {
    try {
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        const at = performance.now();
        buffered += decoder.decode(read.value, { stream: true });
        for (let end = buffered.indexOf("\n\n"); end >= 0; end = buffered.indexOf("\n\n")) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (!frame.startsWith("event: data")) continue;
          const data = frame
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5))
            .join("\n");
          for (const entry of JSON.parse(data) as Entry[]) onEntry(entry, at);
        }
      }
    } catch {
      // aborted at the end
    }
  })();
}

async function sseFanout(origin: string, subscribers: number, ratePerSecond: number, seconds: number) {
  const threadId = `log-sse-${subscribers}-${run}`;
  await post(origin, threadId, note(threadId, 0));
  const url = `${origin}/v1/sessions/${threadId}/log`;
  const controller = new AbortController();
  const latencies: number[] = [];
  const received = Array.from({ length: subscribers }, () => ({ count: 0, lastSeq: 0, outOfOrder: 0 }));
  await Promise.all(
    received.map((mine) =>
      sseReader(url, controller.signal, (entry, at) => {
        if (mine.lastSeq !== 0 && entry.seq !== mine.lastSeq + 1) mine.outOfOrder += 1;
        mine.lastSeq = entry.seq;
        mine.count += 1;
        if (entry.event.payload.sentAt !== undefined) latencies.push(at - entry.event.payload.sentAt);
      }),
    ),
  );
  await sleep(200);
  const total = Math.round(ratePerSecond * seconds);
  const started = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 1; i <= total; i += 1) {
    const due = started + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    sends.push(post(origin, threadId, note(threadId, i, { sentAt: performance.now() })));
  }
  await Promise.all(sends);
  await sleep(1000);
  controller.abort();
  const sorted = latencies.toSorted((a, b) => a - b);
  return {
    subscribers,
    sent: total,
    missing: received.reduce((sum, mine) => sum + (total - mine.count), 0),
    outOfOrder: received.reduce((sum, mine) => sum + mine.outOfOrder, 0),
    p50Ms: round(percentile(sorted, 50), 1),
    p99Ms: round(percentile(sorted, 99), 1),
  };
}

export async function measureLogReads(service: RunningWorker, settings: LogReadSettings): Promise<LogReadFigures> {
  const { origin } = service;
  const threadId = `log-catch-up-${run}`;
  for (let from = 1; from <= settings.entries; from += 500) {
    const batch = Array.from({ length: Math.min(500, settings.entries - from + 1) }, (_, i) =>
      note(threadId, from + i),
    );
    await post(origin, threadId, batch);
  }
  await catchUp(origin, threadId); // warm
  const runs = [await catchUp(origin, threadId), await catchUp(origin, threadId), await catchUp(origin, threadId)];
  const ms = runs.map((one) => round(one.ms, 1));
  const median = ms.toSorted((a, b) => a - b)[1] ?? Number.NaN;
  // The session must exist before a long-poll can wait on it.
  await post(origin, `log-long-poll-${run}`, note(`log-long-poll-${run}`, 0));
  const longPoll = await longPollWakeUps(origin, `log-long-poll-${run}`, settings.longPolls);
  const sse = [];
  for (const subscribers of settings.sse.subscribers) {
    sse.push(await sseFanout(origin, subscribers, settings.sse.ratePerSecond, settings.sse.seconds));
  }
  return {
    catchUp: {
      entries: runs[0]?.items ?? 0,
      requests: runs[0]?.requests ?? 0,
      ms,
      entriesPerSecond: Math.round(((runs[0]?.items ?? 0) * 1000) / median),
    },
    longPoll,
    sse,
  };
}

export function formatLogReads(path: string, figures: LogReadFigures): string {
  const { catchUp: c, longPoll: l } = figures;
  return [
    `\n## ${path}: the log by offset (Durable Streams read)\n`,
    `  catch-up of ${c.entries} entries with @durable-streams/client: ${c.requests} requests, ${c.ms.join(" / ")} ms ` +
      `(three runs; ${c.entriesPerSecond} entries/s at the median)`,
    `  long-poll wake-up (event sent → long-poll answered), ${l.wakeUps} times: p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms; ` +
      `the ingest itself answered in p50 ${l.answerP50Ms} ms`,
    formatColumns(
      ["SSE readers", "events sent", "missing", "out of order", "delivery p50 ms", "delivery p99 ms"],
      figures.sse.map((row) => [
        String(row.subscribers),
        String(row.sent),
        String(row.missing),
        String(row.outOfOrder),
        String(row.p50Ms),
        String(row.p99Ms),
      ]),
    ),
  ].join("\n");
}
