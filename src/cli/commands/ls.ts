import { pendingText } from "../../client/pending-text.ts";
import { usdText } from "../../client/usage-text.ts";
import { SESSION_STATUSES, type SessionStatus } from "../../contracts/vocabulary.ts";
import { integerOption, parseArguments, UsageError } from "../args.ts";
import type { Command } from "../context.ts";
import { healthCell, limitCell, tasksCell } from "../session-text.ts";
import { relative, statusText, table } from "../terminal.ts";

const spec = {
  active: { type: "boolean" },
  attention: { type: "boolean" },
  stalled: { type: "boolean" },
  "tasks-running": { type: "boolean" },
  limited: { type: "boolean" },
  status: { type: "string", multiple: true },
  limit: { type: "string" },
  json: { type: "boolean" },
} as const;

export const ls: Command = {
  name: "ls",
  summary: "list the tenant's sessions, newest activity first",
  usage: `Usage: provider-sessions ls [--active] [--attention] [--stalled] [--tasks-running] [--limited]
                          [--status S]... [--limit N] [--json]

Lists the tenant's sessions from the directory, newest activity first. HEALTH says how long a stalled session
has been silent, TASKS how many background tasks run (bg: said to run in the background), LIMIT when a
provider usage limit resets, COST what the session has cost so far (as the directory last heard: at a turn's end,
or at most 30 s late; — when unknown).

  --active          only sessions that are starting or running
  --attention       only sessions that need a person (approvals or questions pending, or stalled)
  --stalled         only sessions whose turn has stalled
  --tasks-running   only sessions with a background task running
  --limited         only sessions held by a provider usage limit
  --status S        only sessions in status S (${SESSION_STATUSES.join(", ")}); repeat for several
  --limit N         at most N sessions (default: all)
  --json            one JSON summary per line instead of the table
`,
  async run(args, context) {
    const { options } = parseArguments(args, spec);
    const statuses = (options.status ?? []).map((status) => {
      if (!(SESSION_STATUSES as readonly string[]).includes(status)) {
        throw new UsageError(`--status must be one of ${SESSION_STATUSES.join(", ")}, not "${status}"`);
      }
      return status as SessionStatus;
    });
    const limit = integerOption("limit", options.limit, 1);
    const sessions = [];
    let count = 0;
    const filters = {
      ...(statuses.length > 0 ? { status: statuses } : {}),
      ...(options.active ? { active: true } : {}),
      ...(options.attention ? { attention: true } : {}),
      ...(options.stalled ? { health: "stalled" as const } : {}),
      ...(options["tasks-running"] ? { tasks: "running" as const } : {}),
      ...(options.limited ? { limited: true } : {}),
      limit: Math.min(limit ?? 200, 200),
      signal: context.signal,
    };
    for await (const session of context.client().list(filters)) {
      if (options.json) context.stdout.write(`${JSON.stringify(session)}\n`);
      else sessions.push(session);
      count += 1;
      if (limit !== undefined && count >= limit) break;
    }
    if (options.json) return 0;
    if (sessions.length === 0) {
      context.stdout.write("No sessions.\n");
      return 0;
    }
    const now = context.now();
    const { out } = context;
    const rows = sessions.map((session) => {
      const waiting = pendingText(session);
      return [
        session.threadId,
        statusText(session.status, out),
        session.providerName ?? "—",
        session.activeTurnId ?? "—",
        waiting === "" ? "—" : out.magenta(waiting),
        healthCell(session.health, now, out),
        tasksCell(session.tasks),
        limitCell(session.limitResetsAt, now, out),
        session.costUsd === null ? "—" : usdText(session.costUsd),
        relative(session.lastEventAt, now),
        session.deadline === null ? "—" : `${session.deadline.action} ${relative(session.deadline.at, now)}`,
      ];
    });
    context.stdout.write(
      table(
        [
          "THREAD",
          "STATUS",
          "PROVIDER",
          "TURN",
          "WAITING FOR YOU",
          "HEALTH",
          "TASKS",
          "LIMIT",
          "COST",
          "LAST EVENT",
          "NEXT",
        ],
        rows,
        out,
      ),
    );
    return 0;
  },
};
