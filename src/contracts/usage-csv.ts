/** `GET /v1/usage?format=csv`: the report's rows as RFC 4180 CSV, a header line first, for a spreadsheet. */
import type { UsageReply, UsageRow } from "./usage.ts";

const FIGURES = [
  "inputTokens",
  "cachedInputTokens",
  "cacheCreationInputTokens",
  "outputTokens",
  "reasoningOutputTokens",
  "costUsd",
  "knownCostUsd",
  "unpricedTokens",
  "sessions",
] as const satisfies readonly (keyof UsageRow)[];

const DIMENSION_COLUMNS = { day: "day", provider: "provider", model: "model", thread: "threadId" } as const;

/** A field quoted when it holds a comma, a quote or a line break (threadIds and model names may hold anything). */
function field(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function usageCsv(report: UsageReply): string {
  const columns = [...report.groupBy.map((dimension) => DIMENSION_COLUMNS[dimension]), ...FIGURES];
  const lines = [columns.join(",")];
  for (const row of report.rows)
    lines.push(columns.map((column) => field(row[column as keyof UsageRow] as never)).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
