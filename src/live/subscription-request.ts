/**
 * What the Worker hands the object that serves a live read, already validated and parsed there: the object reads it
 * back as it was written and checks nothing again but what only it knows (the log's life, its tail, its caps).
 */
import type { ReadGrant } from "../domain/read-grants.ts";

/** How a socket's messages are framed: one a frame, or a commit's messages together as a JSON array. */
export type Framing = "message" | "commit";

/** Where a log read starts: its first retained item, its tail (`now`), or after a position of the log. */
export type LogStart<P> = { kind: "beginning" } | { kind: "now" } | { kind: "after"; position: P };

/** A Durable Streams read: catch-up (`live` none), long-poll, or Server-Sent Events. */
export interface LogRead<P> {
  start: LogStart<P>;
  live: "none" | "long-poll" | "sse";
  /** The client's `cursor`, a whole number; null when it sent none. */
  cursor: number | null;
  ifNoneMatch: string | null;
}

/** `R`: where a WebSocket or event-stream subscriber resumes; `P`: a position in the object's log. */
export type SubscriptionRequest<R, P> = { grant: ReadGrant | null } & (
  | { transport: "websocket"; resume: R | null; framing: Framing }
  | { transport: "event-stream"; resume: R | null }
  | { transport: "log"; read: LogRead<P> }
);

const HEADER = "x-subscription";

/** The internal request to the object: its path names nothing; the header carries the whole request. */
export function subscriptionInit<R, P>(request: SubscriptionRequest<R, P>, headers: HeadersInit = {}): RequestInit {
  const all = new Headers(headers);
  all.set(HEADER, JSON.stringify(request));
  return { headers: all };
}

/**
 * The request the Worker wrote (only the Worker reaches an object's fetch); null from a Worker of a version before
 * this form, which a rolling deployment may still run for a moment.
 */
export function subscriptionOf<R, P>(request: Request): SubscriptionRequest<R, P> | null {
  const text = request.headers.get(HEADER);
  return text === null ? null : (JSON.parse(text) as SubscriptionRequest<R, P>);
}

/** The answer to a Worker of an earlier version: the client retries, and reaches a Worker of this one. */
export function earlierWorker(): Response {
  return new Response("a Worker of an earlier version: retry", { status: 503, headers: { "retry-after": "1" } });
}
