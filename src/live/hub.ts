/**
 * The message streams over a log: each subscriber gets an opening (what it missed), then every commit's messages, over
 * a hibernatable WebSocket (`/live`) or Server-Sent Events named by message type (`/stream`). Sends only; what to
 * send is decided by the object. The Durable Streams reads of the same log are in log-tail.ts.
 */
import type { ReadGrant } from "../domain/read-grants.ts";
import { EventStream } from "./event-stream.ts";
import { closeWith, commitFrames, sendAll } from "./sockets.ts";
import { sseEvent } from "./sse-text.ts";
import type { Subscribers } from "./subscribers.ts";
import type { Framing } from "./subscription-request.ts";

/** Any stream's messages: JSON objects named by their `type`. */
interface Message {
  type: string;
}

/** The SSE `id:` of a message, from which a client resumes; null for messages that are not resume points. */
export type EventIdOf<M> = (message: M) => string | null;

/** A message event stream ends after this; the client reconnects with Last-Event-ID (EventSource does it itself). */
export const SSE_MAX_DURATION_MS = 5 * 60_000;

/**
 * How long commits wait to share a frame, by the number of commit-framed sockets and event streams. A frame (or an
 * event-stream write) costs the runtime about 40 µs a subscriber whatever its size, so a window of 0.2 ms a
 * subscriber keeps sending under about a fifth of the object's time at any commit rate: one subscriber gets every
 * commit at once, 100 get every commit of a session streaming 50 a second as it comes (at 200 commits/s, a quarter
 * of the frames). A commit after a quiet window always goes out at once.
 */
export function commitFrameWindowMs(sockets: number): number {
  return Math.min(MAX_COMMIT_FRAME_WINDOW_MS, sockets * 0.2);
}
/** The most a commit waits to share a frame. */
export const MAX_COMMIT_FRAME_WINDOW_MS = 40;

export interface Closing {
  code: number;
  reason: string;
}

export interface LiveHubOptions<M> {
  /**
   * Messages that stand for the whole state (a session view): of those waiting for one commit frame, only the
   * latest is sent. Default: none, every message is sent.
   */
  supersedes?: (message: M) => boolean;
  /** Default commitFrameWindowMs. */
  frameWindowMs?: (sockets: number) => number;
  /** A message's JSON; default JSON.stringify (a session's log entries splice in the event's text as received). */
  serialize?: (message: M) => string;
}

/** A message waiting for the next commit frame or event-stream write, with its JSON. */
interface PendingMessage<M> {
  message: M;
  text: string;
  superseding: boolean;
}

export class LiveHub<M extends Message> {
  readonly #subscribers: Subscribers;
  readonly #eventStreams = new Set<EventStream>();
  readonly #eventIdOf: EventIdOf<M>;
  readonly #supersedes: (message: M) => boolean;
  readonly #frameWindowMs: (sockets: number) => number;
  readonly #serialize: (message: M) => string;
  /**
   * What the commit-framed sockets and the event streams have yet to get, in order; sent by the flush timer, or
   * before a subscriber joins or everything closes.
   */
  #pending: PendingMessage<M>[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(subscribers: Subscribers, eventIdOf: EventIdOf<M>, options: LiveHubOptions<M> = {}) {
    this.#subscribers = subscribers;
    this.#eventIdOf = eventIdOf;
    this.#supersedes = options.supersedes ?? (() => false);
    this.#frameWindowMs = options.frameWindowMs ?? commitFrameWindowMs;
    this.#serialize = options.serialize ?? JSON.stringify;
  }

  /** Whether any socket or message event stream follows (a commit's messages are built only then). */
  hasSubscribers(): boolean {
    return this.#eventStreams.size > 0 || this.#subscribers.sockets().length > 0;
  }

  /** Accepts a WebSocket and sends it `opening` in this same turn, so nothing committed meanwhile is missed. */
  openWebSocket(
    opening: readonly M[],
    closing: Closing | null,
    grant: ReadGrant | null,
    framing: Framing = "message",
  ): Response {
    // What is pending was committed before this socket's opening was read: it goes to the others only.
    this.#flush();
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.#subscribers.acceptSocket(server, framing, grant);
    const texts = opening.map((message) => this.#serialize(message));
    for (const frame of framing === "commit" ? commitFrames(texts) : texts) server.send(frame);
    if (closing !== null) server.close(closing.code, closing.reason);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Opens an event stream and writes `opening` in this same turn; `end` closes it after that. */
  openEventStream(opening: readonly M[], end: boolean, grant: ReadGrant | null): Response {
    // What is pending was committed before this stream's opening was read: it goes to the others only.
    this.#flush();
    const stream = new EventStream(grant, {
      maxDurationMs: SSE_MAX_DURATION_MS,
      onEnd: (ended) => {
        this.#eventStreams.delete(ended);
        this.#subscribers.release(ended);
      },
    });
    stream.write(opening.map((message) => this.#frame(message)).join(""));
    if (end) {
      stream.end();
    } else {
      this.#eventStreams.add(stream);
      this.#subscribers.hold(stream);
    }
    return stream.response;
  }

  /**
   * One-message-a-frame sockets get the messages at once; commit-framed sockets and event streams get them at the
   * end of the frame window (see commitFrameWindowMs), together with the other commits inside it.
   */
  broadcast(messages: readonly M[]): void {
    const texts = messages.map((message) => this.#serialize(message));
    sendAll(this.#subscribers.sockets("message"), texts);
    const grouped = this.#subscribers.sockets("commit").length + this.#eventStreams.size;
    if (grouped > 0) this.#queue(messages, texts, this.#frameWindowMs(grouped));
  }

  /** Sends a last message to every subscriber and closes them all normally. */
  closeAll(last: M, reason: string): void {
    this.#flush();
    const text = this.#serialize(last);
    closeWith(this.#subscribers.sockets("message"), text, reason);
    closeWith(this.#subscribers.sockets("commit"), `[${text}]`, reason);
    for (const stream of [...this.#eventStreams]) {
      stream.write(this.#frame(last));
      stream.end();
    }
  }

  /** Sends the commit-framed sockets and the event streams what waits for them, now. */
  #flush(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    this.#pending = [];
    this.#lastFlushAt = Date.now();
    const commitSockets = this.#subscribers.sockets("commit");
    if (commitSockets.length > 0) sendAll(commitSockets, commitFrames(pending.map(({ text }) => text)));
    if (this.#eventStreams.size === 0) return;
    const events = pending.map(({ message, text }) => this.#frame(message, text)).join("");
    for (const stream of [...this.#eventStreams]) {
      stream.write(events);
      if (stream.tooFarBehind) stream.end();
    }
  }

  #queue(messages: readonly M[], texts: readonly string[], windowMs: number): void {
    messages.forEach((message, index) => {
      const superseding = this.#supersedes(message);
      if (superseding) this.#pending = this.#pending.filter((pending) => !pending.superseding);
      this.#pending.push({ message, text: texts[index] as string, superseding });
    });
    if (this.#flushTimer !== null) return;
    const wait = this.#lastFlushAt + windowMs - Date.now();
    if (wait <= 0) this.#flush();
    else this.#flushTimer = setTimeout(() => this.#flush(), wait);
  }

  /** One SSE event: the message type as its name, and an id where the message is a resume point. */
  #frame(message: M, text = this.#serialize(message)): string {
    return sseEvent(message.type, text, this.#eventIdOf(message));
  }
}
