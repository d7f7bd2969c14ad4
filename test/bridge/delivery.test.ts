/** Bridge delivery: the spool as a write-ahead log, the bounded wait at the end, and the resend by the next run. */
import { describe, expect, it } from "vitest";
import { createDelivery } from "../../src/bridge/delivery.ts";
import { memorySpool, spoolLines, spoolText } from "../../src/bridge/spool.ts";
import type { IngestReply } from "../../src/client/index.ts";
import type { RuntimeEvent } from "../../src/contracts/events.ts";

const THREAD = "spool-thread";

function event(n: number): RuntimeEvent {
  return {
    eventId: `e-${n}`,
    type: "content.delta",
    provider: "codex",
    threadId: THREAD,
    createdAt: "2026-12-06T00:00:00.000Z",
    payload: { delta: `${n}` },
  };
}

/**
 * A service that can be stopped (and stops by itself once it stored `stopAfter` events): while down every request
 * fails as an unreachable host does; it dedupes by eventId.
 */
function service(stopAfter = Number.POSITIVE_INFINITY) {
  const stored: string[] = [];
  let down = false;
  return {
    stored,
    start: () => {
      down = false;
    },
    client: {
      async ingest(_threadId: string, events: RuntimeEvent | readonly RuntimeEvent[]): Promise<IngestReply> {
        if (down) throw new TypeError("fetch failed");
        const results = [events].flat().map((candidate) => {
          const seq = stored.indexOf(candidate.eventId) + 1;
          if (seq > 0) return { eventId: candidate.eventId, seq, outcome: "duplicate" as const };
          stored.push(candidate.eventId);
          if (stored.length >= stopAfter) down = true;
          return { eventId: candidate.eventId, seq: stored.length, outcome: "applied" as const };
        });
        return { session: {} as IngestReply["session"], results };
      },
    },
  };
}

const fast = { retry: { initialDelayMs: 1, maxDelayMs: 5 }, flushIntervalMs: 1 };

describe("bridge delivery", () => {
  it("clears the spool when everything was delivered", async () => {
    const { client, stored } = service();
    const spool = memorySpool();
    const delivery = createDelivery({ client, spool, forwarder: fast });
    delivery.send([event(1), event(2)]);
    delivery.send([event(3)]);
    const summary = await delivery.close(1_000);
    expect(stored).toEqual(["e-1", "e-2", "e-3"]);
    expect(summary).toMatchObject({ sent: 3, spooled: 0 });
    expect(spool.events).toEqual([]);
  });

  it("leaves what a stopped service did not take in the spool; the next run sends it first, in order, once", async () => {
    const { client, stored, start } = service(1);
    const spool = memorySpool();
    const first = createDelivery({ client, spool, forwarder: { ...fast, maxBatchEvents: 1 } });
    first.send([event(1), event(2), event(3)]);
    expect(await first.close(30)).toMatchObject({ sent: 1, spooled: 2 });
    expect(stored).toEqual(["e-1"]);
    expect(spool.events.map((e) => e.eventId)).toEqual(["e-1", "e-2", "e-3"]);

    start();
    const second = createDelivery({ client, spool, forwarder: fast });
    expect(await second.resume()).toBe(3);
    second.send([event(4)]);
    expect(await second.close(1_000)).toMatchObject({ sent: 3, duplicate: 1, resumed: 3, spooled: 0 });
    expect(stored).toEqual(["e-1", "e-2", "e-3", "e-4"]);
    expect(spool.events).toEqual([]);
  });

  it("reports a failed spool write and keeps sending", async () => {
    const { client, stored } = service();
    const errors: unknown[] = [];
    const spool = { ...memorySpool(), append: () => Promise.reject(new Error("ENOSPC")) };
    const delivery = createDelivery({ client, spool, forwarder: fast, onSpoolError: (error) => errors.push(error) });
    delivery.send([event(1)]);
    expect(await delivery.close(1_000)).toMatchObject({ sent: 1, spoolErrors: 1 });
    expect(stored).toEqual(["e-1"]);
    expect(errors).toHaveLength(1);
  });

  it("reads a spool whose last line was torn by a kill", () => {
    const text = spoolText([event(1), event(2)]);
    expect(spoolLines(`${text}{"eventId":"e-3","ty`).map((e) => e.eventId)).toEqual(["e-1", "e-2"]);
  });
});
