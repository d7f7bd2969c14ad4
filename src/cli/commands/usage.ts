import { tokenCount, usdText } from "../../client/usage-text.ts";
import { rangeStart, utcDay } from "../../contracts/days.ts";
import type { UsageRow } from "../../contracts/usage.ts";
import { USAGE_DIMENSIONS, type UsageDimension } from "../../contracts/vocabulary.ts";
import { parseArguments, UsageError } from "../args.ts";
import type { Command } from "../context.ts";
import { table } from "../terminal.ts";

export const usage: Command = {
  name: "usage",
  summary: "the tenant's tokens and cost by day, provider, model or thread",
  usage: `Usage: provider-sessions usage [--since 7d | --since YYYY-MM-DD] [--by day|provider|model|thread]...
                             [--json | --csv]

Sums the tenant's usage over the days since --since (default 7d: today and the 6 days before, UTC), grouped by
--by (default day; repeat or comma-separate for several, e.g. --by day,provider). COST is "—" when some tokens
have no price (KNOWN COST then shows the part that is known).

  --since 7d | YYYY-MM-DD   the first day: N days back (today counts as one), or a date
  --by D                    day, provider, model or thread
  --json                    the service's report as it is
  --csv                     the report's rows as CSV, for a spreadsheet
`,
  async run(args, context) {
    const { options, positionals } = parseArguments(args, {
      since: { type: "string" },
      by: { type: "string", multiple: true },
      json: { type: "boolean" },
      csv: { type: "boolean" },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (options.json && options.csv) throw new UsageError("--json and --csv: pick one");
    const today = utcDay(context.now());
    const from = sinceDay(options.since ?? "7d", context.now());
    const groupBy = (options.by ?? ["day"]).flatMap((value) => value.split(","));
    for (const dimension of groupBy) {
      if (!(USAGE_DIMENSIONS as readonly string[]).includes(dimension)) {
        throw new UsageError(`--by takes ${USAGE_DIMENSIONS.join(", ")}, not "${dimension}"`);
      }
    }
    const query = { from, to: today, groupBy: groupBy as UsageDimension[], signal: context.signal };
    if (options.csv) {
      context.stdout.write(await context.client().usageCsv(query));
      return 0;
    }
    const report = await context.client().usage(query);
    if (options.json) {
      context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    if (report.rows.length === 0) {
      context.stdout.write(`No usage from ${report.from} to ${report.to}.\n`);
      return 0;
    }
    const columns = report.groupBy.map((dimension) => (dimension === "thread" ? "THREAD" : dimension.toUpperCase()));
    const cells = (row: UsageRow) => [
      tokenCount(row.inputTokens),
      tokenCount(row.cachedInputTokens),
      tokenCount(row.outputTokens),
      row.costUsd === null ? "—" : usdText(row.costUsd),
      row.unpricedTokens === 0 ? "" : `${usdText(row.knownCostUsd)} (${tokenCount(row.unpricedTokens)} unpriced)`,
      String(row.sessions),
    ];
    const dimensionCells = (row: UsageRow) =>
      report.groupBy.map((dimension) =>
        dimension === "thread"
          ? (row.threadId ?? "")
          : dimension === "model"
            ? (row.model ?? "—")
            : (row[dimension] ?? ""),
      );
    const rows = report.rows.map((row) => [...dimensionCells(row), ...cells(row)]);
    rows.push([...report.groupBy.map((_, index) => (index === 0 ? "total" : "")), ...cells(report.totals)]);
    context.stdout.write(
      table([...columns, "INPUT", "CACHED", "OUTPUT", "COST", "KNOWN COST", "SESSIONS"], rows, context.out),
    );
    return 0;
  },
};

/** `7d` (today and the 6 days before, UTC) or a date as it is. */
function sinceDay(since: string, now: number): string {
  const days = /^(\d{1,4})d$/.exec(since);
  if (days !== null) {
    const count = Number(days[1]);
    if (count < 1) throw new UsageError("--since counts at least 1 day");
    return rangeStart(utcDay(now), count);
  }
  if (/^\d{4}-\d\d-\d\d$/.test(since) && !Number.isNaN(Date.parse(since))) return since;
  throw new UsageError(`--since takes a count of days (7d) or a date (2026-12-01), not "${since}"`);
}
