/**
 * The producer side of "nothing lost": events are buffered per thread, batched, sent in order (one batch in flight
 * per thread) and resent with the same eventIds until the service answers; it deduplicates. A rejection that will
 * not change on retry is reported for exactly the events it names, and the rest of the batch is sent again.
 */
import type { RuntimeEvent } from "../contracts/events.ts";
import { MAX_BODY_BYTES, MAX_EVENTS_PER_BATCH } from "../contracts/limits.ts";
import type { Client } from "./client.ts";
import { ProblemError } from "./problem-error.ts";
import { DEFAULT_RETRY, isTransientStatus, type RetryPolicy, retryDelay } from "./retry.ts";

/** The service's limits, from the zod-free module so the client pulls no schema code into a bundle. */
export const MAX_FORWARDER_BATCH_EVENTS = MAX_EVENTS_PER_BATCH;
export { MAX_BODY_BYTES };

export interface ForwarderOptions {
  /** Events per request, at most 500 (the default). */
  maxBatchEvents?: number;
  /** Bytes of JSON per request, at most 1 MiB; default 1,000,000. */
  maxBatchBytes?: number;
  /** How long a thread's first buffered event waits for company before its batch goes; default 20 ms. */
  flushIntervalMs?: number;
  /** Past this many unsettled events `push` returns a promise that resolves when there is room; default 10,000. */
  maxBufferedEvents?: number;
  /** A request unanswered after this long is abandoned and sent again; default 10 s. */
  requestTimeoutMs?: number;
  retry?: RetryPolicy;
  /** Events the service refused for good (422, 409, …), with its problem; the rest of their batch is resent. */
  onRejected?: (events: RuntimeEvent[], problem: ProblemError) => void;
  /** Stops sending: requests in flight are abandoned and `flush`/`close` reject with the reason. */
  signal?: AbortSignal;
  /** The jitter's source, in [0, 1). */
  random?: () => number;
}

export interface ForwarderCounters {
  /** Events the service stored (applied, recorded or ignored). */
  sent: number;
  /** Events the service already had (a resend after a lost reply). */
  duplicate: number;
  rejected: number;
  /** Requests sent again after a network error, a timeout, a 429 or a 5xx. */
  retried: number;
  /** Events pushed and not yet settled (sent, duplicate or rejected). */
  buffered: number;
}

export interface Forwarder {
  /** Takes the event at once; returns a promise only when the buffer is over its limit (await it: backpressure). */
  push(event: RuntimeEvent): undefined | Promise<void>;
  /** Sends everything buffered now and resolves when nothing is left unsettled. */
  flush(): Promise<void>;
  /** Refuses further pushes, then flushes. */
  close(): Promise<void>;
  readonly counters: Readonly<ForwarderCounters>;
}

interface Pending {
  event: RuntimeEvent;
  bytes: number;
}

interface Lane {
  queue: Pending[];
  queuedBytes: number;
  sending: boolean;
  timer: ReturnType<typeof setTimeout> | null;
}

const encoder = new TextEncoder();

export function createForwarder(client: Pick<Client, "ingest">, options: ForwarderOptions = {}): Forwarder {
  const maxEvents = Math.min(options.maxBatchEvents ?? MAX_FORWARDER_BATCH_EVENTS, MAX_FORWARDER_BATCH_EVENTS);
  const maxBytes = Math.min(options.maxBatchBytes ?? 1_000_000, MAX_BODY_BYTES);
  const flushIntervalMs = options.flushIntervalMs ?? 20;
  const maxBuffered = options.maxBufferedEvents ?? 10_000;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const policy = options.retry ?? DEFAULT_RETRY;
  const random = options.random ?? Math.random;
  const counters: ForwarderCounters = { sent: 0, duplicate: 0, rejected: 0, retried: 0, buffered: 0 };
  const lanes = new Map<string, Lane>();
  let roomWaiters: Array<{ resolve: () => void; reject: (reason: unknown) => void }> = [];
  let drainWaiters: Array<{ resolve: () => void; reject: (reason: unknown) => void }> = [];
  let flushing = 0;
  let closed = false;
  let failure: { reason: unknown } | null = null;
  /**
   * Requests under way and waits before a retry, all ended by the forwarder's one listener on `options.signal`:
   * a listener each would put one per thread on the caller's signal (Node 20 warns past 10).
   */
  const cancels = new Set<(reason: unknown) => void>();

  const fail = (reason: unknown) => {
    if (failure !== null) return;
    failure = { reason };
    options.signal?.removeEventListener("abort", onAbort);
    for (const cancel of cancels) cancel(reason);
    cancels.clear();
    for (const lane of lanes.values()) if (lane.timer !== null) clearTimeout(lane.timer);
    for (const waiter of [...roomWaiters, ...drainWaiters]) waiter.reject(reason);
    roomWaiters = [];
    drainWaiters = [];
  };
  const onAbort = () => fail(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });

  const settle = (count: number) => {
    counters.buffered -= count;
    if (counters.buffered < maxBuffered) {
      for (const waiter of roomWaiters) waiter.resolve();
      roomWaiters = [];
    }
    if (counters.buffered === 0) {
      for (const waiter of drainWaiters) waiter.resolve();
      drainWaiters = [];
    }
  };

  const reject = (events: Pending[], problem: ProblemError) => {
    counters.rejected += events.length;
    try {
      options.onRejected?.(
        events.map((pending) => pending.event),
        problem,
      );
    } catch (error) {
      console.error("onRejected threw", error);
    }
  };

  /** One request, abandoned after the timeout or on the forwarder's signal. */
  const post = async (threadId: string, batch: Pending[]) => {
    if (options.signal?.aborted) throw options.signal.reason;
    const request = new AbortController();
    const timer = setTimeout(() => request.abort(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
    const cancel = (reason: unknown) => request.abort(reason);
    cancels.add(cancel);
    try {
      return await client.ingest(
        threadId,
        batch.map((pending) => pending.event),
        { signal: request.signal },
      );
    } finally {
      clearTimeout(timer);
      cancels.delete(cancel);
    }
  };

  /** The wait before a retry, ended early only on the forwarder's signal. */
  const pause = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (failure !== null) return reject(failure.reason);
      const timer = setTimeout(() => {
        cancels.delete(cancel);
        resolve();
      }, ms);
      const cancel = (reason: unknown) => {
        clearTimeout(timer);
        reject(reason);
      };
      cancels.add(cancel);
    });

  /** Resolves once every event of the batch is stored or reported; only the forwarder's signal ends it early. */
  const deliver = async (threadId: string, batch: Pending[]): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const reply = await post(threadId, batch);
        for (const result of reply.results) {
          if (result.outcome === "duplicate") counters.duplicate += 1;
          else counters.sent += 1;
        }
        return;
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        if (error instanceof ProblemError && !isTransientStatus(error.status)) return refused(threadId, batch, error);
        counters.retried += 1;
        const retryAfterMs = error instanceof ProblemError ? error.retryAfterMs : null;
        await pause(retryDelay(attempt, retryAfterMs, policy, random()));
      }
    }
  };

  const refused = async (threadId: string, batch: Pending[], problem: ProblemError): Promise<void> => {
    if (problem.status === 413 && batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      await deliver(threadId, batch.slice(0, half));
      return deliver(threadId, batch.slice(half));
    }
    if (!EVENT_PROBLEMS.has(problem.status)) return reject(batch, problem);
    const named = namedIndices(problem, batch.length);
    if (named.size === 0) {
      if (batch.length === 1) return reject(batch, problem);
      // The problem does not say which event it is about: send them one by one to find out.
      for (const single of batch) await deliver(threadId, [single]);
      return;
    }
    reject(
      batch.filter((_, index) => named.has(index)),
      problem,
    );
    const rest = batch.filter((_, index) => !named.has(index));
    if (rest.length > 0) await deliver(threadId, rest);
  };

  const takeBatch = (lane: Lane): Pending[] => {
    const batch: Pending[] = [];
    let bytes = 2;
    for (const pending of lane.queue) {
      if (batch.length >= maxEvents || (batch.length > 0 && bytes + pending.bytes + 1 > maxBytes)) break;
      batch.push(pending);
      bytes += pending.bytes + 1;
    }
    lane.queue.splice(0, batch.length);
    lane.queuedBytes -= bytes - 2 - batch.length;
    return batch;
  };

  const send = (threadId: string, lane: Lane) => {
    if (lane.timer !== null) clearTimeout(lane.timer);
    lane.timer = null;
    lane.sending = true;
    const batch = takeBatch(lane);
    deliver(threadId, batch).then(
      () => {
        lane.sending = false;
        settle(batch.length);
        schedule(threadId, lane);
      },
      (error: unknown) => fail(error),
    );
  };

  const schedule = (threadId: string, lane: Lane) => {
    if (lane.sending || failure !== null) return;
    if (lane.queue.length === 0) {
      lanes.delete(threadId);
      return;
    }
    if (flushing > 0 || lane.queue.length >= maxEvents || lane.queuedBytes >= maxBytes) return send(threadId, lane);
    lane.timer ??= setTimeout(() => send(threadId, lane), flushIntervalMs);
  };

  const flush = async () => {
    if (failure !== null) throw failure.reason;
    if (counters.buffered === 0) return;
    flushing += 1;
    try {
      const drained = new Promise<void>((resolve, reject) => drainWaiters.push({ resolve, reject }));
      for (const [threadId, lane] of lanes) schedule(threadId, lane);
      await drained;
    } finally {
      flushing -= 1;
    }
  };

  return {
    push(event) {
      if (closed) throw new Error("the forwarder is closed");
      if (failure !== null) throw failure.reason;
      const bytes = encoder.encode(JSON.stringify(event)).byteLength;
      let lane = lanes.get(event.threadId);
      if (lane === undefined) {
        lane = { queue: [], queuedBytes: 0, sending: false, timer: null };
        lanes.set(event.threadId, lane);
      }
      lane.queue.push({ event, bytes });
      lane.queuedBytes += bytes;
      counters.buffered += 1;
      schedule(event.threadId, lane);
      if (counters.buffered < maxBuffered) return undefined;
      return new Promise<void>((resolve, reject) => roomWaiters.push({ resolve, reject }));
    },
    flush,
    async close() {
      closed = true;
      await flush();
      // Nothing is left to abandon: a caller's long-lived signal keeps no listener of a closed forwarder.
      options.signal?.removeEventListener("abort", onAbort);
    },
    counters,
  };
}

/** Problems about particular events: the pointers say which, and the others can go without them. */
const EVENT_PROBLEMS = new Set([400, 409, 422]);

/** `/3/payload/state` names event 3 of the batch; an empty pointer names a lone event. */
export function namedIndices(problem: ProblemError, batchSize: number): Set<number> {
  const named = new Set<number>();
  for (const { pointer } of problem.errors) {
    if (pointer === "" && batchSize === 1) named.add(0);
    const match = /^\/(\d+)(?:\/|$)/.exec(pointer);
    if (match === null) continue;
    const index = Number(match[1]);
    if (index < batchSize) named.add(index);
  }
  return named;
}
