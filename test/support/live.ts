/** A live subscriber for tests: opens the WebSocket or the SSE stream through the Worker and records every message. */
import { expect } from "vitest";
import type { StreamMessage } from "../../src/contracts/stream.ts";
import { type RequestOptions, request, sessionPath } from "./api.ts";

export interface Subscriber<M = StreamMessage> {
  messages: M[];
  /** Resolves once a message satisfies the predicate (already received or still to come). */
  until(predicate: (message: M) => boolean): Promise<M>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

type Waiter<M> = { predicate: (message: M) => boolean; resolve: (message: M) => void };

function recorder<M = StreamMessage>() {
  const messages: M[] = [];
  const waiters: Waiter<M>[] = [];
  const receive = (message: M) => {
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (!waiter.predicate(message)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  };
  const until = (predicate: Waiter<M>["predicate"]) => {
    const seen = messages.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<M>((resolve) => waiters.push({ predicate, resolve }));
  };
  return { messages, receive, until };
}

/** A WebSocket subscriber also keeps its text frames as received (with `frames=commit`, JSON arrays). */
export type SocketSubscriber<M> = Subscriber<M> & { frames: string[] };

export function openLive(
  threadId: string,
  after?: string,
  options: RequestOptions & { query?: string } = {},
): Promise<SocketSubscriber<StreamMessage>> {
  return openWebSocket<StreamMessage>(`${sessionPath(threadId)}/live`, after, options);
}

/** Opens any of the service's WebSocket routes and records its messages. */
export async function openWebSocket<M>(
  path: string,
  after?: string,
  options: RequestOptions & { query?: string } = {},
): Promise<SocketSubscriber<M>> {
  const params = new URLSearchParams(options.query);
  if (after !== undefined) params.set("after", after);
  const query = params.size === 0 ? "" : `?${params}`;
  const response = await request("GET", `${path}${query}`, undefined, {
    ...options,
    headers: { upgrade: "websocket", ...options.headers },
  });
  expect(response.status).toBe(101);
  const socket = response.webSocket;
  if (socket === null) throw new Error("no WebSocket in the 101 response");
  const { messages, receive, until } = recorder<M>();
  const frames: string[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })),
  );
  socket.addEventListener("message", (event) => {
    frames.push(String(event.data));
    const parsed = JSON.parse(String(event.data)) as M | M[];
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) receive(message);
  });
  socket.accept();
  return { messages, frames, until, closed, close: () => socket.close(1000, "done") };
}

export interface SseEvent {
  event: string;
  id: string | null;
  data: StreamMessage;
  /** The data line as received. */
  raw: string;
}

/** Opens the SSE route and parses its frames as they arrive; comments (heartbeats) are skipped. */
export async function openStream(
  threadId: string,
  query = "",
  headers: Record<string, string> = {},
  token?: string | null,
): Promise<
  Subscriber & {
    events: SseEvent[];
    comments: string[];
    untilComments(count: number): Promise<void>;
    response: Response;
  }
> {
  const response = await request("GET", `${sessionPath(threadId)}/stream${query}`, undefined, {
    headers,
    ...(token === undefined ? {} : { token }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const { messages, receive, until } = recorder();
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const commentWaiters: Array<{ count: number; resolve: () => void }> = [];
  const untilComments = (count: number) =>
    comments.length >= count
      ? Promise.resolve()
      : new Promise<void>((resolve) => commentWaiters.push({ count, resolve }));
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const closed = (async () => {
    let buffered = "";
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return { code: 1000, reason: "ended" };
      buffered += decoder.decode(value, { stream: true });
      for (let end = buffered.indexOf("\n\n"); end >= 0; end = buffered.indexOf("\n\n")) {
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const fields = new Map<string, string>();
        for (const line of frame.split("\n")) {
          if (line.startsWith(":")) {
            comments.push(line.slice(1).trim());
            for (const waiter of commentWaiters.filter((w) => comments.length >= w.count)) waiter.resolve();
            continue;
          }
          const colon = line.indexOf(": ");
          const [name, value] = [line.slice(0, colon), line.slice(colon + 2)];
          // Data spread over several lines is joined with line breaks, as SSE does.
          const before = fields.get(name);
          fields.set(name, name === "data" && before !== undefined ? `${before}\n${value}` : value);
        }
        const data = fields.get("data");
        if (data === undefined) continue;
        const message = JSON.parse(data) as StreamMessage;
        events.push({
          event: fields.get("event") ?? "message",
          id: fields.get("id") ?? null,
          data: message,
          raw: data,
        });
        receive(message);
      }
    }
  })();
  return {
    messages,
    until,
    closed,
    close: () => void reader.cancel().catch(() => {}),
    events,
    comments,
    untilComments,
    response,
  };
}

/** The seqs of the entry messages, in the order received. */
export function entrySeqs(messages: readonly StreamMessage[]): number[] {
  return messages.flatMap((message) => (message.type === "entry" ? [message.seq] : []));
}

export const isType =
  <T extends StreamMessage["type"]>(type: T) =>
  (message: StreamMessage): boolean =>
    message.type === type;

export const isEntry = (seq: number) => (message: StreamMessage) => message.type === "entry" && message.seq === seq;
