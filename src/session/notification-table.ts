/**
 * The webhook outbox as a SQLite table: a notification a row, its delivery state beside it. Both objects keep one:
 * a session's (reaps, expiries, attention, usage thresholds) and a tenant directory's (the tenant's daily threshold).
 */
import type { DeliveryState } from "../contracts/vocabulary.ts";
import type { Notification } from "../domain/notification.ts";
import type { SqlMeter } from "../sql-meter.ts";

export const NOTIFICATIONS_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS notifications (
    id TEXT PRIMARY KEY,
    created_seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    next_attempt_at INTEGER
  )`,
  "CREATE INDEX IF NOT EXISTS notifications_pending ON notifications (next_attempt_at) WHERE state = 'pending'",
] as const;

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

const COLUMNS = "id, created_seq, type, body, created_at, state, attempts, last_error, next_attempt_at";

export class NotificationTable {
  readonly #sql: SqlMeter;

  constructor(sql: SqlMeter) {
    this.#sql = sql;
  }

  insert(notification: Notification): void {
    this.#sql.run(
      `INSERT INTO notifications (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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

  update(notification: Notification): void {
    this.#sql.run(
      "UPDATE notifications SET state = ?, attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
      notification.state,
      notification.attempts,
      notification.lastError,
      notification.nextAttemptAt,
      notification.id,
    );
  }

  latest(): Notification | null {
    return this.#one(`SELECT ${COLUMNS} FROM notifications ORDER BY created_seq DESC, created_at DESC LIMIT 1`);
  }

  /** The oldest one still pending: deliveries go out in order. */
  oldestPending(): Notification | null {
    return this.#one(
      `SELECT ${COLUMNS} FROM notifications WHERE state = 'pending' ORDER BY created_seq, created_at LIMIT 1`,
    );
  }

  #one(query: string): Notification | null {
    const row = this.#sql.rows<NotificationRow>(query)[0];
    return row === undefined ? null : toNotification(row);
  }
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
