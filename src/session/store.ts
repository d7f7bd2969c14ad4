/** Parameterised queries over the session's SQLite storage; values are always bound, never interpolated. */
import type { RuntimeEvent } from "../contracts/events.ts";
import type { EventOrigin, IgnoreReason, Outcome } from "../contracts/vocabulary.ts";
import { type DirectoryFeed, initialFeed } from "../domain/directory.ts";
import type { StoredEntry } from "../domain/event-log.ts";
import type { Notification } from "../domain/notification.ts";
import { SESSION_STATE_VERSION, type SessionState } from "../domain/session.ts";
import type { SqlMeter } from "../sql-meter.ts";
import { NotificationTable } from "./notification-table.ts";

type EventRow = {
  seq: number;
  origin: string;
  received_at: number;
  outcome: string;
  reason: string | null;
  body: string;
};

/** The stored snapshot with the directory outbox beside it, or why the snapshot cannot be used as it is. */
export type Snapshot =
  | { kind: "current"; state: SessionState; feed: DirectoryFeed }
  | { kind: "missing" | "outdated" | "unreadable"; feed: DirectoryFeed };

/** A provider eventId found stored: its seq, its stored text, and its digest if it was stored before texts were kept. */
export interface StoredIdRow {
  eventId: string;
  seq: number;
  body: string;
  digest: string | null;
}

export class SessionStore {
  readonly #sql: SqlMeter;

  readonly #notifications: NotificationTable;

  constructor(sql: SqlMeter) {
    this.#sql = sql;
    this.#notifications = new NotificationTable(sql);
  }

  loadSnapshot(): Snapshot {
    const row = this.#sql.rows<{ state: string; version: number; feed: string | null }>(
      "SELECT state, version, feed FROM session",
    )[0];
    if (row === undefined) return { kind: "missing", feed: initialFeed };
    // A feed stored before 0.6 has no usage fields: they start as a new feed's.
    const feed =
      row.feed === null ? initialFeed : { ...initialFeed, ...(JSON.parse(row.feed) as Partial<DirectoryFeed>) };
    if (row.version !== SESSION_STATE_VERSION) return { kind: "outdated", feed };
    try {
      return { kind: "current", state: JSON.parse(row.state) as SessionState, feed };
    } catch {
      return { kind: "unreadable", feed };
    }
  }

  /** The snapshot (which covers the log up to `state.lastSeq`) and the directory outbox: one row. */
  saveSnapshot(state: SessionState, feed: DirectoryFeed): void {
    this.#sql.run(
      `INSERT INTO session (id, state, version, feed) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, version = excluded.version, feed = excluded.feed`,
      JSON.stringify(state),
      SESSION_STATE_VERSION,
      JSON.stringify(feed),
    );
  }

  /** This life's epoch; a session stored before epochs existed takes one from its first entry's receive time. */
  loadEpoch(): string | null {
    const row = this.#sql.rows<{ value: string }>("SELECT value FROM meta WHERE key = 'epoch'")[0];
    if (row !== undefined) return row.value;
    const first = this.#sql.rows<{ received_at: number }>("SELECT received_at FROM events WHERE seq = 1")[0];
    return first === undefined ? null : `r${first.received_at.toString(36)}`;
  }

  /** Stored bytes of the entries after `afterSeq`: what a replay from there would send. */
  bytesAfter(afterSeq: number): number {
    const [row] = this.#sql.rows<{ bytes: number | null }>(
      "SELECT sum(length(body)) AS bytes FROM events WHERE seq > ?",
      afterSeq,
    );
    return row?.bytes ?? 0;
  }

  /**
   * Appends entries in multi-row statements (a statement is the unit of cost inside a Durable Object). A provider
   * eventId already stored makes the unique index throw: the caller's transaction rolls back and takes the lookup
   * path, so a first-time event costs no read.
   */
  appendEntries(entries: readonly StoredEntry[]): void {
    if (isProviderRun(entries)) {
      for (let start = 0; start < entries.length; start += ROWS_PER_PROVIDER_INSERT) {
        const chunk = entries.slice(start, start + ROWS_PER_PROVIDER_INSERT);
        const first = chunk[0] as StoredEntry;
        const values: (string | number)[] = [first.seq, first.receivedAt];
        for (const entry of chunk) values.push(entry.event.eventId, entry.outcome, entry.text as string);
        this.#sql.runWith(providerRunStatement(chunk.length), values);
      }
      return;
    }
    for (let start = 0; start < entries.length; start += ROWS_PER_INSERT) {
      const chunk = entries.slice(start, start + ROWS_PER_INSERT);
      const values = chunk.flatMap((entry) => [
        entry.seq,
        entry.event.eventId,
        entry.origin,
        entry.receivedAt,
        entry.outcome,
        entry.reason ?? null,
        entry.text ?? JSON.stringify(entry.event),
      ]);
      this.#sql.runWith(valuesStatement(chunk.length), values);
    }
  }

  /** How many statements `appendEntries` runs for these entries. */
  static appendStatements(entries: readonly StoredEntry[]): number {
    return Math.ceil(entries.length / (isProviderRun(entries) ? ROWS_PER_PROVIDER_INSERT : ROWS_PER_INSERT));
  }

  /** The stored provider events among these eventIds. */
  storedIds(eventIds: readonly string[]): StoredIdRow[] {
    const found: StoredIdRow[] = [];
    for (let start = 0; start < eventIds.length; start += IDS_PER_LOOKUP) {
      const chunk = eventIds.slice(start, start + IDS_PER_LOOKUP);
      const rows = this.#sql.rows<{ event_id: string; seq: number; body: string; digest: string | null }>(
        `SELECT event_id, seq, body, digest FROM events
         WHERE origin = 'provider' AND event_id IN (${chunk.map(() => "?").join(", ")})`,
        ...chunk,
      );
      for (const row of rows) found.push({ eventId: row.event_id, seq: row.seq, body: row.body, digest: row.digest });
    }
    return found;
  }

  /**
   * Up to `limit` entries after `afterSeq` whose stored bodies sum to at most `maxBytes`, and always at least one.
   * The running sum reads only the bodies' lengths, so no entry past the page is read.
   */
  readEntries(afterSeq: number, limit: number, maxBytes: number): StoredEntry[] {
    return this.#sql
      .rows<EventRow>(
        `SELECT ${ENTRY_COLUMNS} FROM events WHERE seq > ? AND seq <= (
           SELECT coalesce(max(CASE WHEN running <= ? THEN seq END), min(seq)) FROM (
             SELECT seq, sum(octet_length(body)) OVER (ORDER BY seq) AS running
             FROM events WHERE seq > ? ORDER BY seq LIMIT ?
           )
         ) ORDER BY seq`,
        afterSeq,
        maxBytes,
        afterSeq,
        limit,
      )
      .map(toStoredEntry);
  }

  /** The log after `afterSeq` in seq order, read lazily: a wake folds the tail the snapshot does not cover. */
  *entriesAfter(afterSeq: number): Generator<StoredEntry> {
    for (const row of this.#sql.each<EventRow>(
      `SELECT ${ENTRY_COLUMNS} FROM events WHERE seq > ? ORDER BY seq`,
      afterSeq,
    )) {
      yield toStoredEntry(row);
    }
  }

  hasEntries(): boolean {
    return this.#sql.rows("SELECT 1 FROM events LIMIT 1").length > 0;
  }

  insertNotification(notification: Notification): void {
    this.#notifications.insert(notification);
  }

  updateDelivery(notification: Notification): void {
    this.#notifications.update(notification);
  }

  latestNotification(): Notification | null {
    return this.#notifications.latest();
  }

  oldestPendingNotification(): Notification | null {
    return this.#notifications.oldestPending();
  }
}

/** Durable Object SQL allows 100 bound parameters per statement: 14 rows of 7 columns. */
const ROWS_PER_INSERT = 14;
const IDS_PER_LOOKUP = 100;
const INSERT_EVENTS = "INSERT INTO events (seq, event_id, origin, received_at, outcome, reason, body) VALUES";
/** The INSERT for 1..ROWS_PER_INSERT rows, built once each. */
const VALUES_STATEMENTS = Array.from(
  { length: ROWS_PER_INSERT + 1 },
  (_, rows) => `${INSERT_EVENTS} ${Array.from({ length: rows }, () => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
);

function valuesStatement(rows: number): string {
  return VALUES_STATEMENTS[rows] as string;
}

/**
 * The common batch: provider events received together, none ignored with a reason. Their seqs run on from the first
 * and they share one receive time, so a row binds only its eventId, outcome and text (`?1` is the first seq, `?2`
 * the receive time): 32 rows a statement instead of 14, and fewer values crossing into SQLite.
 */
function isProviderRun(entries: readonly StoredEntry[]): boolean {
  const first = entries[0];
  if (first === undefined) return false;
  return entries.every(
    (entry, index) =>
      entry.origin === "provider" &&
      entry.reason === undefined &&
      entry.text !== undefined &&
      entry.receivedAt === first.receivedAt &&
      entry.seq === first.seq + index,
  );
}

/** 2 shared values and 3 a row within the 100 bound parameters. */
const ROWS_PER_PROVIDER_INSERT = 32;
const PROVIDER_RUN_STATEMENTS = Array.from({ length: ROWS_PER_PROVIDER_INSERT + 1 }, (_, rows) => {
  const tuples = Array.from({ length: rows }, (_, row) => {
    const at = 3 + row * 3;
    return `(${row === 0 ? "?1" : `?1 + ${row}`}, ?${at}, 'provider', ?2, ?${at + 1}, NULL, ?${at + 2})`;
  });
  return `${INSERT_EVENTS} ${tuples.join(", ")}`;
});

function providerRunStatement(rows: number): string {
  return PROVIDER_RUN_STATEMENTS[rows] as string;
}
const ENTRY_COLUMNS = "seq, origin, received_at, outcome, reason, body";
function toStoredEntry(row: EventRow): StoredEntry {
  return {
    seq: row.seq,
    origin: row.origin as EventOrigin,
    receivedAt: row.received_at,
    outcome: row.outcome as Outcome,
    ...(row.reason === null ? {} : { reason: row.reason as IgnoreReason }),
    event: JSON.parse(row.body) as RuntimeEvent,
    text: row.body,
  };
}
