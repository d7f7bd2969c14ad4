/** The directory's SQLite storage: one row per session, and the recent changes its stream replays. */
import type { SessionSummary } from "../contracts/directory.ts";
import { isActive, needsAttention } from "../contracts/summary-signs.ts";
import type { SessionStatus } from "../contracts/vocabulary.ts";
import type { SqlMeter } from "../sql-meter.ts";

/** Changes kept for replay; a subscriber further behind is told to list again. */
export const RETAINED_CHANGES = 10_000;
const PRUNE_EVERY = 100;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS entries (
    thread_id TEXT PRIMARY KEY,
    summary TEXT NOT NULL,
    status TEXT NOT NULL,
    active INTEGER NOT NULL,
    attention INTEGER NOT NULL,
    last_event_at INTEGER NOT NULL
  )`,
  "CREATE INDEX IF NOT EXISTS entries_by_activity ON entries (last_event_at DESC, thread_id)",
  `CREATE TABLE IF NOT EXISTS changes (
    version INTEGER PRIMARY KEY,
    thread_id TEXT NOT NULL,
    summary TEXT
  )`,
];

export interface ListFilter {
  statuses: readonly SessionStatus[];
  active: boolean;
  attention: boolean;
  /** Only sessions whose health is `stalled` (`?health=stalled`). */
  stalled?: boolean;
  /** Only sessions with a background task running (`?tasks=running`). */
  tasksRunning?: boolean;
  /** Only sessions held by a usage limit (`?limited=true`). */
  limited?: boolean;
}

/** Where a page starts: after this (activity, threadId) in newest-first order. */
export interface PagePosition {
  lastEventAt: number;
  threadId: string;
}

/** A change as stored: a summary, or null for a removal. */
export interface StoredChange {
  version: number;
  threadId: string;
  summary: SessionSummary | null;
}

export class DirectoryStore {
  readonly #sql: SqlMeter;

  constructor(sql: SqlMeter) {
    this.#sql = sql;
    for (const statement of SCHEMA) sql.run(statement);
  }

  version(): number {
    return this.#sql.rows<{ version: number | null }>("SELECT max(version) AS version FROM changes")[0]?.version ?? 0;
  }

  oldestVersion(): number {
    return this.#sql.rows<{ version: number | null }>("SELECT min(version) AS version FROM changes")[0]?.version ?? 0;
  }

  /** Whether the entry holds this summary already: a session resends its last one when it wakes. */
  holds(summary: SessionSummary): boolean {
    const [row] = this.#sql.rows<{ summary: string }>(
      "SELECT summary FROM entries WHERE thread_id = ?",
      summary.threadId,
    );
    return row?.summary === JSON.stringify(summary);
  }

  has(threadId: string): boolean {
    return this.#sql.rows("SELECT 1 FROM entries WHERE thread_id = ?", threadId).length > 0;
  }

  upsert(version: number, summary: SessionSummary): void {
    const text = JSON.stringify(summary);
    this.#sql.run(
      `INSERT INTO entries (thread_id, summary, status, active, attention, last_event_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (thread_id) DO UPDATE SET summary = excluded.summary, status = excluded.status,
         active = excluded.active, attention = excluded.attention, last_event_at = excluded.last_event_at`,
      summary.threadId,
      text,
      summary.status,
      isActive(summary) ? 1 : 0,
      needsAttention(summary) ? 1 : 0,
      summary.lastEventAt === null ? 0 : Date.parse(summary.lastEventAt),
    );
    this.#record(version, summary.threadId, text);
  }

  remove(version: number, threadId: string): void {
    this.#sql.run("DELETE FROM entries WHERE thread_id = ?", threadId);
    this.#record(version, threadId, null);
  }

  list(filter: ListFilter, after: PagePosition | null, limit: number): SessionSummary[] {
    const where: string[] = [];
    const values: (string | number)[] = [];
    if (filter.statuses.length > 0) {
      where.push(`status IN (${filter.statuses.map(() => "?").join(", ")})`);
      values.push(...filter.statuses);
    }
    if (filter.active) where.push("active = 1");
    if (filter.attention) where.push("attention = 1");
    // Read from the stored summary: no column of their own yet, so these filters scan what the others left.
    if (filter.stalled === true) where.push("json_extract(summary, '$.health.state') = 'stalled'");
    if (filter.tasksRunning === true) where.push("json_extract(summary, '$.tasks.running') > 0");
    if (filter.limited === true) where.push("json_extract(summary, '$.limitResetsAt') IS NOT NULL");
    if (after !== null) {
      where.push("(last_event_at < ? OR (last_event_at = ? AND thread_id > ?))");
      values.push(after.lastEventAt, after.lastEventAt, after.threadId);
    }
    const clause = where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
    return this.#sql
      .rows<{ summary: string }>(
        `SELECT summary FROM entries ${clause} ORDER BY last_event_at DESC, thread_id LIMIT ?`,
        ...values,
        limit,
      )
      .map((row) => JSON.parse(row.summary) as SessionSummary);
  }

  changesAfter(version: number, limit: number): StoredChange[] {
    return this.#sql
      .rows<{ version: number; thread_id: string; summary: string | null }>(
        "SELECT version, thread_id, summary FROM changes WHERE version > ? ORDER BY version LIMIT ?",
        version,
        limit,
      )
      .map((row) => ({
        version: row.version,
        threadId: row.thread_id,
        summary: row.summary === null ? null : (JSON.parse(row.summary) as SessionSummary),
      }));
  }

  #record(version: number, threadId: string, summary: string | null): void {
    this.#sql.run("INSERT INTO changes (version, thread_id, summary) VALUES (?, ?, ?)", version, threadId, summary);
    // Pruned every PRUNE_EVERY versions, not on each: the window is RETAINED_CHANGES plus at most that many.
    if (version % PRUNE_EVERY === 0)
      this.#sql.run("DELETE FROM changes WHERE version <= ?", version - RETAINED_CHANGES);
  }
}
