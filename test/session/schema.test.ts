/** A new session's storage is created in one statement call, and must equal what the migrations build one by one. */
import { runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import { MIGRATIONS, migrate } from "../../src/session/schema.ts";
import { newThreadId } from "../support/api.ts";
import { sessionStub } from "../support/session-object.ts";

type MasterRow = { type: string; name: string; sql: string | null };

const schemaOf = (sql: SqlStorage) =>
  sql.exec<MasterRow>("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '_cf_%' ORDER BY name").toArray();

it("creates in one call the schema the migrations build step by step, and records every migration", async () => {
  await runInDurableObject(sessionStub(newThreadId()), async (_instance, state) => {
    migrate(state.storage.sql, 1_000);
    const created = schemaOf(state.storage.sql);
    const applied = state.storage.sql.exec("SELECT id, applied_at FROM schema_migrations ORDER BY id").toArray();
    expect(applied).toEqual(MIGRATIONS.map((migration) => ({ id: migration.id, applied_at: 1_000 })));
    expect(created.map((row) => row.name)).toEqual(
      expect.arrayContaining([
        "events",
        "events_provider_event_id",
        "session",
        "notifications",
        "meta",
        "directory_feed",
      ]),
    );

    await runInDurableObject(sessionStub(newThreadId()), async (_other, stepwise) => {
      const sql = stepwise.storage.sql;
      sql.exec("CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
      for (const migration of MIGRATIONS) for (const statement of migration.statements) sql.exec(statement);
      expect(schemaOf(sql)).toEqual(created);
    });
  });
});
