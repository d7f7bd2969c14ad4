import { pendingText } from "../../client/pending-text.ts";
import type { SessionView } from "../../contracts/replies.ts";
import { parseArguments, UsageError } from "../args.ts";
import type { Command } from "../context.ts";
import { bytes, relative, type Style, statusText } from "../terminal.ts";

export const get: Command = {
  name: "get",
  summary: "show one session's projected state",
  usage: `Usage: provider-sessions get <threadId> [--json]

Shows the session's projected state: status, active turn, what waits for a person, deadlines, the webhook.

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
  ];
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
  return lines.map(([label, value]) => `${style.dim(label.padEnd(width))}  ${value}\n`).join("");
}
