import { createForwarder } from "../../client/forwarder.ts";
import { ProblemError } from "../../client/problem-error.ts";
import type { RuntimeEvent } from "../../contracts/events.ts";
import { parseArguments, UsageError } from "../args.ts";
import type { CliContext, Command } from "../context.ts";
import { duration } from "../terminal.ts";

/** Answers that no event of the file would change: stop at the first rather than report every event. */
const FATAL_STATUSES = new Set([401, 403, 404]);
const MAX_REPORTED_REJECTIONS = 20;

export const send: Command = {
  name: "send",
  summary: "forward the events of an NDJSON file (or - for standard input)",
  usage: `Usage: provider-sessions send <file.ndjson | -> [--thread ID]

Forwards provider runtime events, one JSON object a line, batched per thread and in order. Retries what
failed in transit (the service stores each eventId once), reports each event the service refused, and
exits with status 1 if any was refused. A terminal shows a progress line; a pipe gets the summary only.

  --thread ID   the threadId of lines that have none
`,
  async run(args, context) {
    const { options, positionals } = parseArguments(args, { thread: { type: "string" } });
    const [path, ...extra] = positionals;
    if (path === undefined) throw new UsageError("send needs a file, or - for standard input");
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    return sendLines(path, options.thread, context);
  },
};

async function sendLines(path: string, defaultThread: string | undefined, context: CliContext): Promise<number> {
  const stop = new AbortController();
  const onCancel = () => stop.abort(context.signal.reason);
  context.signal.addEventListener("abort", onCancel, { once: true });
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
  try {
    for await (const line of context.readLines(path)) {
      lineNumber += 1;
      readBytes += encoder.encode(line).byteLength + 1;
      if (line.trim() === "") continue;
      const event = parseEvent(line, defaultThread);
      if (typeof event === "string") {
        unreadable += 1;
        report(lineNumber, event);
        continue;
      }
      lineOf.set(event, lineNumber);
      pushed += 1;
      const room = forwarder.push(event);
      if (room !== undefined) await room;
    }
    await forwarder.close();
  } catch (error) {
    if (stop.signal.aborted && stop.signal.reason instanceof ProblemError) throw stop.signal.reason;
    throw error;
  } finally {
    progress.stop();
    context.signal.removeEventListener("abort", onCancel);
  }
  const { sent, duplicate, rejected, retried } = forwarder.counters;
  const refused = rejected + unreadable;
  const seconds = (context.now() - started) / 1000;
  if (reported > MAX_REPORTED_REJECTIONS) {
    context.stderr.write(`… and ${reported - MAX_REPORTED_REJECTIONS} more refused lines\n`);
  }
  context.stdout.write(
    `${pushed + unreadable} events in ${seconds < 60 ? `${seconds.toFixed(1)}s` : duration(seconds * 1000)}: ` +
      `${sent} stored, ${duplicate} duplicate, ${refused} refused, ${retried} requests retried` +
      `${seconds > 0 ? ` (${Math.round((sent + duplicate) / seconds)} events/s)` : ""}\n`,
  );
  return refused > 0 ? 1 : 0;
}

/** An event to forward, or why the line is not one. */
function parseEvent(line: string, defaultThread: string | undefined): RuntimeEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "not valid JSON";
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  const event = value as Partial<RuntimeEvent>;
  if (event.threadId === undefined) {
    if (defaultThread === undefined) return "no threadId (pass --thread to give one)";
    event.threadId = defaultThread;
  }
  if (typeof event.threadId !== "string" || event.threadId === "") return "threadId must be a non-empty string";
  return event as RuntimeEvent;
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
