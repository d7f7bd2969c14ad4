/**
 * The fan-out's subscribers (WebSockets or SSE streams), on a thread of their own so their parsing never delays the paced POSTs (the two
 * still share this machine's cores with workerd). Driven by the main thread with messages:
 * `expect` (the accepted eventIds: reply with what arrived), `count-only` (stop parsing), `close`.
 */

import { get as httpGet } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { parentPort, workerData } from "node:worker_threads";
import { authorizedWebSocket, wallClockMs as now } from "./processes.ts";

export interface SubscribersSetup {
  /** A `/live` URL (WebSocket) or a `/stream` URL (Server-Sent Events, read from the fetch body). */
  url: string;
  authorization: string;
  count: number;
}

export type ToSubscribers =
  | { type: "expect"; eventIds: string[]; waitMs: number }
  | { type: "count-only" }
  | { type: "close" };

export type FromSubscribers =
  | { type: "ready" }
  | { type: "report"; missing: number; orderViolations: number; latencies: number[] }
  | { type: "closed" };

interface Subscriber {
  close: () => void;
  lastSeq: number | null;
  received: Set<string>;
  violations: number;
}

type Received = { type: string; seq?: number; event?: { eventId: string; payload?: { sentAt?: number } } };

const setup = workerData as SubscribersSetup;
const port = parentPort;
if (port === null) throw new Error("fanout-subscribers runs as a worker thread");
const latencies: number[] = [];
let onlyCount = false;

/** Checks order and records arrival of one received message (a frame or SSE event may hold several). */
function receive(subscriber: Subscriber, text: string, receivedAt: number, synchronized: () => void): void {
  if (onlyCount) return;
  const parsed = JSON.parse(text) as Received | Received[];
  for (const data of Array.isArray(parsed) ? parsed : [parsed]) {
    if (data.type === "snapshot") synchronized();
    if (data.type !== "entry" || data.seq === undefined || data.event === undefined) continue;
    if (subscriber.lastSeq !== null && data.seq !== subscriber.lastSeq + 1) subscriber.violations += 1;
    subscriber.lastSeq = data.seq;
    subscriber.received.add(data.event.eventId);
    const sentAt = data.event.payload?.sentAt;
    if (sentAt !== undefined) latencies.push(receivedAt - sentAt);
  }
}

function subscribeSocket(): Promise<Subscriber> {
  const socket = authorizedWebSocket(setup.url, setup.authorization);
  const subscriber: Subscriber = { close: () => socket.close(1000), lastSeq: null, received: new Set(), violations: 0 };
  return new Promise((resolve, reject) => {
    socket.addEventListener("message", (message) =>
      receive(subscriber, String(message.data), now(), () => resolve(subscriber)),
    );
    socket.addEventListener("error", () => reject(new Error(`WebSocket to ${setup.url} failed`)), { once: true });
  });
}

/** node:http, not fetch: a web stream per chunk costs this thread more than the chunk does. */
function subscribeStream(): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const request = httpGet(setup.url, { headers: { authorization: setup.authorization } }, (response) => {
      if (response.statusCode !== 200) reject(new Error(`${setup.url} answered ${response.statusCode}`));
      const subscriber: Subscriber = {
        close: () => request.destroy(),
        lastSeq: null,
        received: new Set(),
        violations: 0,
      };
      let buffered = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        const receivedAt = now();
        buffered += chunk;
        for (let end = buffered.indexOf("\n\n"); end >= 0; end = buffered.indexOf("\n\n")) {
          const data = buffered
            .slice(0, end)
            .split("\n")
            .find((line) => line.startsWith("data: "));
          buffered = buffered.slice(end + 2);
          if (data !== undefined) receive(subscriber, data.slice(6), receivedAt, () => resolve(subscriber));
        }
      });
    });
    request.on("error", (error) => reject(error));
  });
}

const subscribe = new URL(setup.url).pathname.endsWith("/stream") ? subscribeStream : subscribeSocket;

const subscribers = await Promise.all(Array.from({ length: setup.count }, subscribe));
port.postMessage({ type: "ready" } satisfies FromSubscribers);

port.on("message", async (message: ToSubscribers) => {
  if (message.type === "expect") {
    const deadline = now() + message.waitMs;
    const allArrived = () => subscribers.every((s) => message.eventIds.every((eventId) => s.received.has(eventId)));
    while (!allArrived() && now() < deadline) await sleep(50);
    const missing = subscribers.reduce(
      (sum, s) => sum + message.eventIds.filter((eventId) => !s.received.has(eventId)).length,
      0,
    );
    const orderViolations = subscribers.reduce((sum, s) => sum + s.violations, 0);
    port.postMessage({ type: "report", missing, orderViolations, latencies } satisfies FromSubscribers);
  } else if (message.type === "count-only") {
    onlyCount = true;
  } else {
    for (const subscriber of subscribers) subscriber.close();
    port.postMessage({ type: "closed" } satisfies FromSubscribers);
    port.close();
  }
});
