import type { RuntimeEvent } from "../../contracts/events.ts";
import { parseArguments, UsageError } from "../args.ts";
import type { Command } from "../context.ts";
import { forwardLines } from "../forward.ts";

export const send: Command = {
  name: "send",
  summary: "forward the events of an NDJSON file (or - for standard input)",
  usage: `Usage: provider-sessions send <file.ndjson | -> [--thread ID]

Forwards provider runtime events, one JSON object a line, batched per thread and in order. Retries what
failed in transit (the service stores each eventId once), reports each event the service refused, and
exits with status 1 if any was refused. A terminal shows a progress line; a pipe gets the summary only.
Ctrl-C stops the reading, sends what was read, prints the summary and exits with status 130; a second Ctrl-C
quits at once.

  --thread ID   the threadId of lines that have none
`,
  async run(args, context) {
    const { options, positionals } = parseArguments(args, { thread: { type: "string" } });
    const [path, ...extra] = positionals;
    if (path === undefined) throw new UsageError("send needs a file, or - for standard input");
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    return forwardLines(
      path,
      (line) => {
        const event = parseEvent(line, options.thread);
        return typeof event === "string" ? event : [event];
      },
      context,
    );
  },
};

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
