/**
 * The tenant's usage rollups: each session's buckets (UTC day × provider × model) as it last sent them, summed on
 * read. A bucket is absolute, so a resend overwrites it with the same figures; the rows outlive the session's purge
 * and go after USAGE_RETENTION_DAYS.
 */
import type { UsageDimension, UsageRow } from "../contracts/usage.ts";
import type { UsageBucket } from "../domain/usage-buckets.ts";
import type { SqlMeter } from "../sql-meter.ts";

// WITHOUT ROWID with the day first: a bucket is one row written, and a range of days is one range of the key.
const SCHEMA = `CREATE TABLE IF NOT EXISTS usage (
  day TEXT NOT NULL,
  thread_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  input INTEGER NOT NULL,
  cache_read INTEGER NOT NULL,
  cache_creation INTEGER NOT NULL,
  output INTEGER NOT NULL,
  reasoning INTEGER NOT NULL,
  known_cost_usd REAL NOT NULL,
  unpriced INTEGER NOT NULL,
  PRIMARY KEY (day, thread_id, provider, model)
) WITHOUT ROWID`;

/** A model the provider never named is stored as '' (a key column cannot hold NULL meaningfully) and read as null. */
const NO_MODEL = "";

const COLUMNS: Readonly<Record<UsageDimension, string>> = {
  day: "day",
  provider: "provider",
  model: "model",
  thread: "thread_id",
};

type SummedRow = {
  day?: string;
  provider?: string;
  model?: string;
  thread_id?: string;
  input: number;
  cache_read: number;
  cache_creation: number;
  output: number;
  reasoning: number;
  known_cost_usd: number;
  unpriced: number;
  sessions: number;
};

export interface UsageQuery {
  from: string;
  to: string;
  groupBy: readonly UsageDimension[];
  limit: number;
}

export class UsageStore {
  readonly #sql: SqlMeter;

  constructor(sql: SqlMeter) {
    this.#sql = sql;
    sql.run(SCHEMA);
  }

  upsert(threadId: string, buckets: readonly UsageBucket[]): void {
    for (const bucket of buckets) {
      const { tokens } = bucket;
      this.#sql.run(
        `INSERT INTO usage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (day, thread_id, provider, model) DO UPDATE SET input = excluded.input,
           cache_read = excluded.cache_read, cache_creation = excluded.cache_creation, output = excluded.output,
           reasoning = excluded.reasoning, known_cost_usd = excluded.known_cost_usd, unpriced = excluded.unpriced`,
        bucket.day,
        threadId,
        bucket.provider,
        bucket.model ?? NO_MODEL,
        tokens.inputTokens,
        tokens.cacheReadInputTokens,
        tokens.cacheCreationInputTokens,
        tokens.outputTokens,
        tokens.reasoningOutputTokens,
        bucket.knownCostUsd,
        bucket.unpricedTokens,
      );
    }
  }

  /** The known cost of each of `days`, summed over the tenant's sessions. */
  dayCosts(days: readonly string[]): Map<string, { knownCostUsd: number; unpricedTokens: number }> {
    const costs = new Map<string, { knownCostUsd: number; unpricedTokens: number }>();
    for (const day of days) {
      const [row] = this.#sql.rows<{ cost: number | null; unpriced: number | null }>(
        "SELECT sum(known_cost_usd) AS cost, sum(unpriced) AS unpriced FROM usage WHERE day = ?",
        day,
      );
      costs.set(day, { knownCostUsd: row?.cost ?? 0, unpricedTokens: row?.unpriced ?? 0 });
    }
    return costs;
  }

  /** Drops the days before `oldestDay`. */
  prune(oldestDay: string): void {
    this.#sql.run("DELETE FROM usage WHERE day < ?", oldestDay);
  }

  /** The rows of the query (thread rows costliest first, the rest in the order of their dimensions) and the totals. */
  read(query: UsageQuery): { rows: UsageRow[]; totals: UsageRow } {
    const dimensions = query.groupBy.map((dimension) => COLUMNS[dimension]);
    const select = dimensions.map((column) => `${column}, `).join("");
    const group = dimensions.length === 0 ? "" : `GROUP BY ${dimensions.join(", ")}`;
    const order = query.groupBy.includes("thread")
      ? "ORDER BY known_cost_usd DESC, input + output DESC, thread_id"
      : dimensions.length === 0
        ? ""
        : `ORDER BY ${dimensions.join(", ")}`;
    const sums = `sum(input) AS input, sum(cache_read) AS cache_read, sum(cache_creation) AS cache_creation,
      sum(output) AS output, sum(reasoning) AS reasoning, sum(known_cost_usd) AS known_cost_usd,
      sum(unpriced) AS unpriced, count(DISTINCT thread_id) AS sessions`;
    const rows = this.#sql.rows<SummedRow>(
      `SELECT ${select}${sums} FROM usage WHERE day BETWEEN ? AND ? ${group} ${order} LIMIT ?`,
      query.from,
      query.to,
      query.limit,
    );
    const [totals] = this.#sql.rows<SummedRow>(
      `SELECT ${sums} FROM usage WHERE day BETWEEN ? AND ?`,
      query.from,
      query.to,
    );
    return { rows: rows.map(usageRow), totals: usageRow(totals ?? emptyRow()) };
  }
}

function emptyRow(): SummedRow {
  return {
    input: 0,
    cache_read: 0,
    cache_creation: 0,
    output: 0,
    reasoning: 0,
    known_cost_usd: 0,
    unpriced: 0,
    sessions: 0,
  };
}

function usageRow(row: SummedRow): UsageRow {
  // SQL's sum() of no rows is NULL.
  const knownCostUsd = row.known_cost_usd ?? 0;
  const unpricedTokens = row.unpriced ?? 0;
  return {
    ...(row.day === undefined ? {} : { day: row.day }),
    ...(row.provider === undefined ? {} : { provider: row.provider }),
    ...(row.model === undefined ? {} : { model: row.model === NO_MODEL ? null : row.model }),
    ...(row.thread_id === undefined ? {} : { threadId: row.thread_id }),
    inputTokens: row.input ?? 0,
    cachedInputTokens: row.cache_read ?? 0,
    cacheCreationInputTokens: row.cache_creation ?? 0,
    cacheReadInputTokens: row.cache_read ?? 0,
    outputTokens: row.output ?? 0,
    reasoningOutputTokens: row.reasoning ?? 0,
    costUsd: unpricedTokens > 0 ? null : knownCostUsd,
    knownCostUsd,
    unpricedTokens,
    sessions: row.sessions ?? 0,
  };
}
