/**
 * Forwarding for bridges: `send` takes events at once and never waits (the agent's pipe must not), appends them to the
 * spool and hands them to the forwarder, which batches, retries and keeps each thread's order. `close` waits a
 * bounded time for the service, then leaves whatever is unsettled in the spool for the next run.
 */
import type { Client } from "../client/client.ts";
import { createForwarder, type ForwarderOptions } from "../client/forwarder.ts";
import type { ProblemError } from "../client/problem-error.ts";
import type { RuntimeEvent } from "../contracts/events.ts";
import type { SpoolStore } from "./spool.ts";

/** How long an ending run waits for the service before it leaves the rest in the spool. */
export const DEFAULT_GRACE_MS = 5_000;

export interface DeliveryOptions {
  client: Pick<Client, "ingest">;
  spool: SpoolStore;
  /** Events the service refused for good: reported, not retried. */
  onRejected?: (events: RuntimeEvent[], problem: ProblemError) => void;
  /** A spool write failed (a full disk): reported, never thrown at the pipe. */
  onSpoolError?: (error: unknown) => void;
  forwarder?: Omit<ForwarderOptions, "signal" | "onRejected">;
}

export interface DeliverySummary {
  sent: number;
  duplicate: number;
  rejected: number;
  retried: number;
  /** Events of earlier runs found in the spool and sent again. */
  resumed: number;
  /** Events left in the spool for the next run. */
  spooled: number;
  spoolErrors: number;
}

export interface Delivery {
  /** Sends what earlier runs left in the spool, before anything of this run. */
  resume(): Promise<number>;
  send(events: readonly RuntimeEvent[]): void;
  /** Waits at most `graceMs` for the service; clears the spool if everything settled. */
  close(graceMs?: number): Promise<DeliverySummary>;
}

export function createDelivery(options: DeliveryOptions): Delivery {
  const stop = new AbortController();
  const forwarder = createForwarder(options.client, {
    ...options.forwarder,
    signal: stop.signal,
    ...(options.onRejected === undefined ? {} : { onRejected: options.onRejected }),
  });
  // Group commit: events sent while an append is under way go to the spool together in the next one.
  let unspooled: RuntimeEvent[] = [];
  let spoolWrites: Promise<void> = Promise.resolve();
  let spooling = false;
  let spoolErrors = 0;
  const spoolPending = async (): Promise<void> => {
    while (unspooled.length > 0) {
      const batch = unspooled;
      unspooled = [];
      await options.spool.append(batch).catch((error: unknown) => {
        spoolErrors += 1;
        options.onSpoolError?.(error);
      });
    }
    spooling = false;
  };
  let resumed = 0;
  const push = (events: readonly RuntimeEvent[]) => {
    // The returned promise is backpressure; a bridge must not apply it to the agent, so it is not awaited.
    for (const event of events) void forwarder.push(event);
  };
  return {
    async resume() {
      const earlier = await options.spool.load();
      resumed = earlier.length;
      push(earlier);
      return resumed;
    },
    send(events) {
      if (events.length === 0) return;
      unspooled.push(...events);
      if (!spooling) {
        spooling = true;
        spoolWrites = spoolWrites.then(spoolPending);
      }
      push(events);
    },
    async close(graceMs = DEFAULT_GRACE_MS) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceOver = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([forwarder.close().catch(() => undefined), graceOver]);
      if (timer !== undefined) clearTimeout(timer);
      const spooled = forwarder.counters.buffered;
      if (spooled > 0) stop.abort(new Error(`the service did not take ${spooled} events in ${graceMs} ms`));
      await spoolWrites;
      if (spooled === 0 && spoolErrors === 0) await options.spool.clear().catch(options.onSpoolError);
      const { sent, duplicate, rejected, retried } = forwarder.counters;
      return { sent, duplicate, rejected, retried, resumed, spooled, spoolErrors };
    },
  };
}
