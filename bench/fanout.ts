/**
 * Live fan-out: FANOUT_SUBSCRIBERS WebSockets on one session's `/live` while it ingests FANOUT_RATE events/s (one
 * event a request, sent on a fixed schedule, each carrying its send time). Every subscriber must see every event,
 * seqs contiguous; delivery latency is send → receipt. Then the ingest rate at full speed with and without the
 * subscribers attached. The load generator and the subscribers share this one Node process, the subscribers on a
 * thread of their own.
 */

import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import type { FromSubscribers, SubscribersSetup, ToSubscribers } from "./fanout-subscribers.ts";
import { type LoadOptions, load, percentile, round, type ScenarioResult } from "./load.ts";
import { cpuMs, roles, wallClockMs } from "./processes.ts";
import { HEADERS, post, run } from "./scenarios.ts";
import type { RunningWorker } from "./wrangler-dev.ts";

export interface FanoutSettings {
  subscribers: number;
  ratePerSecond: number;
  /** The sockets' framing: `commit` (one frame a commit, the default here) or `message` (one frame a message). */
  frames: "commit" | "message";
  /** `live` (WebSockets, the default) or `stream` (Server-Sent Events, as the client library and dashboard use). */
  transport: "live" | "stream";
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
  /** The same pace into a session nobody listens to. */
  unheardAnswerP50Ms: number;
  unheardAnswerP99Ms: number;
  /** The same pace into the reference's bare write: the platform's own answer time on this machine. */
  bareWriteAnswerP50Ms: number;
  bareWriteAnswerP99Ms: number;
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

/** User and system CPU of this process so far, in ms. */
const processCpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

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

/** Starts the subscribers' thread; resolves once every subscriber has its snapshot. */
async function startSubscribers(setup: SubscribersSetup) {
  const thread = new Worker(new URL("./fanout-subscribers.ts", import.meta.url), { workerData: setup });
  const replies: FromSubscribers[] = [];
  const waiting: Array<(reply: FromSubscribers) => void> = [];
  thread.on("message", (reply: FromSubscribers) => {
    const resolve = waiting.shift();
    if (resolve === undefined) replies.push(reply);
    else resolve(reply);
  });
  const failed = new Promise<never>((_, reject) => thread.once("error", reject));
  const next = () =>
    Promise.race([
      failed,
      new Promise<FromSubscribers>((resolve) => {
        const reply = replies.shift();
        if (reply === undefined) waiting.push(resolve);
        else resolve(reply);
      }),
    ]);
  await next();
  return {
    async request(message: ToSubscribers): Promise<FromSubscribers> {
      thread.postMessage(message);
      return next();
    },
    tell(message: ToSubscribers): void {
      thread.postMessage(message);
    },
  };
}

/**
 * Sends `count` requests at `ratePerSecond` on a fixed schedule (never waiting for answers, as a provider would
 * not); `send` gets the send time (wallClockMs) and says whether the request was accepted.
 */
async function paced(
  count: number,
  ratePerSecond: number,
  send: (index: number, sentAt: number) => Promise<boolean>,
): Promise<{ answers: number[]; achievedRate: number }> {
  const answers: number[] = [];
  const sends: Promise<void>[] = [];
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    const wait = started + (index * 1000) / ratePerSecond - performance.now();
    if (wait > 1) await sleep(wait);
    const sentAt = wallClockMs();
    sends.push(
      send(index, sentAt).then(
        (accepted) => void (accepted && answers.push(wallClockMs() - sentAt)),
        () => undefined,
      ),
    );
  }
  await Promise.all(sends);
  const achievedRate = round(answers.length / ((performance.now() - started) / 1000));
  return { answers: answers.sort((a, b) => a - b), achievedRate };
}

export async function measureFanout(
  worker: RunningWorker,
  reference: RunningWorker,
  settings: FanoutSettings,
): Promise<FanoutFigures> {
  const threadId = `fanout-${run}-${worker.path}`;
  await post(worker.origin, threadId, delta(threadId, "first"));
  const subscribers = await startSubscribers({
    url:
      settings.transport === "stream"
        ? `${worker.origin}/v1/sessions/${threadId}/stream`
        : `${worker.origin.replace(/^http/, "ws")}/v1/sessions/${threadId}/live?frames=${settings.frames}`,
    authorization: HEADERS.authorization,
    count: settings.subscribers,
  });

  const total = Math.round(settings.ratePerSecond * settings.seconds);
  // The yardsticks at the same pace: the platform's own bare write, and ingest with nobody listening.
  const bareWrite = await paced(total, settings.ratePerSecond, (index) =>
    fetch(`${reference.origin}/body/fanout-${run}-${worker.path}`, {
      method: "POST",
      body: JSON.stringify(delta(threadId, `bare-${index}`)),
    }).then((response) => response.ok),
  );
  const quietId = `fanout-quiet-${run}-${worker.path}`;
  const unheard = await paced(total, settings.ratePerSecond, (index) =>
    post(worker.origin, quietId, delta(quietId, `quiet-${index}`)).then(() => true),
  );
  const accepted: string[] = [];
  const heard = await paced(total, settings.ratePerSecond, (index, sentAt) => {
    const event = delta(threadId, String(index), sentAt);
    return post(worker.origin, threadId, event).then(() => accepted.push(event.eventId) > 0);
  });
  const report = await subscribers.request({ type: "expect", eventIds: accepted, waitMs: 10_000 });
  if (report.type !== "report") throw new Error(`the subscribers answered ${report.type}`);
  const latencies = report.latencies.sort((a, b) => a - b);

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
  subscribers.tell({ type: "count-only" });
  const attached = await measured(() =>
    load(`${worker.path}: ingest at full speed, ${settings.subscribers} subscribers`, maxRate(threadId)),
  );
  const ingestWithout = without.result;
  const ingestWith = attached.result;
  await subscribers.request({ type: "close" });

  return {
    subscribers: settings.subscribers,
    sent: total,
    accepted: accepted.length,
    achievedRate: heard.achievedRate,
    missing: report.missing,
    orderViolations: report.orderViolations,
    latencyP50Ms: round(percentile(latencies, 50), 1),
    latencyP99Ms: round(percentile(latencies, 99), 1),
    latencyMaxMs: round(latencies.at(-1) ?? Number.NaN, 1),
    answerP50Ms: round(percentile(heard.answers, 50), 1),
    answerP99Ms: round(percentile(heard.answers, 99), 1),
    unheardAnswerP50Ms: round(percentile(unheard.answers, 50), 1),
    unheardAnswerP99Ms: round(percentile(unheard.answers, 99), 1),
    bareWriteAnswerP50Ms: round(percentile(bareWrite.answers, 50), 1),
    bareWriteAnswerP99Ms: round(percentile(bareWrite.answers, 99), 1),
    ingestWithout,
    ingestWith,
    throughputRatio: round(ingestWith.requestsPerSecond / Math.max(ingestWithout.requestsPerSecond, 1e-9), 2),
    workerCpuMsPerRequestWithout: without.workerMs,
    workerCpuMsPerRequestWith: attached.workerMs,
    generatorCpuMsPerRequestWith: attached.generatorMs,
  };
}
