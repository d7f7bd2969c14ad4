/**
 * The Durable Streams read protocol in JSON mode (https://github.com/durable-streams/durable-streams, PROTOCOL.md 1.0
 * as @durable-streams/client 0.2.7 reads it): the responses of a catch-up read, a long-poll and an SSE stream of a log
 * whose items are JSON texts. Pure: the reader (log-tail.ts) decides what to answer, this says how.
 */
import { sseEvent } from "./sse-text.ts";

export const OFFSET_HEADER = "Stream-Next-Offset";
export const UP_TO_DATE_HEADER = "Stream-Up-To-Date";
export const CURSOR_HEADER = "Stream-Cursor";
export const CLOSED_HEADER = "Stream-Closed";
/** What a browser's script may read of a log response across origins (the CORS layer exposes them). */
export const EXPOSED_LOG_HEADERS = [OFFSET_HEADER, UP_TO_DATE_HEADER, CURSOR_HEADER, CLOSED_HEADER, "ETag"] as const;

/** The sentinels a client may send as `offset`, never sent back as one. */
export const BEGINNING = "-1";
export const NOW = "now";

/** Cursors count 20-second intervals from 2024-10-09T00:00:00Z, as the protocol's reference servers do. */
const CURSOR_EPOCH_MS = Date.UTC(2024, 9, 9);
const CURSOR_INTERVAL_MS = 20_000;
const MAX_JITTER_SECONDS = 3600;

/** The cursor interval `now` falls in. */
export function cursorInterval(now: number): number {
  return Math.floor((now - CURSOR_EPOCH_MS) / CURSOR_INTERVAL_MS);
}

/**
 * The cursor of a live response: the current interval, or, when the client's is not behind it, the client's plus a
 * random 1–3600 s (at least one interval), so a cursor never repeats and a cache keyed on it cannot loop.
 */
export function streamCursor(now: number, clientCursor: number | null, random: () => number = Math.random): number {
  const interval = cursorInterval(now);
  if (clientCursor === null || clientCursor < interval) return interval;
  const jitterSeconds = 1 + Math.floor(random() * MAX_JITTER_SECONDS);
  return clientCursor + Math.max(1, Math.ceil(jitterSeconds / (CURSOR_INTERVAL_MS / 1000)));
}

/** A read of the log: its items after `from`, up to `next`; `upToDate` when `next` is the tail. */
export interface LogChunk {
  from: string;
  items: readonly string[];
  next: string;
  upToDate: boolean;
}

/**
 * Headers on every log response: the protocol's browser-safety advice, and `Vary: Authorization`, since what a log
 * URL holds depends on the tenant of the token (two tenants' directories share their offsets).
 */
const SAFE = {
  "x-content-type-options": "nosniff",
  "cross-origin-resource-policy": "cross-origin",
  vary: "authorization",
};

/** A strong ETag: the range read, which names its content (a life's offsets are never reused for other data). */
export function chunkEtag(chunk: LogChunk): string {
  return `"${chunk.from}:${chunk.next}"`;
}

/** Whether If-None-Match names this ETag (a list, weak or strong, or `*`). */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed.replace(/^W\//, "") === etag;
  });
}

function chunkHeaders(chunk: LogChunk): Record<string, string> {
  return {
    ...SAFE,
    "content-type": "application/json",
    [OFFSET_HEADER]: chunk.next,
    ...(chunk.upToDate ? { [UP_TO_DATE_HEADER]: "true" } : {}),
  };
}

/**
 * A catch-up (or long-poll) answer with data. A chunk from an offset that ends before the tail never changes; one at
 * the tail may grow, and one from `-1` may start elsewhere later (a new life, a directory's pruned window), so those
 * are revalidated (the ETag makes that a 304). Private: a log is one tenant's.
 */
export function chunkResponse(
  chunk: LogChunk,
  options: { ifNoneMatch: string | null; cursor: number | null; fixed: boolean },
) {
  const etag = chunkEtag(chunk);
  const headers: Record<string, string> = {
    ...chunkHeaders(chunk),
    etag,
    "cache-control":
      options.fixed && !chunk.upToDate ? "private, max-age=60, stale-while-revalidate=300" : "private, no-cache",
    ...(options.cursor === null ? {} : { [CURSOR_HEADER]: String(options.cursor) }),
  };
  if (etagMatches(options.ifNoneMatch, etag)) return new Response(null, { status: 304, headers });
  return new Response(`[${chunk.items.join(",")}]`, { headers });
}

/** `offset=now` without `live`: no items, the tail, never cached. */
export function tailResponse(tail: string): Response {
  return new Response("[]", {
    headers: {
      ...SAFE,
      "content-type": "application/json",
      [OFFSET_HEADER]: tail,
      [UP_TO_DATE_HEADER]: "true",
      "cache-control": "no-store",
    },
  });
}

/** A long-poll that saw nothing new in its time (or whose log was deleted: `closed`). */
export function noContentResponse(tail: string, cursor: number, closed = false): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...SAFE,
      [OFFSET_HEADER]: tail,
      [UP_TO_DATE_HEADER]: "true",
      [CURSOR_HEADER]: String(cursor),
      ...(closed ? { [CLOSED_HEADER]: "true" } : {}),
      "cache-control": "no-store",
    },
  });
}

export const LOG_EVENT_STREAM_HEADERS = {
  ...SAFE,
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-store",
  "x-accel-buffering": "no",
};

/** A `data` event with the chunk's items (when it has any), then its `control` event. */
export function sseChunk(chunk: LogChunk, cursor: number): string {
  const control = JSON.stringify({
    streamNextOffset: chunk.next,
    streamCursor: String(cursor),
    ...(chunk.upToDate ? { upToDate: true } : {}),
  });
  const data = chunk.items.length === 0 ? "" : sseEvent("data", `[${chunk.items.join(",")}]`, null, "");
  return `${data}${sseEvent("control", control, null, "")}`;
}

/** The last control event of a log that was deleted: no cursor, the stream is closed. */
export function sseClosed(last: string): string {
  return sseEvent("control", JSON.stringify({ streamNextOffset: last, streamClosed: true }), null, "");
}
