/**
 * The session's storage schema. A new object gets the current schema in one statement call, recorded by one meta
 * row; an object stored by an earlier version is migrated forward on wake, each migration exactly once.
 */

import type { SqlMeter } from "../sql-meter.ts";
import { NOTIFICATIONS_SCHEMA } from "./notification-table.ts";

interface Migration {
  id: number;
  statements: readonly string[];
}

/** The schema a new object is created with, and the version every older object is migrated to. */
export const SCHEMA_VERSION = 6;

/**
 * The current schema. `meta` is WITHOUT ROWID, so a row of it is one row written (a rowid table with a text key
 * writes its unique index too); `session` holds the snapshot and the directory outbox in one row, so a commit that
 * changes both writes one row.
 */
const CURRENT_SCHEMA: readonly string[] = [
  `CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    origin TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    body TEXT NOT NULL,
    digest TEXT
  )`,
  // Dedup covers provider events only, so no provider id can collide with a synthetic one.
  `CREATE UNIQUE INDEX events_provider_event_id ON events (event_id) WHERE origin = 'provider'`,
  `CREATE TABLE session (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    state TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    feed TEXT
  )`,
  ...NOTIFICATIONS_SCHEMA,
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
];

/** How objects stored by earlier versions (which recorded each migration in `schema_migrations`) come forward. */
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
      `CREATE UNIQUE INDEX events_provider_event_id ON events (event_id) WHERE origin = 'provider'`,
      `CREATE TABLE session (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL)`,
    ],
  },
  {
    id: 2,
    statements: [CURRENT_SCHEMA[3] as string, CURRENT_SCHEMA[4] as string],
  },
  {
    id: 3,
    statements: [
      "ALTER TABLE session ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
      // SHA-256 of a provider event's canonical JSON: only rows stored before the received text was kept have one.
      "ALTER TABLE events ADD COLUMN digest TEXT",
    ],
  },
  {
    id: 4,
    statements: ["CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"],
  },
  {
    id: 5,
    statements: ["CREATE TABLE directory_feed (id INTEGER PRIMARY KEY CHECK (id = 1), feed TEXT NOT NULL)"],
  },
  {
    id: 6,
    // The directory outbox moves into the snapshot's row.
    statements: [
      "ALTER TABLE session ADD COLUMN feed TEXT",
      "UPDATE session SET feed = (SELECT feed FROM directory_feed WHERE id = 1)",
      "DROP TABLE directory_feed",
    ],
  },
];

/** 0: no storage yet. Reads only: a read of a session that never existed must not create storage. */
export function schemaVersion(sql: SqlMeter): number {
  const tables = sql
    .rows<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'schema_migrations', 'events')",
    )
    .map((row) => row.name);
  if (tables.includes("schema_migrations")) {
    return sql.rows<{ id: number | null }>("SELECT max(id) AS id FROM schema_migrations")[0]?.id ?? 0;
  }
  if (!tables.includes("events")) return 0;
  const row = sql.rows<{ value: string }>("SELECT value FROM meta WHERE key = 'schema'")[0];
  return row === undefined ? 0 : Number(row.value);
}

/**
 * A new object's storage and its epoch in one statement call (a statement is the unit of cost, and every new
 * thread pays this). Bindings apply to the last statement only, so the meta rows come last.
 */
export function createSchema(sql: SqlMeter, epoch: string): void {
  const statements = [...CURRENT_SCHEMA, "INSERT INTO meta (key, value) VALUES ('schema', ?), ('epoch', ?)"];
  sql.run(statements.join(";\n"), String(SCHEMA_VERSION), epoch);
}

/** Brings an object stored by an earlier version to the current schema; `applied` is what it already has. */
export function migrateForward(sql: SqlMeter, applied: number, now: number): void {
  if (applied >= SCHEMA_VERSION) return;
  const done = new Set(sql.rows<{ id: number }>("SELECT id FROM schema_migrations").map((row) => row.id));
  for (const migration of MIGRATIONS) {
    if (done.has(migration.id)) continue;
    for (const statement of migration.statements) sql.run(statement);
    sql.run("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)", migration.id, now);
  }
}
