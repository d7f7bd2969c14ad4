/**
 * The forwarder through a faulty network into the real Worker: every event stored exactly once and in per-thread
 * order, every rejection reported, whatever fails (before sending, after storing, 503, 429, timeouts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createForwarder,
  type ForwarderOptions,
  type ProblemError,
  type RuntimeEvent,
} from "../../src/client/index.ts";
import { PROBLEM_TYPE_PREFIX } from "../../src/contracts/problem.ts";
import { newThreadId } from "../support/api.ts";
import { FAULTS, type Fault, faultyFetch, testClient } from "../support/client-fetch.ts";
import { ev, runtimeEvent } from "../support/events.ts";

const reader = testClient();
const QUICK: ForwarderOptions = {
  retry: { initialDelayMs: 1, maxDelayMs: 20 },
  requestTimeoutMs: 300,
  flushIntervalMs: 5,
};

const delta = (threadId: string, text = "x") => runtimeEvent("content.delta", { delta: text }, { threadId });
const invalid = (threadId: string) => ev.state("asleep", { threadId });

/** A small seeded generator, so a failing schedule replays. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Workload {
  pushed: RuntimeEvent[];
  invalidIds: Set<string>;
}

async function storedIds(threadId: string): Promise<string[]> {
  const ids: string[] = [];
  try {
    for await (const entry of reader.events(threadId, { limit: 1000 })) {
      if (entry.origin === "provider") ids.push(entry.event.eventId);
    }
  } catch (error) {
    if ((error as ProblemError).status !== 404) throw error;
  }
  return ids;
}

/** Each thread's log holds its valid events, each once, in the order they were pushed; nothing else. */
async function expectStoredExactlyOnce({ pushed, invalidIds }: Workload, rejected: RuntimeEvent[]) {
  expect(rejected.map((event) => event.eventId).sort()).toEqual([...invalidIds].sort());
  const threads = [...new Set(pushed.map((event) => event.threadId))];
  for (const threadId of threads) {
    const expected = pushed.filter((e) => e.threadId === threadId && !invalidIds.has(e.eventId)).map((e) => e.eventId);
    expect(await storedIds(threadId)).toEqual(expected);
  }
}

function workload(random: () => number, threads: number, events: number, invalidShare: number): Workload {
  const threadIds = Array.from({ length: threads }, () => newThreadId());
  const pushed: RuntimeEvent[] = [];
  const invalidIds = new Set<string>();
  for (let index = 0; index < events; index++) {
    const threadId = threadIds[Math.floor(random() * threads)] as string;
    const event = random() < invalidShare ? invalid(threadId) : delta(threadId, `e${index}`);
    if (event.type !== "content.delta") invalidIds.add(event.eventId);
    pushed.push(event);
  }
  return { pushed, invalidIds };
}

describe("createForwarder", () => {
  it("stores thousands of events over many threads exactly once, in order, through a faulty network", async () => {
    const random = seeded(7);
    const faults = FAULTS.filter((fault) => fault !== "none");
    const fetch = faultyFetch(() =>
      random() < 0.3 ? (faults[Math.floor(random() * faults.length)] as Fault) : "none",
    );
    const rejected: RuntimeEvent[] = [];
    const forwarder = createForwarder(testClient(fetch), {
      ...QUICK,
      maxBatchEvents: 50,
      maxBufferedEvents: 1000,
      onRejected: (events) => rejected.push(...events),
    });
    const load = workload(random, 50, 4000, 0.01);
    for (const event of load.pushed) await forwarder.push(event);
    await forwarder.close();

    await expectStoredExactlyOnce(load, rejected);
    const valid = load.pushed.length - load.invalidIds.size;
    const { sent, duplicate, rejected: rejectedCount, retried, buffered } = forwarder.counters;
    expect({ stored: sent + duplicate, rejectedCount, buffered }).toEqual({
      stored: valid,
      rejectedCount: load.invalidIds.size,
      buffered: 0,
    });
    expect(retried).toBeGreaterThanOrEqual(fetch.log.requests - fetch.log.faults.none);
    for (const fault of faults) expect(fetch.log.faults[fault]).toBeGreaterThan(0);
    expect(duplicate).toBeGreaterThan(0);
  }, 30_000);

  it("keeps every event and reports every rejection under random fault schedules", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...FAULTS), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer(),
        async (schedule, threads, events, seed) => {
          let next = 0;
          const fetch = faultyFetch(() => schedule[next++] ?? "none");
          const rejected: RuntimeEvent[] = [];
          const forwarder = createForwarder(testClient(fetch), {
            ...QUICK,
            requestTimeoutMs: 60,
            maxBatchEvents: 7,
            onRejected: (batch) => rejected.push(...batch),
          });
          const load = workload(seeded(seed), threads, events, 0.1);
          for (const event of load.pushed) await forwarder.push(event);
          await forwarder.close();
          await expectStoredExactlyOnce(load, rejected);
          expect(forwarder.counters.buffered).toBe(0);
        },
      ),
      { numRuns: 12 },
    );
  }, 30_000);

  it("reports an eventId reused with other content (409) and sends the rest of its batch in order", async () => {
    const threadId = newThreadId();
    const original = delta(threadId, "first");
    const reports: Array<{ ids: string[]; problem: ProblemError }> = [];
    const forwarder = createForwarder(testClient(), {
      ...QUICK,
      onRejected: (events, problem) => reports.push({ ids: events.map((e) => e.eventId), problem }),
    });
    forwarder.push(original);
    await forwarder.flush();
    const before = delta(threadId);
    const after = delta(threadId);
    for (const event of [before, { ...original, payload: { delta: "changed" } }, after]) forwarder.push(event);
    await forwarder.close();
    expect(reports).toHaveLength(1);
    expect(reports[0]?.ids).toEqual([original.eventId]);
    expect(reports[0]?.problem).toMatchObject({ status: 409, type: `${PROBLEM_TYPE_PREFIX}event-id-conflict` });
    expect(await storedIds(threadId)).toEqual([original.eventId, before.eventId, after.eventId]);
  });

  it("sends an event over 1 MiB alone, reports its 413, and keeps its neighbours", async () => {
    const threadId = newThreadId();
    const big = runtimeEvent("content.delta", { delta: "x".repeat(1_100_000) }, { threadId });
    const small = [delta(threadId), delta(threadId)];
    const rejected: Array<[string[], number]> = [];
    const forwarder = createForwarder(testClient(), {
      ...QUICK,
      onRejected: (events, problem) => rejected.push([events.map((e) => e.eventId), problem.status]),
    });
    for (const event of [small[0], big, small[1]]) forwarder.push(event as RuntimeEvent);
    await forwarder.close();
    expect(rejected).toEqual([[[big.eventId], 413]]);
    expect(await storedIds(threadId)).toEqual(small.map((event) => event.eventId));
  });

  it("reports a whole batch the service refuses for reasons not about its events (401)", async () => {
    const threadId = newThreadId();
    const events = [delta(threadId), delta(threadId)];
    const rejected: Array<[number, number]> = [];
    const forwarder = createForwarder(testClient(undefined, "not-a-token"), {
      ...QUICK,
      onRejected: (batch, problem) => rejected.push([batch.length, problem.status]),
    });
    for (const event of events) forwarder.push(event);
    await forwarder.close();
    expect(rejected).toEqual([[2, 401]]);
    expect(forwarder.counters).toMatchObject({ rejected: 2, sent: 0, buffered: 0 });
  });

  it("returns a promise from push when the buffer is full, resolved once there is room", async () => {
    const threadId = newThreadId();
    const forwarder = createForwarder(testClient(), { ...QUICK, maxBufferedEvents: 3 });
    expect(forwarder.push(delta(threadId))).toBeUndefined();
    expect(forwarder.push(delta(threadId))).toBeUndefined();
    const full = forwarder.push(delta(threadId));
    expect(full).toBeInstanceOf(Promise);
    await full;
    expect(forwarder.counters.buffered).toBeLessThan(3);
    await forwarder.close();
    expect(forwarder.counters).toMatchObject({ sent: 3, buffered: 0 });
    expect(() => forwarder.push(delta(threadId))).toThrow("closed");
  });

  it("stops at its AbortSignal, and flush rejects with the reason", async () => {
    const controller = new AbortController();
    const fetch = faultyFetch(() => "timeout");
    const forwarder = createForwarder(testClient(fetch), {
      ...QUICK,
      requestTimeoutMs: 60_000,
      signal: controller.signal,
    });
    forwarder.push(delta(newThreadId()));
    const flushed = forwarder.flush();
    while (fetch.log.requests === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    controller.abort(new Error("shutting down"));
    await expect(flushed).rejects.toThrow("shutting down");
    expect(forwarder.counters.buffered).toBe(1);
  });
});
