/**
 * `provider-sessions bridge <kind> --thread ID -- <agent command…>`: runs the agent with the caller's stdio and
 * forwards what both directions say, without ever holding the pipe (src/bridge/wrap.ts), then exits as the agent did.
 */
import { type BridgeKind, newRunId } from "../bridge/common.ts";
import { createDelivery, type DeliverySummary } from "../bridge/delivery.ts";
import { type AgentExit, createLiveBridge } from "../bridge/live.ts";
import { createWrapObserver } from "../bridge/wrap.ts";
import type { AgentHost, CliContext } from "./context.ts";

export interface WrapOptions {
  kind: BridgeKind;
  threadId: string;
  command: readonly string[];
  spoolDir?: string;
  recordPath?: string;
  graceMs: number;
}

/** Exit statuses of a process a signal ended, as a shell reports them (128 + its number). */
const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

export async function wrapAgent(options: WrapOptions, host: AgentHost, context: CliContext): Promise<number> {
  const say = (text: string) => context.stderr.write(`provider-sessions bridge: ${text}\n`);
  const run = {
    runId: newRunId(),
    kind: options.kind,
    threadId: options.threadId,
    startedAt: new Date(context.now()).toISOString(),
  };
  const recorder = options.recordPath === undefined ? null : host.recorder(options.recordPath);
  const delivery = createDelivery({
    client: context.client(),
    spool: host.spool(options.spoolDir, options.threadId, run.runId),
    onRejected: (events, problem) =>
      say(`the service refused ${events.map((event) => event.eventId).join(", ")}: ${problem.status} ${problem.title}`),
    onSpoolError: (error) => say(`cannot write the spool: ${error instanceof Error ? error.message : String(error)}`),
  });
  const resumed = await delivery.resume().catch((error: unknown) => {
    say(`cannot read the spool: ${error instanceof Error ? error.message : String(error)}`);
    return 0;
  });
  if (resumed > 0) say(`resending ${resumed} events an earlier run left in the spool`);
  const observer = createWrapObserver({
    bridge: createLiveBridge(run),
    delivery,
    ...(recorder === null ? {} : { record: (line: string) => recorder.write(line) }),
    report: say,
    now: context.now,
  });
  observer.start();
  const exit = await host.run(options.command, (dir, line) => observer.line(dir, line));
  await observer.exit(exit);
  const summary = await delivery.close(options.graceMs);
  await recorder?.close();
  say(summaryLine(summary, observer.counts.problems));
  return exitStatus(exit);
}

function summaryLine(summary: DeliverySummary, problems: number): string {
  const { sent, duplicate, rejected, spooled, spoolErrors } = summary;
  return (
    `${sent} events stored, ${duplicate} duplicate, ${rejected} refused, ${problems} unreadable lines` +
    (spooled > 0 ? `, ${spooled} left in the spool for the next run` : "") +
    (spoolErrors > 0 ? `, ${spoolErrors} spool writes failed` : "")
  );
}

export function exitStatus({ code, signal }: AgentExit): number {
  if (code !== null) return code;
  return 128 + (signal === null ? 0 : (SIGNAL_NUMBERS[signal] ?? 0));
}
