/**
 * A session's live subscribers: hibernatable WebSockets (they survive eviction and cost nothing while idle) and
 * Server-Sent Events streams (held in memory, so bounded in time). Sends only; what to send is decided by the caller.
 */
import { type GrantStanding, REVOCATION_CHECK_INTERVAL_MS, type ReadGrant } from "../domain/read-grants.ts";

/** Any stream's messages: JSON objects named by their `type`. */
interface Message {
  type: string;
}

/** The SSE `id:` of a message, from which a client resumes; null for messages that are not resume points. */
export type EventIdOf<M> = (message: M) => string | null;

/** Subscribers per object (a session, a tenant's directory), sockets and streams together; past it, 429. */
export const MAX_SUBSCRIBERS = 256;
/** Subscribers one read token may hold on one object, so that one token cannot take every place; past it, 429. */
export const MAX_SUBSCRIBERS_PER_READ_TOKEN = 16;

/** Why a subscriber was refused, as the object's 429 says it to the Worker. */
export type SubscriberCap = "object" | "read-token";

/** Which cap, if any, refuses one more subscriber with this read token (null for an API token). */
export function capReached(hub: { size: number; countOf(jti: string): number }, grant: ReadGrant | null) {
  if (hub.size >= MAX_SUBSCRIBERS) return "object" satisfies SubscriberCap;
  if (grant !== null && hub.countOf(grant.jti) >= MAX_SUBSCRIBERS_PER_READ_TOKEN) return "read-token";
  return null;
}

/** The headers of an event stream, also what a HEAD of one answers (without opening it). */
export const EVENT_STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  "x-accel-buffering": "no",
} as const;
/** A subscriber with this much unsent data is closed (1013) so it resumes from its last seq instead of stalling. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
export const SSE_HEARTBEAT_MS = 15_000;
/** An event stream ends after this; the client reconnects with Last-Event-ID (EventSource does it by itself). */
export const SSE_MAX_DURATION_MS = 5 * 60_000;

export const CLOSE_NORMAL = 1000;
export const CLOSE_TRY_AGAIN_LATER = 1013;
/** The read token the subscription was opened with has expired or was revoked: get a new one and resume. */
export const CLOSE_TOKEN_EXPIRED = 4401;

/** Sockets that get one message a frame (the default, and every socket accepted before framings existed). */
const LIVE_TAG = "live";
/** Sockets that get one frame a commit: a JSON array of its messages. */
const COMMIT_FRAMES_TAG = "live-commit-frames";

/** How a socket's messages are framed: one a frame, or a commit's messages together as a JSON array. */
export type Framing = "message" | "commit";
/** A commit-framed frame holds messages up to about this size; a larger commit is sent over several frames. */
export const MAX_COMMIT_FRAME_BYTES = 512 * 1024;
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
const encoder = new TextEncoder();

/** What a socket keeps across hibernation. */
interface SocketAttachment {
  /** The read token it was opened with; null for an API token. */
  grant?: ReadGrant | null;
  /** Before grants: when its read token expired. Such a socket names no key, so its first check closes it. */
  until?: number | null;
}

function grantOf(socket: WebSocket): ReadGrant | null {
  const attachment = socket.deserializeAttachment() as SocketAttachment | null;
  if (attachment?.grant != null) return attachment.grant;
  const until = attachment?.until ?? null;
  return until === null ? null : { jti: "", issuedAt: 0, expiresAt: until, kid: "" };
}

interface EventStreamSubscriber {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  unsentBytes: number;
  heartbeat: number | null;
  deadline: number | null;
  grant: ReadGrant | null;
}

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
  readonly #ctx: DurableObjectState;
  readonly #eventStreams = new Set<EventStreamSubscriber>();
  /** The earliest expiry of the subscribers' read tokens; null with none, undefined until computed. */
  #earliestExpiry: number | null | undefined;
  /** When the subscribers' read tokens were last checked against the revocations. */
  #grantsCheckedAt: number | null = null;

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

  constructor(ctx: DurableObjectState, eventIdOf: EventIdOf<M>, options: LiveHubOptions<M> = {}) {
    this.#ctx = ctx;
    this.#eventIdOf = eventIdOf;
    this.#supersedes = options.supersedes ?? (() => false);
    this.#frameWindowMs = options.frameWindowMs ?? commitFrameWindowMs;
    this.#serialize = options.serialize ?? JSON.stringify;
  }

  get size(): number {
    return this.#sockets().length + this.#eventStreams.size;
  }

  #sockets(): WebSocket[] {
    return [...this.#ctx.getWebSockets(LIVE_TAG), ...this.#ctx.getWebSockets(COMMIT_FRAMES_TAG)];
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
    this.#ctx.acceptWebSocket(server, [framing === "commit" ? COMMIT_FRAMES_TAG : LIVE_TAG]);
    this.#startGrantClock(grant);
    server.serializeAttachment({ grant } satisfies SocketAttachment);
    this.#earliestExpiry = undefined;
    const texts = opening.map((message) => this.#serialize(message));
    for (const frame of framing === "commit" ? commitFrames(texts) : texts) server.send(frame);
    if (closing !== null) server.close(closing.code, closing.reason);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Opens an event stream and writes `opening` in this same turn; `end` closes it after that. */
  openEventStream(opening: readonly M[], end: boolean, grant: ReadGrant | null): Response {
    // What is pending was committed before this stream's opening was read: it goes to the others only.
    this.#flush();
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const subscriber: EventStreamSubscriber = {
      writer: writable.getWriter(),
      unsentBytes: 0,
      heartbeat: null,
      deadline: null,
      grant,
    };
    if (!end) this.#startGrantClock(grant);
    this.#write(subscriber, opening.map((message) => this.#frame(message)).join(""));
    if (end) {
      this.#end(subscriber);
    } else {
      this.#eventStreams.add(subscriber);
      this.#earliestExpiry = undefined;
      subscriber.heartbeat = setInterval(() => this.#write(subscriber, ": keep-alive\n\n"), SSE_HEARTBEAT_MS);
      const until = grant?.expiresAt ?? Number.POSITIVE_INFINITY;
      const lifetime = Math.min(SSE_MAX_DURATION_MS, until - Date.now());
      subscriber.deadline = setTimeout(() => this.#end(subscriber), Math.max(0, lifetime));
    }
    // A reader that goes away frees its place at once, not at the next write (up to a heartbeat later).
    subscriber.writer.closed.catch(() => this.#end(subscriber));
    return new Response(readable, { headers: EVENT_STREAM_HEADERS });
  }

  /**
   * One-message-a-frame sockets get the messages at once; commit-framed sockets and event streams get them at the
   * end of the frame window (see commitFrameWindowMs), together with the other commits inside it.
   */
  broadcast(messages: readonly M[]): void {
    const texts = messages.map((message) => this.#serialize(message));
    this.#sendAll(this.#ctx.getWebSockets(LIVE_TAG), texts);
    const grouped = this.#ctx.getWebSockets(COMMIT_FRAMES_TAG).length + this.#eventStreams.size;
    if (grouped > 0) this.#queue(messages, texts, this.#frameWindowMs(grouped));
  }

  /** Sends the commit-framed sockets and the event streams what waits for them, now. */
  #flush(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    this.#pending = [];
    this.#lastFlushAt = Date.now();
    const commitSockets = this.#ctx.getWebSockets(COMMIT_FRAMES_TAG);
    if (commitSockets.length > 0) this.#sendAll(commitSockets, commitFrames(pending.map(({ text }) => text)));
    if (this.#eventStreams.size === 0) return;
    const events = pending.map(({ message, text }) => this.#frame(message, text)).join("");
    for (const subscriber of this.#eventStreams) {
      this.#write(subscriber, events);
      if (subscriber.unsentBytes > MAX_BUFFERED_BYTES) this.#end(subscriber);
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

  /** A frame costs the runtime tens of µs a socket whatever its size: commit framing sends fewer. */
  #sendAll(sockets: readonly WebSocket[], frames: readonly string[]): void {
    for (const socket of sockets) {
      try {
        for (const frame of frames) socket.send(frame);
        if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
          socket.close(CLOSE_TRY_AGAIN_LATER, "too far behind: resume from your last seq");
        }
      } catch {
        // A socket closing as we send: its client resumes from its last seq.
      }
    }
  }

  /** Sends a last message to every subscriber and closes them all normally. */
  closeAll(last: M, reason: string): void {
    this.#flush();
    const text = this.#serialize(last);
    const closing = (sockets: readonly WebSocket[], frame: string) => {
      for (const socket of sockets) {
        try {
          socket.send(frame);
          socket.close(CLOSE_NORMAL, reason);
        } catch {
          // Already closing.
        }
      }
    };
    closing(this.#ctx.getWebSockets(LIVE_TAG), text);
    closing(this.#ctx.getWebSockets(COMMIT_FRAMES_TAG), `[${text}]`);
    for (const subscriber of this.#eventStreams) {
      this.#write(subscriber, this.#frame(last));
      this.#end(subscriber);
    }
  }

  /** The subscribers opened with the read token of this id, sockets and streams together. */
  countOf(jti: string): number {
    const sockets = this.#sockets().filter((socket) => grantOf(socket)?.jti === jti).length;
    return sockets + [...this.#eventStreams].filter((stream) => stream.grant?.jti === jti).length;
  }

  /** Whether any subscriber was opened with a read token. */
  hasGrants(): boolean {
    return this.#earliestExpiryOfGrants() !== null;
  }

  /**
   * When the object must next check its subscribers' read tokens (for its alarm): at the earliest expiry, and at
   * least every REVOCATION_CHECK_INTERVAL_MS while any has one; null when none has.
   */
  nextGrantCheckAt(now: number): number | null {
    const earliest = this.#earliestExpiryOfGrants();
    if (earliest === null) return null;
    return Math.min(earliest, (this.#grantsCheckedAt ?? now) + REVOCATION_CHECK_INTERVAL_MS);
  }

  /** The first subscriber with a read token was just checked by the Worker: the minute of checks starts now. */
  #startGrantClock(grant: ReadGrant | null): void {
    if (grant !== null && !this.hasGrants()) this.#grantsCheckedAt = Date.now();
  }

  #earliestExpiryOfGrants(): number | null {
    if (this.#earliestExpiry === undefined) {
      const grants = [...this.#sockets().map(grantOf), ...[...this.#eventStreams].map((stream) => stream.grant)];
      const expiries = grants.flatMap((grant) => (grant === null ? [] : [grant.expiresAt]));
      this.#earliestExpiry = expiries.length === 0 ? null : Math.min(...expiries);
    }
    return this.#earliestExpiry;
  }

  /**
   * Closes each subscriber whose read token no longer stands: a socket with 4401 and the reason, an event stream
   * by ending it, so their clients get a new token (a refused request tells them why) and resume.
   */
  closeUnstanding(standingOf: (grant: ReadGrant) => GrantStanding, now: number): void {
    for (const socket of this.#sockets()) {
      const grant = grantOf(socket);
      const standing = grant === null ? "valid" : standingOf(grant);
      if (standing === "valid") continue;
      try {
        socket.close(CLOSE_TOKEN_EXPIRED, `read token ${standing}`);
      } catch {
        // Already closing.
      }
    }
    for (const stream of this.#eventStreams) {
      if (stream.grant !== null && standingOf(stream.grant) !== "valid") this.#end(stream);
    }
    this.#grantsCheckedAt = now;
    this.#earliestExpiry = undefined;
  }

  /** A socket closed: the earliest expiry may have gone with it. */
  forget(): void {
    this.#earliestExpiry = undefined;
  }

  /** One SSE event: the message type as its name, and an id where the message is a resume point. */
  #frame(message: M, text = this.#serialize(message)): string {
    const id = this.#eventIdOf(message);
    return `event: ${message.type}\n${id === null ? "" : `id: ${id}\n`}data: ${text}\n\n`;
  }

  #write(subscriber: EventStreamSubscriber, text: string): void {
    const bytes = encoder.encode(text);
    subscriber.unsentBytes += bytes.byteLength;
    subscriber.writer.write(bytes).then(
      () => {
        subscriber.unsentBytes -= bytes.byteLength;
      },
      () => this.#end(subscriber),
    );
  }

  #end(subscriber: EventStreamSubscriber): void {
    clearInterval(subscriber.heartbeat);
    clearTimeout(subscriber.deadline);
    this.#eventStreams.delete(subscriber);
    this.#earliestExpiry = undefined;
    subscriber.writer.close().catch(() => {});
  }
}

/**
 * Answers the runtime's close handshake; 1005 and 1006 cannot be sent, so they are answered with 1000. This answer
 * is what lets workerd end the connection at once. After a close the object started it does nothing, and workerd
 * keeps the connection until the object hibernates (docs/streams.md, "Closing").
 */
export function acknowledgeClose(socket: WebSocket, code: number, reason: string): void {
  try {
    socket.close(code === 1005 || code === 1006 ? CLOSE_NORMAL : code, reason);
  } catch {
    // Already closed.
  }
}

/** Messages (as JSON texts) joined into JSON arrays of at most about MAX_COMMIT_FRAME_BYTES each, in order. */
export function commitFrames(texts: readonly string[]): string[] {
  const frames: string[] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const text of texts) {
    if (current.length > 0 && bytes + text.length > MAX_COMMIT_FRAME_BYTES) {
      frames.push(`[${current.join(",")}]`);
      current = [];
      bytes = 0;
    }
    current.push(text);
    bytes += text.length + 1;
  }
  if (current.length > 0) frames.push(`[${current.join(",")}]`);
  return frames;
}
