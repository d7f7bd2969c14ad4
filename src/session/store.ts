/** Parameterised queries over the session's SQLite storage; values are always bound, never interpolated. */
import type { EventOrigin, LogEntry } from "../domain/event-log.ts";
import type { RuntimeEvent } from "../domain/events.ts";
import type { DeliveryState, Notification } from "../domain/notification.ts";
import type { IgnoreReason, Outcome } from "../domain/projection.ts";
import type { SessionState } from "../domain/session.ts";

export interface StoredEntry extends LogEntry {
  outcome: Outcome;
  reason?: IgnoreReason;
}

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
  type: string;
  body: string;
  created_at: number;
  state: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
};

export class SessionStore {
  constructor(private readonly sql: SqlStorage) {}

  loadState(): SessionState | null {
    const row = this.sql.exec<{ state: string }>("SELECT state FROM session WHERE id = 1").toArray()[0];
    return row === undefined ? null : (JSON.parse(row.state) as SessionState);
  }

  saveState(state: SessionState): void {
    this.sql.exec(
      "INSERT INTO session (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state",
      JSON.stringify(state),
    );
  }

  /** Appends entries in multi-row statements: a statement is the unit of cost inside a Durable Object. */
  appendEvents(entries: readonly StoredEntry[]): void {
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
      ]);
      this.sql.exec(`${INSERT_EVENTS} ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`, ...values);
    }
  }

  /** The seq of each of these provider event ids that is already stored. */
  storedSeqs(eventIds: readonly string[]): Map<string, number> {
    const found = new Map<string, number>();
    for (let start = 0; start < eventIds.length; start += IDS_PER_LOOKUP) {
      const chunk = eventIds.slice(start, start + IDS_PER_LOOKUP);
      const rows = this.sql.exec<{ event_id: string; seq: number }>(
        `SELECT event_id, seq FROM events WHERE origin = 'provider' AND event_id IN (${chunk.map(() => "?").join(", ")})`,
        ...chunk,
      );
      for (const row of rows) found.set(row.event_id, row.seq);
    }
    return found;
  }

  readEntries(afterSeq: number, limit: number): StoredEntry[] {
    return this.sql
      .exec<EventRow>(
        "SELECT seq, origin, received_at, outcome, reason, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
        afterSeq,
        limit,
      )
      .toArray()
      .map(toStoredEntry);
  }

  *allEntries(): Generator<StoredEntry> {
    for (const row of this.sql.exec<EventRow>(
      "SELECT seq, origin, received_at, outcome, reason, body FROM events ORDER BY seq",
    )) {
      yield toStoredEntry(row);
    }
  }

  insertNotification(notification: Notification, createdSeq: number): void {
    this.sql.exec(
      `INSERT INTO notifications (id, created_seq, type, body, created_at, state, attempts, last_error, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      notification.id,
      createdSeq,
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
    this.sql.exec(
      "UPDATE notifications SET state = ?, attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
      notification.state,
      notification.attempts,
      notification.lastError,
      notification.nextAttemptAt,
      notification.id,
    );
  }

  latestNotification(): Notification | null {
    const row = this.sql
      .exec<NotificationRow>(`SELECT ${NOTIFICATION_COLUMNS} FROM notifications ORDER BY created_seq DESC LIMIT 1`)
      .toArray()[0];
    return row === undefined ? null : toNotification(row);
  }

  /** The oldest pending notification: deliveries go out in the order they were created. */
  nextPendingNotification(): Notification | null {
    const row = this.sql
      .exec<NotificationRow>(
        `SELECT ${NOTIFICATION_COLUMNS} FROM notifications WHERE state = 'pending' ORDER BY created_seq LIMIT 1`,
      )
      .toArray()[0];
    return row === undefined ? null : toNotification(row);
  }
}

/** Durable Object SQL allows 100 bound parameters per statement: 14 rows of 7 columns. */
const ROWS_PER_INSERT = 14;
const IDS_PER_LOOKUP = 100;
const INSERT_EVENTS = "INSERT INTO events (seq, event_id, origin, received_at, outcome, reason, body) VALUES";

const NOTIFICATION_COLUMNS = "id, type, body, created_at, state, attempts, last_error, next_attempt_at";

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
    type: row.type,
    body: row.body,
    createdAt: row.created_at,
    state: row.state as DeliveryState,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
  };
}
