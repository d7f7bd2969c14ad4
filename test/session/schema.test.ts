/**
 * A new session's storage is created in one statement call; an object stored by an earlier version is migrated to
 * the same tables, and keeps what it stored.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import { MIGRATIONS, migrateForward, SCHEMA_VERSION } from "../../src/session/schema.ts";
import { SqlMeter } from "../../src/sql-meter.ts";
import { api, newThreadId } from "../support/api.ts";
import { ev } from "../support/events.ts";
import { readSession, readWholeLog, sessionStub } from "../support/session-object.ts";

type Column = { name: string; type: string; notnull: number; dflt_value: string | null; pk: number };

/** Every table's columns and every index's name: what the code relies on, whatever the DDL's spelling. */
function shapeOf(sql: SqlStorage) {
  const objects = sql
    .exec<{ type: string; name: string }>(
      `SELECT type, name FROM sqlite_master WHERE name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'
       AND name != 'schema_migrations' ORDER BY name`,
    )
    .toArray();
  return objects.map(({ type, name }) => ({
    type,
    name,
    columns:
      type === "table"
        ? sql
            .exec<Column>('SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)', name)
            .toArray()
            // A WITHOUT ROWID table's key is NOT NULL by definition; the older rowid meta table's is not declared so.
            .map((column) => ({ ...column, notnull: column.pk > 0 ? "key" : column.notnull }))
        : null,
  }));
}

/** The storage of an object written before schema 6: the five migrations, one by one, as earlier versions ran them. */
function legacySchema(sql: SqlStorage, upTo: number): void {
  sql.exec("CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  for (const migration of MIGRATIONS.filter((m) => m.id <= upTo)) {
    for (const statement of migration.statements) sql.exec(statement);
    sql.exec("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)", migration.id, 1_000);
  }
}

it("creates a new session's tables, in one call, as the migrations bring an old object's", async () => {
  const threadId = newThreadId();
  expect((await api.post(threadId, ev.sessionStarted({ threadId }))).status).toBe(200);
  const created = await runInDurableObject(sessionStub(threadId), (_, state) => shapeOf(state.storage.sql));
  expect(created.map((object) => object.name)).toEqual(
    expect.arrayContaining(["events", "events_provider_event_id", "session", "notifications", "meta"]),
  );
  expect(created.map((object) => object.name)).not.toContain("directory_feed");
  const schemaRow = await runInDurableObject(sessionStub(threadId), (_, state) =>
    state.storage.sql.exec("SELECT key, value FROM meta ORDER BY key").toArray(),
  );
  expect(schemaRow).toEqual([
    { key: "epoch", value: expect.any(String) },
    { key: "schema", value: String(SCHEMA_VERSION) },
  ]);

  await runInDurableObject(sessionStub(newThreadId()), (_, old) => {
    legacySchema(old.storage.sql, 0);
    migrateForward(new SqlMeter(old.storage.sql), 0, 2_000);
    expect(shapeOf(old.storage.sql)).toEqual(created);
  });
});

it("migrates an object stored by schema 5 on wake, keeping its log, snapshot and directory outbox", async () => {
  const threadId = newThreadId();
  const started = ev.sessionStarted({ threadId });
  // What the directory last acknowledged: a marker only the migrated row can carry.
  const feed = { known: { threadId, status: "ready" }, pending: null, attempts: 0, nextAttemptAt: null };
  const state = {
    status: "ready",
    providerName: started.provider,
    activeTurnId: null,
    lastError: null,
    providerUpdatedAt: started.createdAt,
    lastEventAt: 1_000,
    turnExpiredAt: null,
    highestSessionSequence: null,
    pendingRequests: [],
    eventCount: 1,
    lastSeq: 1,
    reapedAt: null,
    reapReason: null,
  };
  await runInDurableObject(sessionStub(threadId), (_, old) => {
    const sql = old.storage.sql;
    legacySchema(sql, 5);
    sql.exec(
      "INSERT INTO events (seq, event_id, origin, received_at, outcome, body, digest) VALUES (1, ?, 'provider', 1000, 'applied', ?, 'd')",
      started.eventId,
      JSON.stringify(started),
    );
    sql.exec("INSERT INTO session (id, state, version) VALUES (1, ?, 4)", JSON.stringify(state));
    sql.exec("INSERT INTO directory_feed (id, feed) VALUES (1, ?)", JSON.stringify(feed));
  });
  await evictDurableObject(sessionStub(threadId));

  expect(await readSession(threadId)).toMatchObject({ status: "ready", eventCount: 1, lastSeq: 1 });
  expect((await readWholeLog(threadId)).map((entry) => entry.event.eventId)).toEqual([started.eventId]);
  await runInDurableObject(sessionStub(threadId), (_, migrated) => {
    const sql = migrated.storage.sql;
    expect(sql.exec("SELECT max(id) AS id FROM schema_migrations").one().id).toBe(SCHEMA_VERSION);
    // The snapshot (version 4) is of an older shape, so the session was refolded from its log, and the directory,
    // whose copy lacks the new fields, is sent a fresh summary; what it acknowledged is kept.
    const migratedFeed = JSON.parse(String(sql.exec("SELECT feed FROM session").one().feed));
    expect(migratedFeed.known).toEqual(feed.known);
    expect(migratedFeed.pending).toMatchObject({ threadId, status: "ready", tasks: { running: 0 }, attention: [] });
    expect(sql.exec("SELECT name FROM sqlite_master WHERE name = 'directory_feed'").toArray()).toEqual([]);
  });
});
