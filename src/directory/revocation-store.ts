/** A tenant's read-token revocations in its directory's SQLite: a tenant-wide time, and ids kept until expiry. */
import type { Revocations } from "../domain/read-grants.ts";

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS revoked_tokens (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)",
  "CREATE TABLE IF NOT EXISTS revoked_before (id INTEGER PRIMARY KEY CHECK (id = 0), not_after INTEGER NOT NULL)",
];

export class RevocationStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    for (const statement of SCHEMA) sql.exec(statement);
  }

  /** The revocations that still matter at `now`: a revoked id whose token has expired is forgotten. */
  load(now: number): Revocations {
    const notAfter =
      this.#sql.exec<{ not_after: number }>("SELECT not_after FROM revoked_before WHERE id = 0").toArray()[0]
        ?.not_after ?? null;
    const revokedIds = this.#sql
      .exec<{ jti: string }>("SELECT jti FROM revoked_tokens WHERE expires_at > ?", now)
      .toArray()
      .map((row) => row.jti);
    return { notAfter, revokedIds };
  }

  /** Every token minted at or before `at` is revoked; a later revocation never moves the time back. */
  revokeUpTo(at: number): void {
    this.#sql.exec(
      `INSERT INTO revoked_before (id, not_after) VALUES (0, ?)
       ON CONFLICT (id) DO UPDATE SET not_after = max(not_after, excluded.not_after)`,
      at,
    );
  }

  revokeToken(jti: string, expiresAt: number, now: number): void {
    this.#sql.exec("INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?, ?)", jti, expiresAt);
    this.#sql.exec("DELETE FROM revoked_tokens WHERE expires_at <= ?", now);
  }
}
