import { pendingText } from "../../client/pending-text.ts";
import { ProblemError } from "../../client/problem-error.ts";
import type { LogEntryView, SessionView } from "../../contracts/replies.ts";
import { integerOption, parseArguments, UsageError } from "../args.ts";
import type { Command } from "../context.ts";
import { type Style, statusText } from "../terminal.ts";

export const tail: Command = {
  name: "tail",
  summary: "follow a session live: a status line, then one line per event",
  usage: `Usage: provider-sessions tail <threadId> [--after N]

Follows the session's live stream until Ctrl-C: a status line whenever the session's state changes, and one
line per stored event (seq, time received, type, outcome). Reconnects by itself, without gaps or repeats.

  --after N   start after seq N (0 replays the whole log); by default only what comes next
`,
  async run(args, context) {
    const { options, positionals } = parseArguments(args, { after: { type: "string" } });
    const [threadId, ...extra] = positionals;
    if (threadId === undefined) throw new UsageError("tail needs a threadId");
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const after = integerOption("after", options.after, 0);
    const client = context.client();
    // One plain request first, so a wrong URL or token is an error now rather than a silent reconnect loop; it also
    // names the life to resume in (a session not begun yet is followed from its first event).
    const current = await client.session(threadId, { signal: context.signal }).catch((error: unknown) => {
      if (!(error instanceof ProblemError && error.status === 404)) throw error;
      return null;
    });
    // A seq past the log would be answered with reset, as if the session had been begun again: start at its end.
    const from =
      current === null ? undefined : { epoch: current.epoch, seq: Math.min(after ?? Infinity, current.lastSeq) };
    let shown: string | null = null;
    const showStatus = (session: SessionView | null) => {
      const line = session === null ? `no events yet for ${threadId}; waiting` : statusLine(session, context.out);
      if (line !== shown) context.stdout.write(`${context.out.dim("──")} ${line}\n`);
      shown = line;
    };
    try {
      for await (const message of client.live(threadId, {
        ...(from === undefined ? {} : { after: from }),
        signal: context.signal,
      })) {
        switch (message.type) {
          case "snapshot":
            showStatus(message.session);
            break;
          case "entry":
            context.stdout.write(entryLine(message, context.out));
            break;
          case "session":
            showStatus(message.session);
            break;
          case "reset":
            context.stdout.write(
              `${context.out.dim("──")} the session was deleted and begun again: its log restarts\n`,
            );
            break;
          case "purged":
            context.stdout.write(`${context.out.dim("──")} the session was purged\n`);
            return 0;
          case "synchronized":
          case "behind":
            break;
        }
      }
    } catch (error) {
      if (context.signal.aborted) return 0;
      throw error;
    }
    return 0;
  },
};

export function statusLine(session: SessionView, style: Style): string {
  const parts = [statusText(session.status, style)];
  if (session.activeTurnId !== null) parts.push(`turn ${session.activeTurnId}`);
  const waiting = pendingText(session);
  if (waiting !== "") parts.push(style.magenta(`waiting for you: ${waiting}`));
  if (session.status === "error" && session.lastError !== null) parts.push(style.red(session.lastError));
  return parts.join(" · ");
}

export function entryLine(entry: LogEntryView, style: Style): string {
  const { event } = entry;
  const outcome =
    entry.outcome === "applied"
      ? style.green("applied")
      : entry.outcome === "ignored"
        ? style.yellow(`ignored (${entry.reason ?? "?"})`)
        : style.dim("recorded");
  const details: string[] = [];
  if (entry.origin === "service") details.push(style.cyan("by the service"));
  if (event.turnId) details.push(`turn ${event.turnId}`);
  if (event.requestId) details.push(`request ${event.requestId}`);
  const payload = event.payload as Record<string, unknown> | undefined;
  for (const key of ["state", "reason", "message", "errorMessage"]) {
    const value = payload?.[key];
    if (typeof value === "string" && value !== "") details.push(`${key} ${JSON.stringify(value.slice(0, 80))}`);
  }
  const seq = style.dim(`#${entry.seq}`);
  const time = style.dim(entry.receivedAt.slice(11, 23));
  return `${seq} ${time} ${style.bold(event.type)} ${outcome}${details.length > 0 ? ` ${details.join(" ")}` : ""}\n`;
}
