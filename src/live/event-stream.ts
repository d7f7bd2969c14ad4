/**
 * One Server-Sent Events response held by an object: written to as commits come, kept alive by comment heartbeats,
 * and ended after a set lifetime (never past its read token's expiry), when its reader goes, or when it falls too far
 * behind. Event streams live in memory, so each is bounded in time; the client reconnects from where it was.
 */
import type { ReadGrant } from "../domain/read-grants.ts";
import { MAX_BUFFERED_BYTES } from "./sockets.ts";

export const SSE_HEARTBEAT_MS = 15_000;

/** The headers of an event stream, also what a HEAD of one answers (without opening it). */
export const EVENT_STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  "x-accel-buffering": "no",
} as const;

const encoder = new TextEncoder();

/** A reader the object holds in memory, which the subscriber registry can end (its read token lapsed). */
export interface HeldReader {
  readonly grant: ReadGrant | null;
  end(): void;
}

export interface EventStreamOptions {
  /** How long the response may stay open; the read token's expiry shortens it. */
  maxDurationMs: number;
  headers?: HeadersInit;
  /** Called once, when the stream ends for whatever reason. */
  onEnd: (stream: EventStream) => void;
}

export class EventStream implements HeldReader {
  readonly grant: ReadGrant | null;
  readonly response: Response;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #deadline: ReturnType<typeof setTimeout>;
  readonly #onEnd: (stream: EventStream) => void;
  #unsentBytes = 0;
  #ended = false;

  constructor(grant: ReadGrant | null, options: EventStreamOptions) {
    this.grant = grant;
    this.#onEnd = options.onEnd;
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    this.#writer = writable.getWriter();
    this.response = new Response(readable, { headers: options.headers ?? EVENT_STREAM_HEADERS });
    this.#heartbeat = setInterval(() => this.write(": keep-alive\n\n"), SSE_HEARTBEAT_MS);
    const untilExpiry = (grant?.expiresAt ?? Number.POSITIVE_INFINITY) - Date.now();
    this.#deadline = setTimeout(() => this.end(), Math.max(0, Math.min(options.maxDurationMs, untilExpiry)));
    // A reader that goes away frees its place at once, not at the next write (up to a heartbeat later).
    this.#writer.closed.catch(() => this.end());
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Whether its reader has more than MAX_BUFFERED_BYTES unread: it is ended, to resume instead of stalling. */
  get tooFarBehind(): boolean {
    return this.#unsentBytes > MAX_BUFFERED_BYTES;
  }

  write(text: string): void {
    if (this.#ended) return;
    const bytes = encoder.encode(text);
    this.#unsentBytes += bytes.byteLength;
    this.#writer.write(bytes).then(
      () => {
        this.#unsentBytes -= bytes.byteLength;
      },
      () => this.end(),
    );
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#deadline);
    this.#writer.close().catch(() => {});
    this.#onEnd(this);
  }
}
