/** Parameterised queries over the session's SQLite storage; values are always bound, never interpolated. */
import type { RuntimeEvent } from "../contracts/events.ts";
import type { DeliveryState, EventOrigin, IgnoreReason, Outcome } from "../contracts/vocabulary.ts";
import { type DirectoryFeed, initialFeed } from "../domain/directory.ts";
import type { StoredEntry } from "../domain/event-log.ts";
import type { StoredId } from "../domain/ingest.ts";
import type { Notification } from "../domain/notification.ts";
import { SESSION_STATE_VERSION, type SessionState } from "../domain/session.ts";

type EventRow = {
  seq: number;
  origin: string;
  received_at: number;
  outcome: string;
  reason: string | null;
  body: string;
};

type NotificationRow = {
  id: string;
  created_seq: number;
  type: string;
  body: string;
  created_at: number;
  state: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
};

/** The stored snapshot, or why it cannot be used as it is. */
export type Snapshot = { kind: "current"; state: SessionState } | { kind: "missing" | "outdated" | "unreadable" };

export class SessionStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  loadSnapshot(): Snapshot {
    const row = this.#sql.exec<{ state: string; version: number }>("SELECT state, version FROM session").toArray()[0];
    if (row === undefined) return { kind: "missing" };
    if (row.version !== SESSION_STATE_VERSION) return { kind: "outdated" };
    try {
      return { kind: "current", state: JSON.parse(row.state) as SessionState };
    } catch {
      return { kind: "unreadable" };
    }
  }

  saveSnapshot(state: SessionState): void {
    this.#sql.exec(
      `INSERT INTO session (id, state, version) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, version = excluded.version`,
      JSON.stringify(state),
      SESSION_STATE_VERSION,
    );
  }

  /** This life's epoch; a session stored before epochs existed takes one from its first entry's receive time. */
  loadEpoch(): string | null {
    const row = this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'epoch'").toArray()[0];
    if (row !== undefined) return row.value;
    const first = this.#sql.exec<{ received_at: number }>("SELECT received_at FROM events WHERE seq = 1").toArray()[0];
    return first === undefined ? null : `r${first.received_at.toString(36)}`;
  }

  saveEpoch(epoch: string): void {
    this.#sql.exec("INSERT INTO meta (key, value) VALUES ('epoch', ?)", epoch);
  }

  /** Stored bytes of the entries after `afterSeq`: what a replay from there would send. */
  bytesAfter(afterSeq: number): number {
    return (
      this.#sql
        .exec<{ bytes: number | null }>("SELECT sum(length(body)) AS bytes FROM events WHERE seq > ?", afterSeq)
        .one().bytes ?? 0
    );
  }

  loadDirectoryFeed(): DirectoryFeed {
    const row = this.#sql.exec<{ feed: string }>("SELECT feed FROM directory_feed").toArray()[0];
    return row === undefined ? initialFeed : (JSON.parse(row.feed) as DirectoryFeed);
  }

  saveDirectoryFeed(feed: DirectoryFeed): void {
    this.#sql.exec(
      "INSERT INTO directory_feed (id, feed) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET feed = excluded.feed",
      JSON.stringify(feed),
    );
  }

  hasEntries(): boolean {
    return this.#sql.exec("SELECT 1 FROM events LIMIT 1").toArray().length > 0;
  }

  /** Appends entries in multi-row statements: a statement is the unit of cost inside a Durable Object. */
  appendEntries(entries: readonly StoredEntry[]): void {
    for (let start = 0; start < entries.length; start += ROWS_PER_INSERT) {
      const chunk = entries.slice(start, start + ROWS_PER_INSERT);
      const values = chunk.flatMap((entry) => [
        entry.seq,
        entry.event.eventId,
        entry.origin,
        entry.receivedAt,
        entry.outcome,
        entry.reason ?? null,
        JSON.stringify(entry.event),
        entry.digest ?? null,
      ]);
      this.#sql.exec(`${INSERT_EVENTS} ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`, ...values);
    }
  }

  /**
   * Where each of these provider event ids is stored, with its digest. An entry stored before digests existed
   * gets one computed from its body by `digestOf`.
   */
  storedIds(eventIds: readonly string[], digestOf: (body: string) => string): Map<string, StoredId> {
    const found = new Map<string, StoredId>();
    for (let start = 0; start < eventIds.length; start += IDS_PER_LOOKUP) {
      const chunk = eventIds.slice(start, start + IDS_PER_LOOKUP);
      const rows = this.#sql.exec<{ event_id: string; seq: number; digest: string | null; body: string | null }>(
        `SELECT event_id, seq, digest, CASE WHEN digest IS NULL THEN body END AS body
         FROM events WHERE origin = 'provider' AND event_id IN (${chunk.map(() => "?").join(", ")})`,
        ...chunk,
      );
      for (const row of rows) {
        found.set(row.event_id, { seq: row.seq, digest: row.digest ?? digestOf(row.body ?? "") });
      }
    }
    return found;
  }

  /**
   * Up to `limit` entries after `afterSeq` whose stored bodies sum to at most `maxBytes`, and always at least one.
   * The running sum reads only the bodies' lengths, so no entry past the page is read.
   */
  readEntries(afterSeq: number, limit: number, maxBytes: number): StoredEntry[] {
    return this.#sql
      .exec<EventRow>(
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
      .toArray()
      .map(toStoredEntry);
  }

  /** The whole log in seq order, read lazily: only a snapshot rebuild needs it. */
  *allEntries(): Generator<StoredEntry> {
    for (const row of this.#sql.exec<EventRow>(`SELECT ${ENTRY_COLUMNS} FROM events ORDER BY seq`)) {
      yield toStoredEntry(row);
    }
  }

  insertNotification(notification: Notification): void {
    this.#sql.exec(
      `INSERT INTO notifications (id, created_seq, type, body, created_at, state, attempts, last_error, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      notification.id,
      notification.seq,
      notification.type,
      notification.body,
      notification.createdAt,
      notification.state,
      notification.attempts,
      notification.lastError,
      notification.nextAttemptAt,
    );
  }

  updateDelivery(notification: Notification): void {
    this.#sql.exec(
      "UPDATE notifications SET state = ?, attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
      notification.state,
      notification.attempts,
      notification.lastError,
      notification.nextAttemptAt,
      notification.id,
    );
  }

  latestNotification(): Notification | null {
    const row = this.#sql
      .exec<NotificationRow>(`SELECT ${NOTIFICATION_COLUMNS} FROM notifications ORDER BY created_seq DESC LIMIT 1`)
      .toArray()[0];
    return row === undefined ? null : toNotification(row);
  }

  /** The oldest pending notification: deliveries go out in the order they were created. */
  oldestPendingNotification(): Notification | null {
    const row = this.#sql
      .exec<NotificationRow>(
        `SELECT ${NOTIFICATION_COLUMNS} FROM notifications WHERE state = 'pending' ORDER BY created_seq LIMIT 1`,
      )
      .toArray()[0];
    return row === undefined ? null : toNotification(row);
  }
}

/** Durable Object SQL allows 100 bound parameters per statement: 12 rows of 8 columns. */
const ROWS_PER_INSERT = 12;
const IDS_PER_LOOKUP = 100;
const INSERT_EVENTS = "INSERT INTO events (seq, event_id, origin, received_at, outcome, reason, body, digest) VALUES";
const ENTRY_COLUMNS = "seq, origin, received_at, outcome, reason, body";
const NOTIFICATION_COLUMNS = "id, created_seq, type, body, created_at, state, attempts, last_error, next_attempt_at";

function toStoredEntry(row: EventRow): StoredEntry {
  return {
    seq: row.seq,
    origin: row.origin as EventOrigin,
    receivedAt: row.received_at,
    outcome: row.outcome as Outcome,
    ...(row.reason === null ? {} : { reason: row.reason as IgnoreReason }),
    event: JSON.parse(row.body) as RuntimeEvent,
  };
}

function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    seq: row.created_seq,
    type: row.type,
    body: row.body,
    createdAt: row.created_at,
    state: row.state as DeliveryState,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
  };
}
