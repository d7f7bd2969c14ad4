/**
 * The fan-out's subscribers, on a thread of their own so their parsing never delays the paced POSTs (the two
 * still share this machine's cores with workerd). Driven by the main thread with messages:
 * `expect` (the accepted eventIds: reply with what arrived), `count-only` (stop parsing), `close`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { authorizedWebSocket, wallClockMs as now } from "./processes.ts";

export interface SubscribersSetup {
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
  socket: WebSocket;
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

function subscribe(): Promise<Subscriber> {
  const socket = authorizedWebSocket(setup.url, setup.authorization);
  const subscriber: Subscriber = { socket, lastSeq: null, received: new Set(), violations: 0 };
  return new Promise((resolve, reject) => {
    socket.addEventListener("message", (message) => {
      const receivedAt = now();
      if (onlyCount) return;
      const parsed = JSON.parse(String(message.data)) as Received | Received[];
      for (const data of Array.isArray(parsed) ? parsed : [parsed]) {
        if (data.type === "snapshot") resolve(subscriber);
        if (data.type !== "entry" || data.seq === undefined || data.event === undefined) continue;
        if (subscriber.lastSeq !== null && data.seq !== subscriber.lastSeq + 1) subscriber.violations += 1;
        subscriber.lastSeq = data.seq;
        subscriber.received.add(data.event.eventId);
        const sentAt = data.event.payload?.sentAt;
        if (sentAt !== undefined) latencies.push(receivedAt - sentAt);
      }
    });
    socket.addEventListener("error", () => reject(new Error(`WebSocket to ${setup.url} failed`)), { once: true });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
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
    for (const subscriber of subscribers) subscriber.socket.close(1000);
    port.postMessage({ type: "closed" } satisfies FromSubscribers);
    port.close();
  }
});
