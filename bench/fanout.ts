/**
 * Live fan-out: FANOUT_SUBSCRIBERS WebSockets on one session's `/live` while it ingests FANOUT_RATE events/s (one
 * event a request, sent on a fixed schedule, each carrying its send time). Every subscriber must see every event,
 * seqs contiguous; delivery latency is send → receipt. Then the ingest rate at full speed with and without the
 * subscribers attached. The load generator and the subscribers share this one Node process.
 */
import { type LoadOptions, load, percentile, round, type ScenarioResult } from "./load.ts";
import { authorizedWebSocket, cpuMs, roles } from "./processes.ts";
import { HEADERS, post, run } from "./scenarios.ts";
import type { RunningWorker } from "./wrangler-dev.ts";

export interface FanoutSettings {
  subscribers: number;
  ratePerSecond: number;
  /** The sockets' framing: `commit` (one frame a commit, the default here) or `message` (one frame a message). */
  frames: "commit" | "message";
  seconds: number;
  connections: number;
}

export interface FanoutFigures {
  subscribers: number;
  sent: number;
  accepted: number;
  /** Events answered per second over the steady phase: below the asked rate, the session could not keep up. */
  achievedRate: number;
  /** Deliveries that did not arrive, summed over subscribers (sent and accepted events only). */
  missing: number;
  /** Entries whose seq was not the previous one + 1, summed over subscribers. */
  orderViolations: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  /** The POSTs' own send → response times in the same phase: what delivery cannot beat. */
  answerP50Ms: number;
  answerP99Ms: number;
  ingestWithout: ScenarioResult;
  ingestWith: ScenarioResult;
  /** Ingest req/s with the subscribers attached ÷ without. */
  throughputRatio: number;
  /** CPU of the Worker's workerd per ingest request at full speed, without and with the subscribers. */
  workerCpuMsPerRequestWithout: number;
  workerCpuMsPerRequestWith: number;
  /** CPU of this process (the load generator and the subscribers) per request with the subscribers. */
  generatorCpuMsPerRequestWith: number;
}

interface Subscriber {
  socket: WebSocket;
  lastSeq: number | null;
  received: Set<string>;
  violations: number;
}

/** User and system CPU of this process so far, in ms. */
const processCpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A streamed text delta; `sentAt` (this process's clock) marks the events whose delivery is timed. */
function delta(threadId: string, key: string, sentAt?: number) {
  return {
    eventId: `fanout-${run}-${key}`,
    type: "content.delta",
    provider: "codex",
    threadId,
    createdAt: new Date().toISOString(),
    turnId: "turn-1",
    itemId: "item-1",
    payload: {
      streamKind: "assistant_text",
      delta: "Running the test suite… ",
      ...(sentAt === undefined ? {} : { sentAt }),
    },
  };
}

async function subscribe(
  origin: string,
  threadId: string,
  frames: FanoutSettings["frames"],
  latencies: number[],
  counting: () => boolean,
) {
  const url = `${origin.replace(/^http/, "ws")}/v1/sessions/${threadId}/live?frames=${frames}`;
  const socket = authorizedWebSocket(url, HEADERS.authorization);
  const subscriber: Subscriber = { socket, lastSeq: null, received: new Set(), violations: 0 };
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("message", (message) => {
      const receivedAt = performance.now();
      if (counting()) return;
      type Received = { type: string; seq?: number; event?: { eventId: string; payload?: { sentAt?: number } } };
      const parsed = JSON.parse(String(message.data)) as Received | Received[];
      for (const data of Array.isArray(parsed) ? parsed : [parsed]) {
        if (data.type === "snapshot") resolve();
        if (data.type !== "entry" || data.seq === undefined || data.event === undefined) continue;
        if (subscriber.lastSeq !== null && data.seq !== subscriber.lastSeq + 1) subscriber.violations += 1;
        subscriber.lastSeq = data.seq;
        subscriber.received.add(data.event.eventId);
        const sentAt = data.event.payload?.sentAt;
        if (sentAt !== undefined) latencies.push(receivedAt - sentAt);
      }
    });
    socket.addEventListener("error", () => reject(new Error(`WebSocket to ${url} failed`)), { once: true });
  });
  return subscriber;
}

export async function measureFanout(worker: RunningWorker, settings: FanoutSettings): Promise<FanoutFigures> {
  const threadId = `fanout-${run}-${worker.path}`;
  await post(worker.origin, threadId, delta(threadId, "first"));
  const latencies: number[] = [];
  let onlyCount = false;
  const subscribers = await Promise.all(
    Array.from({ length: settings.subscribers }, () =>
      subscribe(worker.origin, threadId, settings.frames, latencies, () => onlyCount),
    ),
  );

  const total = Math.round(settings.ratePerSecond * settings.seconds);
  const accepted: string[] = [];
  const answers: number[] = [];
  const sends: Promise<void>[] = [];
  const started = performance.now();
  for (let index = 0; index < total; index += 1) {
    const due = started + (index * 1000) / settings.ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const sentAt = performance.now();
    const event = delta(threadId, String(index), sentAt);
    sends.push(
      post(worker.origin, threadId, event).then(
        () => {
          answers.push(performance.now() - sentAt);
          accepted.push(event.eventId);
        },
        () => undefined,
      ),
    );
  }
  await Promise.all(sends);
  const achievedRate = round(accepted.length / ((performance.now() - started) / 1000));
  const deadline = performance.now() + 10_000;
  const allArrived = () =>
    subscribers.every((subscriber) => accepted.every((eventId) => subscriber.received.has(eventId)));
  while (!allArrived() && performance.now() < deadline) await sleep(50);
  const missing = subscribers.reduce(
    (sum, subscriber) => sum + accepted.filter((eventId) => !subscriber.received.has(eventId)).length,
    0,
  );
  latencies.sort((a, b) => a - b);
  answers.sort((a, b) => a - b);

  let fullSpeed = 0;
  const maxRate = (id: string): LoadOptions => ({
    origin: worker.origin,
    connections: settings.connections,
    seconds: settings.seconds,
    method: "POST",
    headers: HEADERS,
    next: () => ({
      path: `/v1/sessions/${id}/events`,
      body: JSON.stringify(delta(id, `full-${fullSpeed++}`)),
      events: 1,
    }),
  });
  // Both sides share this machine's cores: the Worker's CPU per request says what fan-out costs the service,
  // this process's CPU what it costs the 100 subscribers (and the generator) here.
  const pids = roles(worker).worker;
  const measured = async (run: () => Promise<ScenarioResult>) => {
    const before = { worker: cpuMs(pids), generator: processCpuMs() };
    const result = await run();
    const requests = Math.max(result.requests, 1);
    return {
      result,
      workerMs: round((cpuMs(pids) - before.worker) / requests, 3),
      generatorMs: round((processCpuMs() - before.generator) / requests, 3),
    };
  };
  const without = await measured(() =>
    load(`${worker.path}: ingest at full speed, no subscriber`, maxRate(`fanout-none-${run}-${worker.path}`)),
  );
  // Counting only: parsing every frame here would make this process, not the Worker, the bottleneck.
  onlyCount = true;
  const attached = await measured(() =>
    load(`${worker.path}: ingest at full speed, ${settings.subscribers} subscribers`, maxRate(threadId)),
  );
  const ingestWithout = without.result;
  const ingestWith = attached.result;
  for (const subscriber of subscribers) subscriber.socket.close(1000);

  return {
    subscribers: settings.subscribers,
    sent: total,
    accepted: accepted.length,
    achievedRate,
    missing,
    orderViolations: subscribers.reduce((sum, subscriber) => sum + subscriber.violations, 0),
    latencyP50Ms: round(percentile(latencies, 50), 1),
    latencyP99Ms: round(percentile(latencies, 99), 1),
    latencyMaxMs: round(latencies.at(-1) ?? Number.NaN, 1),
    answerP50Ms: round(percentile(answers, 50), 1),
    answerP99Ms: round(percentile(answers, 99), 1),
    ingestWithout,
    ingestWith,
    throughputRatio: round(ingestWith.requestsPerSecond / Math.max(ingestWithout.requestsPerSecond, 1e-9), 2),
    workerCpuMsPerRequestWithout: without.workerMs,
    workerCpuMsPerRequestWith: attached.workerMs,
    generatorCpuMsPerRequestWith: attached.generatorMs,
  };
}
