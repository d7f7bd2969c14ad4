/** The producer loop `send` and `bridge` share: lines in, events forwarded, refusals reported by line number. */
import { createForwarder } from "../client/forwarder.ts";
import { ProblemError } from "../client/problem-error.ts";
import type { RuntimeEvent } from "../contracts/events.ts";
import type { CliContext } from "./context.ts";
import { INTERRUPTED_STATUS, interruption, linesUntil } from "./interrupt.ts";
import { duration } from "./terminal.ts";

/** The events one input line stands for, or why it stands for none. */
export type Translate = (line: string) => Promise<RuntimeEvent[] | string> | RuntimeEvent[] | string;

/** Answers that no event of the input would change: stop at the first rather than report every event. */
const FATAL_STATUSES = new Set([401, 403, 404]);
const MAX_REPORTED_REJECTIONS = 20;

/**
 * Reads `path` line by line, turns each line into events (or the reason it cannot), and forwards them in order
 * per thread. Ctrl-C stops the reading; what was read is still sent and counted. Resolves to the exit status:
 * 130 if Ctrl-C cut the input short, else 1 if any line or event was refused.
 */
export async function forwardLines(
  path: string,
  translate: Translate,
  context: CliContext,
  /** Events the end of the input stands for (a bridge's exit), forwarded after the last line's. */
  atEnd: () => Promise<RuntimeEvent[]> = async () => [],
): Promise<number> {
  // Only an answer no event would change stops the forwarder; Ctrl-C stops the reading and lets it send what was read.
  const stop = new AbortController();
  const interrupt = interruption(context.signal);
  const lineOf = new WeakMap<object, number>();
  let reported = 0;
  let unreadable = 0;
  const report = (line: number, text: string) => {
    reported += 1;
    if (reported > MAX_REPORTED_REJECTIONS) return;
    progress.clear();
    context.stderr.write(`line ${line}: ${text}\n`);
  };
  const forwarder = createForwarder(context.client(), {
    signal: stop.signal,
    onRejected(events, problem) {
      if (FATAL_STATUSES.has(problem.status)) return stop.abort(problem);
      for (const event of events) {
        // The pointers count events of the batch (`/7/payload/state`); the line number already says which event.
        const pointers = problem.errors
          .map((error) => `${error.pointer.replace(/^\/\d+/, "")} ${error.detail}`)
          .join("; ");
        report(
          lineOf.get(event) ?? 0,
          `refused ${event.eventId}: ${problem.status} ${problem.title}${pointers === "" ? `: ${problem.detail}` : ` (${pointers})`}`,
        );
      }
    },
  });
  const total = await context.sizeOf(path);
  const started = context.now();
  let lineNumber = 0;
  let readBytes = 0;
  let pushed = 0;
  const encoder = new TextEncoder();
  const progress = progressLine(context, () => ({
    ...forwarder.counters,
    rejected: forwarder.counters.rejected + unreadable,
    pushed,
    fraction: total === null || total === 0 ? null : Math.min(1, readBytes / total),
    seconds: (context.now() - started) / 1000,
  }));
  const push = async (event: RuntimeEvent, line: number) => {
    lineOf.set(event, line);
    pushed += 1;
    const room = forwarder.push(event);
    // After Ctrl-C nothing more is read, so there is nothing to make room for.
    if (room !== undefined) await Promise.race([room, interrupt.happened]);
  };
  let interrupted = false;
  try {
    for await (const line of linesUntil(context.readLines(path), interrupt)) {
      lineNumber += 1;
      readBytes += encoder.encode(line).byteLength + 1;
      if (line.trim() === "") continue;
      const events = await translate(line);
      if (typeof events === "string") {
        unreadable += 1;
        report(lineNumber, events);
        continue;
      }
      for (const event of events) await push(event, lineNumber);
    }
    interrupted = context.signal.aborted;
    if (interrupted) {
      progress.clear();
      context.stderr.write(
        `interrupted: stopped reading after line ${lineNumber}; sending what was read (Ctrl-C again to quit at once)\n`,
      );
    }
    // Ctrl-C ends the input too, but not the process it came from: only a real end of input stands for one.
    if (!interrupted) for (const event of await atEnd()) await push(event, lineNumber + 1);
    await forwarder.close();
  } catch (error) {
    if (stop.signal.aborted && stop.signal.reason instanceof ProblemError) throw stop.signal.reason;
    throw error;
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  const { sent, duplicate, rejected, retried, buffered } = forwarder.counters;
  const refused = rejected + unreadable;
  const seconds = (context.now() - started) / 1000;
  if (reported > MAX_REPORTED_REJECTIONS) {
    context.stderr.write(`… and ${reported - MAX_REPORTED_REJECTIONS} more refused lines\n`);
  }
  context.stdout.write(
    `${pushed + unreadable} events in ${seconds < 60 ? `${seconds.toFixed(1)}s` : duration(seconds * 1000)}` +
      `${interrupted ? ", interrupted" : ""}: ${sent} stored, ${duplicate} duplicate, ${refused} refused, ` +
      `${interrupted ? `${buffered} not sent, ` : ""}${retried} requests retried` +
      `${seconds > 0 ? ` (${Math.round((sent + duplicate) / seconds)} events/s)` : ""}\n`,
  );
  if (interrupted) return INTERRUPTED_STATUS;
  return refused > 0 ? 1 : 0;
}

interface Progress {
  sent: number;
  duplicate: number;
  rejected: number;
  buffered: number;
  pushed: number;
  fraction: number | null;
  seconds: number;
}

/** Redrawn ten times a second on a terminal's standard error; silent anywhere else. */
function progressLine(context: CliContext, read: () => Progress) {
  const stream = context.stderr;
  if (!stream.isTTY) return { clear() {}, stop() {} };
  const draw = () => {
    const state = read();
    const rate = state.seconds > 0 ? Math.round((state.sent + state.duplicate) / state.seconds) : 0;
    const width = 24;
    const bar =
      state.fraction === null
        ? ""
        : `[${"█".repeat(Math.round(state.fraction * width)).padEnd(width, "░")}] ${Math.floor(state.fraction * 100)}% `;
    const text =
      `${bar}${state.pushed} read · ${state.sent} stored · ${state.duplicate} duplicate · ` +
      `${context.err.colour && state.rejected > 0 ? context.err.red(`${state.rejected} refused`) : `${state.rejected} refused`}` +
      ` · ${rate} events/s`;
    stream.write(`\r\u001b[2K${text}`);
  };
  const timer = setInterval(draw, 100);
  draw();
  return {
    clear: () => stream.write("\r\u001b[2K"),
    stop() {
      clearInterval(timer);
      draw();
      stream.write("\n");
    },
  };
}
