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

  /** false when a provider event with this id is already stored (the insert is then a no-op). */
  appendEvent(entry: StoredEntry): boolean {
    const cursor = this.sql.exec(
      `INSERT INTO events (seq, event_id, origin, received_at, outcome, reason, body)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      entry.seq,
      entry.event.eventId,
      entry.origin,
      entry.receivedAt,
      entry.outcome,
      entry.reason ?? null,
      JSON.stringify(entry.event),
    );
    return cursor.rowsWritten > 0;
  }

  seqOfProviderEvent(eventId: string): number | null {
    const row = this.sql
      .exec<{ seq: number }>("SELECT seq FROM events WHERE event_id = ? AND origin = 'provider'", eventId)
      .toArray()[0];
    return row?.seq ?? null;
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

  /** Bytes of the SQLite database, for the storage-cost figures. */
  databaseSize(): number {
    return this.sql.databaseSize;
  }
}

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
