import { pendingText } from "../../client/pending-text.ts";
import { tasksText } from "../../client/tasks-text.ts";
import { contextText, costText, tokensText } from "../../client/usage-text.ts";
import type { SessionView } from "../../contracts/replies.ts";
import { parseArguments, UsageError } from "../args.ts";
import type { Command } from "../context.ts";
import { healthLine, stderrLines } from "../session-text.ts";
import { bytes, relative, type Style, statusText } from "../terminal.ts";

export const get: Command = {
  name: "get",
  summary: "show one session's projected state",
  usage: `Usage: provider-sessions get <threadId> [--json]

Shows the session's projected state: status, active turn, what waits for a person, health, background tasks,
a usage limit's reset, tokens, the context window and the cost, denied tools, a non-graceful exit with the end of its stderr, deadlines, the webhook.

  --json   the service's reply as it is (pretty-printed JSON)
`,
  async run(args, context) {
    const { options, positionals } = parseArguments(args, { json: { type: "boolean" } });
    const [threadId, ...extra] = positionals;
    if (threadId === undefined) throw new UsageError("get needs a threadId");
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const session = await context.client().session(threadId, { signal: context.signal });
    context.stdout.write(
      options.json ? `${JSON.stringify(session, null, 2)}\n` : describeSession(session, context.now(), context.out),
    );
    return 0;
  },
};

export function describeSession(session: SessionView, now: number, style: Style): string {
  const waiting = pendingText(session);
  const lines: Array<[string, string]> = [
    ["thread", style.bold(session.threadId)],
    ["status", statusText(session.status, style)],
    ["active turn", session.activeTurnId ?? "—"],
    ["provider", session.providerName ?? "—"],
    [
      "waiting for you",
      waiting === ""
        ? "nothing"
        : style.magenta(`${waiting} (since ${relative(session.pendingRequests.oldestOpenedAt, now)})`),
    ],
    ["health", healthLine(session.health, now, style)],
    ["tasks", tasksLine(session.tasks, now)],
  ];
  if (session.limitResetsAt !== null) {
    lines.push(["limit resets", style.red(`${relative(session.limitResetsAt, now)} (${session.limitResetsAt})`)]);
  }
  if (session.usage !== null) {
    lines.push(["tokens", tokensText(session.usage)]);
    const context = contextText(session.usage);
    if (context !== "") lines.push(["context", context]);
    lines.push(["cost", costText(session.usage)]);
  }
  if (session.deniedTools.session > 0) {
    const { turn, session: total } = session.deniedTools;
    lines.push(["denied tools", `${turn} this turn, ${total} in the session`]);
  }
  lines.push(
    ["last error", session.lastError === null ? "—" : style.red(session.lastError)],
    [
      "last event",
      `${relative(session.lastEventAt, now)}${session.lastEventAt === null ? "" : ` (${session.lastEventAt})`}`,
    ],
    ["events", `${session.eventCount} (last seq ${session.lastSeq})`],
    [
      "next",
      session.deadline === null
        ? "—"
        : `${session.deadline.action} ${relative(session.deadline.at, now)} (${session.deadline.at})`,
    ],
  );
  if (session.exitKind !== null) {
    lines.push(["exit", style.red(`${session.exitKind}: the provider exited non-gracefully`)]);
  }
  if (session.reapedAt !== null) lines.push(["reaped", `${relative(session.reapedAt, now)} (${session.reapReason})`]);
  if (session.notification !== null) {
    const { type, state, attempts, lastError } = session.notification;
    lines.push([
      "webhook",
      `${type} ${state} after ${attempts} attempt${attempts === 1 ? "" : "s"}${lastError === null ? "" : `: ${lastError}`}`,
    ]);
  }
  lines.push(["storage", bytes(session.storageBytes)]);
  const width = Math.max(...lines.map(([label]) => label.length));
  const text = lines.map(([label, value]) => `${style.dim(label.padEnd(width))}  ${value}\n`).join("");
  if (session.stderrTail === null) return text;
  // The provider's last words come last, as a block: they are its lines, not a field.
  return `${text}${style.dim("stderr tail")}\n${stderrLines(session.stderrTail)
    .map((line) => `  ${line}\n`)
    .join("")}`;
}

function tasksLine(tasks: SessionView["tasks"], now: number): string {
  const running = tasksText({ tasks });
  if (running === "") return "none";
  const backgrounded = tasks.backgrounded === 0 ? "" : `, ${tasks.backgrounded} said to run in the background`;
  return `${running}${backgrounded} (oldest started ${relative(tasks.oldestStartedAt, now)})`;
}
