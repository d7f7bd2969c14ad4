/**
 * `provider-sessions/bridge`: for a Node orchestrator that spawns agents itself. It hands each stdio line to
 * `observeIn` (what it wrote to the agent) or `observeOut` (what the agent wrote), in order, and calls `close` at the
 * agent's exit; the bridge maps and forwards on the side, never making the caller wait.
 */
import type { Client } from "../client/client.ts";
import type { ProblemError } from "../client/problem-error.ts";
import type { RuntimeEvent } from "../contracts/events.ts";
import { type BridgeKind, newRunId, type RunIdentity } from "./common.ts";
import { createDelivery, type DeliverySummary } from "./delivery.ts";
import { type AgentExit, createLiveBridge } from "./live.ts";
import { memorySpool, type SpoolStore } from "./spool.ts";
import { createWrapObserver } from "./wrap.ts";

export type { BridgeKind, RunIdentity } from "./common.ts";
export type { DeliverySummary } from "./delivery.ts";
export type { AgentExit } from "./live.ts";
export type { SpoolStore } from "./spool.ts";

export interface BridgeOptions {
  client: Pick<Client, "ingest">;
  /** The service's session the run belongs to. */
  threadId: string;
  /** Where undelivered events wait (default: memory, lost with the process); what it holds is sent first. */
  spool?: SpoolStore;
  /** A line that is no message of the protocol (it was passed on; it is not forwarded). */
  onProblem?: (problem: string) => void;
  onRejected?: (events: RuntimeEvent[], problem: ProblemError) => void;
  now?: () => number;
}

export interface AgentBridge {
  readonly run: RunIdentity;
  observeIn(line: string): void;
  observeOut(line: string): void;
  /** The agent has exited: sends the exit, waits at most `graceMs` (5 s) for the service, and says what happened. */
  close(exit?: AgentExit, graceMs?: number): Promise<DeliverySummary>;
}

/** Sends the spool's leftovers, then the run's start, before it resolves. */
export async function createBridge(kind: BridgeKind, options: BridgeOptions): Promise<AgentBridge> {
  const now = options.now ?? Date.now;
  const run: RunIdentity = {
    runId: newRunId(),
    kind,
    threadId: options.threadId,
    startedAt: new Date(now()).toISOString(),
  };
  const delivery = createDelivery({
    client: options.client,
    spool: options.spool ?? memorySpool(),
    ...(options.onRejected === undefined ? {} : { onRejected: options.onRejected }),
  });
  await delivery.resume();
  const observer = createWrapObserver({
    bridge: createLiveBridge(run),
    delivery,
    report: options.onProblem ?? (() => {}),
    now,
  });
  observer.start();
  return {
    run,
    observeIn: (line) => observer.line("in", line),
    observeOut: (line) => observer.line("out", line),
    async close(exit = { code: 0, signal: null }, graceMs) {
      await observer.exit(exit);
      return delivery.close(graceMs);
    },
  };
}
