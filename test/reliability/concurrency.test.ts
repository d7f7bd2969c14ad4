/**
 * Concurrent submission to one session, recorded as a history of requests and responses on a logical clock and
 * checked afterwards (test/support/checks.ts): nothing acknowledged is lost, duplicated or reordered.
 */
import { abortAllDurableObjects, evictDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import type { IngestReply, SessionView } from "../../src/contracts/replies.ts";
import { api, json, newThreadId } from "../support/api.ts";
import { providerEvent } from "../support/arbitraries.ts";
import { historyViolations, logViolations, type Operation } from "../support/checks.ts";
import { readSession, readWholeLog, sessionPolicy, sessionStub } from "../support/session-object.ts";

const BURST = 200;
const CLIENTS = 20;
const OPS_PER_CLIENT = 10;
const BATCH = 5;
const POOL = 1500;

/** A few heavy runs: each is about 2,000 events in 450 requests. FC_RUNS raises them with the rest. */
const numRuns = Math.max(3, Math.ceil(inject("fastCheck").runs / 50));

const totals = { runs: 0, writes: 0, reads: 0, events: 0, duplicates: 0, stored: 0 };

/** Runs requests against one session and keeps every invocation and response on one logical clock. */
function recorder(threadId: string) {
  let clock = 0;
  const history: Operation[] = [];
  return {
    history,
    async write(events: RuntimeEvent[]) {
      const invokedAt = ++clock;
      const response = await api.post(threadId, events);
      const results = response.status === 200 ? (await json<IngestReply>(response)).results : [];
      history.push({ kind: "write", invokedAt, completedAt: ++clock, events, status: response.status, results });
    },
    async read() {
      const invokedAt = ++clock;
      const response = await api.get(threadId);
      const lastSeq = response.status === 200 ? (await json<SessionView>(response)).lastSeq : 0;
      history.push({ kind: "read", invokedAt, completedAt: ++clock, status: response.status, lastSeq });
    },
  };
}

/** Indices into the pool, unbiased: drawing 5 of 1,500 per request repeats events across and within requests. */
const batch = fc.array(fc.noBias(fc.nat({ max: POOL - 1 })), { minLength: BATCH, maxLength: BATCH });

const scenario = fc.record({
  pool: fc.array(providerEvent, { minLength: POOL, maxLength: POOL }),
  burst: fc.array(batch, { minLength: BURST, maxLength: BURST }),
  // null: a read instead of a write.
  clients: fc.array(fc.array(fc.option(batch, { freq: 5 }), { minLength: OPS_PER_CLIENT, maxLength: OPS_PER_CLIENT }), {
    minLength: CLIENTS,
    maxLength: CLIENTS,
  }),
});

describe("concurrent submission to one session", () => {
  it("stores every acknowledged event exactly once, in gap-free seq order consistent with real time", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ pool, burst, clients }) => {
        const threadId = newThreadId();
        const events = pool.map((event) => ({ ...event, threadId }));
        const batchOf = (picks: number[]) => picks.map((pick) => events[pick] as RuntimeEvent);
        const run = recorder(threadId);

        // 200 POSTs in flight at once, reads among them.
        await Promise.all([
          ...burst.map((picks) => run.write(batchOf(picks))),
          ...Array.from({ length: 20 }, () => run.read()),
        ]);
        // 20 clients, each sending its requests one after another: real-time order the history can check.
        await Promise.all(
          clients.map(async (ops) => {
            for (const picks of ops) await (picks === null ? run.read() : run.write(batchOf(picks)));
          }),
        );

        const view = await readSession(threadId);
        const log = await readWholeLog(threadId);
        expect(historyViolations(run.history, log)).toEqual([]);
        expect(logViolations(view, log, sessionPolicy())).toEqual([]);

        // Acknowledged means durable: the object reloaded from storage answers the same.
        await evictDurableObject(sessionStub(threadId));
        expect({ view: await readSession(threadId), log: await readWholeLog(threadId) }).toEqual({ view, log });
        await abortAllDurableObjects();
        expect({ view: await readSession(threadId), log: await readWholeLog(threadId) }).toEqual({ view, log });

        const writes = run.history.flatMap((op) => (op.kind === "write" ? [op] : []));
        totals.runs += 1;
        totals.writes += writes.length;
        totals.reads += run.history.length - writes.length;
        totals.events += writes.reduce((sum, op) => sum + op.events.length, 0);
        totals.duplicates += writes.reduce(
          (sum, op) => sum + op.results.filter((r) => r.outcome === "duplicate").length,
          0,
        );
        totals.stored += log.length;
      }),
      { numRuns },
    );
    console.info(
      `concurrency: ${totals.runs} runs, ${totals.writes} concurrent POSTs and ${totals.reads} reads, ${totals.events} events ` +
        `(${totals.duplicates} answered duplicate, ${totals.stored} stored); 0 lost, 0 duplicated, 0 reordered`,
    );
  }, 300_000);
});
