/**
 * The one reader of a log: catch-up from an offset, then its tail. Transports over it: a Durable Streams catch-up
 * read, a long-poll that waits for the next commit, and an SSE stream of `data` and `control` events. Mounted by
 * each object that keeps a log (a session's entries, a directory's changes), which says what its log is (LogSource)
 * and calls `committed()` after each commit that appended to it.
 */
import type { ReadGrant } from "../domain/read-grants.ts";
import {
  chunkResponse,
  cursorInterval,
  LOG_EVENT_STREAM_HEADERS,
  type LogChunk,
  noContentResponse,
  sseChunk,
  sseClosed,
  streamCursor,
  tailResponse,
} from "./durable-streams.ts";
import { EventStream, type HeldReader } from "./event-stream.ts";
import type { Subscribers } from "./subscribers.ts";
import type { LogRead, LogStart } from "./subscription-request.ts";

/** A log as its object keeps it: positions `P` it can read after, spoken to clients as opaque offsets. */
export interface LogSource<R, P> {
  /** Where a read starts; `gone`: an earlier life, or no longer retained; `beyond`: after the tail. */
  resolve(start: LogStart<R>): P | "gone" | "beyond";
  tail(): P;
  /** The offset of a position: opaque to clients, sorting in log order. */
  offsetOf(position: P): string;
  /** The items after `position` (at most a page), as JSON texts, and the position after the last. */
  readAfter(position: P): { items: string[]; end: P };
}

/** A long-poll at the tail waits this long for a commit, then answers 204. */
export const LONG_POLL_TIMEOUT_MS = 20_000;
/** An SSE response ends after this, as the protocol asks, and the client reconnects from its last offset. */
export const LOG_SSE_MAX_DURATION_MS = 60_000;
/** An SSE opening writes at most about this much backlog; then it ends, and the client goes on from there. */
export const MAX_SSE_OPENING_BYTES = 4 * 1024 * 1024;

/** A reader at a position: a long-poll waiting, or an SSE stream following. */
interface Follower<P> {
  position: P;
  offset: string;
  /** The highest cursor it was given: later ones never go back. */
  cursor: number;
}

interface Waiter<P> extends Follower<P>, HeldReader {
  answer(response: Response): void;
}

/** Why a read was refused, as the object answers the Worker (which words the problem). */
export type LogRefusal = "gone" | "beyond";

export function refusalResponse(refusal: LogRefusal): Response {
  return new Response(refusal, { status: refusal === "gone" ? 410 : 400 });
}

export class LogTail<R, P> {
  readonly #subscribers: Subscribers;
  readonly #source: LogSource<R, P>;
  readonly #waiters = new Set<Waiter<P>>();
  readonly #streams = new Map<EventStream, Follower<P>>();

  constructor(subscribers: Subscribers, source: LogSource<R, P>) {
    this.#subscribers = subscribers;
    this.#source = source;
  }

  /** Answers a read in this turn: catch-up at once, a long-poll at the tail later, an SSE stream open. */
  read(read: LogRead<R>, grant: ReadGrant | null): Response | Promise<Response> {
    const resolved = this.#source.resolve(read.start);
    if (resolved === "gone" || resolved === "beyond") return refusalResponse(resolved as LogRefusal);
    const start = resolved as P;
    const now = Date.now();
    if (read.live === "none") {
      if (read.start.kind === "now") return tailResponse(this.#source.offsetOf(start));
      const fixed = read.start.kind === "after";
      return chunkResponse(this.#chunk(start), { ifNoneMatch: read.ifNoneMatch, cursor: null, fixed });
    }
    const cursor = streamCursor(now, read.cursor);
    // Only a reader that stays takes a place: a long-poll answered at once, like a catch-up, is never refused.
    if (read.live === "sse")
      return (
        this.#subscribers.refusalOverCap(grant) ?? this.#openStream(start, read.start.kind === "now", cursor, grant)
      );
    if (read.start.kind !== "now") {
      const chunk = this.#chunk(start);
      if (chunk.items.length > 0) return chunkResponse(chunk, { ifNoneMatch: null, cursor, fixed: false });
    }
    return this.#subscribers.refusalOverCap(grant) ?? this.#wait(start, cursor, grant);
  }

  /** After a commit that appended to the log: the waiting long-polls are answered, the streams written to. */
  committed(): void {
    if (this.#waiters.size === 0 && this.#streams.size === 0) return;
    const now = Date.now();
    // Followers are almost all at the same position: each chunk (and its SSE text) is read once.
    const chunks = new Map<string, PositionedChunk<P>>();
    const chunkAt = (follower: Follower<P>) => {
      let chunk = chunks.get(follower.offset);
      if (chunk === undefined) {
        chunk = this.#chunk(follower.position);
        chunks.set(follower.offset, chunk);
      }
      return chunk;
    };
    for (const waiter of [...this.#waiters]) {
      const chunk = chunkAt(waiter);
      if (chunk.items.length > 0) {
        waiter.answer(chunkResponse(chunk, { ifNoneMatch: null, cursor: cursorOf(waiter, now), fixed: false }));
      }
    }
    const texts = new Map<string, string>();
    for (const [stream, follower] of this.#streams) {
      for (let chunk = chunkAt(follower); chunk.items.length > 0 && !stream.ended; chunk = chunkAt(follower)) {
        const cursor = cursorOf(follower, now);
        const key = `${chunk.from}|${cursor}`;
        const text = texts.get(key) ?? sseChunk(chunk, cursor);
        texts.set(key, text);
        stream.write(text);
        advance(follower, chunk);
        if (stream.tooFarBehind) stream.end();
        if (chunk.upToDate) break;
      }
    }
  }

  /** The log was deleted: streams get a closed control and end, waiting long-polls a 204 that says closed. */
  closeAll(): void {
    const now = Date.now();
    for (const waiter of [...this.#waiters])
      waiter.answer(noContentResponse(waiter.offset, cursorOf(waiter, now), true));
    for (const [stream, follower] of [...this.#streams]) {
      stream.write(sseClosed(follower.offset));
      stream.end();
    }
  }

  #chunk(position: P): PositionedChunk<P> {
    const { items, end } = this.#source.readAfter(position);
    const next = this.#source.offsetOf(end);
    const upToDate = next === this.#source.offsetOf(this.#source.tail());
    return { from: this.#source.offsetOf(position), items, next, upToDate, end };
  }

  #wait(position: P, cursor: number, grant: ReadGrant | null): Promise<Response> {
    return new Promise<Response>((resolve) => {
      const offset = this.#source.offsetOf(position);
      const waiter: Waiter<P> = {
        position,
        offset,
        cursor,
        grant,
        answer: (response) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          this.#subscribers.release(waiter);
          resolve(response);
        },
        // Ended by the registry (its read token lapsed) or by its time: nothing new, the client polls again.
        end: () => waiter.answer(noContentResponse(waiter.offset, cursorOf(waiter, Date.now()))),
      };
      const timer = setTimeout(() => waiter.end(), LONG_POLL_TIMEOUT_MS);
      this.#waiters.add(waiter);
      this.#subscribers.hold(waiter);
    });
  }

  #openStream(start: P, fromTail: boolean, cursor: number, grant: ReadGrant | null): Response {
    const follower: Follower<P> = { position: start, offset: this.#source.offsetOf(start), cursor };
    const stream = new EventStream(grant, {
      maxDurationMs: LOG_SSE_MAX_DURATION_MS,
      headers: LOG_EVENT_STREAM_HEADERS,
      onEnd: (ended) => {
        this.#streams.delete(ended);
        this.#subscribers.release(ended);
      },
    });
    if (fromTail) {
      stream.write(sseChunk({ from: follower.offset, items: [], next: follower.offset, upToDate: true }, cursor));
    } else {
      // The backlog goes out in this turn, chunk by chunk, so no commit falls between it and the tail.
      let written = 0;
      for (;;) {
        const chunk = this.#chunk(follower.position);
        const text = sseChunk(chunk, cursor);
        stream.write(text);
        written += text.length;
        advance(follower, chunk);
        if (chunk.upToDate) break;
        if (written > MAX_SSE_OPENING_BYTES) {
          stream.end();
          return stream.response;
        }
      }
    }
    this.#streams.set(stream, follower);
    this.#subscribers.hold(stream);
    return stream.response;
  }
}

/** A chunk with the position it ends at. */
interface PositionedChunk<P> extends LogChunk {
  end: P;
}

function advance<P>(follower: Follower<P>, chunk: PositionedChunk<P>): void {
  follower.position = chunk.end;
  follower.offset = chunk.next;
}

/** The cursor of a follower's next answer: the current interval, never below what it was given. */
function cursorOf(follower: Follower<unknown>, now: number): number {
  follower.cursor = Math.max(follower.cursor, cursorInterval(now));
  return follower.cursor;
}
