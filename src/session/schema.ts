/** Ordered schema migrations; applied on wake and before the first write, each exactly once. */

interface Migration {
  id: number;
  statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    statements: [
      `CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL,
        origin TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT,
        body TEXT NOT NULL
      )`,
      // Dedup covers provider events only, so no provider id can collide with a synthetic one.
      `CREATE UNIQUE INDEX events_provider_event_id ON events (event_id) WHERE origin = 'provider'`,
      `CREATE TABLE session (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL)`,
    ],
  },
  {
    id: 2,
    statements: [
      `CREATE TABLE notifications (
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
      `CREATE INDEX notifications_pending ON notifications (next_attempt_at) WHERE state = 'pending'`,
    ],
  },
  {
    id: 3,
    statements: [
      // The snapshot's shape version: an older one is rebuilt by folding the log.
      "ALTER TABLE session ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
      // SHA-256 of the canonical JSON of a provider event; null for entries stored before it existed.
      "ALTER TABLE events ADD COLUMN digest TEXT",
    ],
  },
  {
    id: 4,
    // Facts about the storage itself rather than the fold: the epoch (this life of the threadId).
    statements: ["CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"],
  },
  {
    id: 5,
    // The tenant directory's outbox: one slot, since only the latest summary matters.
    statements: ["CREATE TABLE directory_feed (id INTEGER PRIMARY KEY CHECK (id = 1), feed TEXT NOT NULL)"],
  },
];

/** Reads only: a read of a session that never existed must not create storage. */
export function hasSchema(sql: SqlStorage): boolean {
  return (
    sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").toArray().length > 0
  );
}

export function migrate(sql: SqlStorage, now: number): void {
  if (!hasSchema(sql)) {
    createSchema(sql, now);
    return;
  }
  const applied = new Set(
    sql
      .exec<{ id: number }>("SELECT id FROM schema_migrations")
      .toArray()
      .map((row) => row.id),
  );
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.id)) continue;
    for (const statement of migration.statements) sql.exec(statement);
    sql.exec("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)", migration.id, now);
  }
}

/**
 * A new session's storage: every migration in one `exec` (a statement call is the unit of cost, and every new
 * thread pays this). Bindings apply to the last statement only, so the record of what was applied comes last.
 */
function createSchema(sql: SqlStorage, now: number): void {
  const statements = [
    "CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    ...MIGRATIONS.flatMap((migration) => migration.statements),
    `INSERT INTO schema_migrations (id, applied_at) VALUES ${MIGRATIONS.map((m) => `(${m.id}, ?)`).join(", ")}`,
  ];
  sql.exec(statements.join(";\n"), ...MIGRATIONS.map(() => now));
}
