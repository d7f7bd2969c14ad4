/**
 * Statement calls and the rows they read and write, counted from the cursors SQLite hands back: what the platform
 * bills for storage, exact and deterministic, so tests can assert it and the bench can print it.
 */

import { noCounts, type StorageCounts } from "./contracts/storage-counts.ts";

export type { StorageCounts };

type Binding = ArrayBuffer | string | number | null;

export class SqlMeter {
  readonly #sql: SqlStorage;
  /** Since the object was constructed (a wake). */
  readonly counts: StorageCounts = noCounts();

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** A statement that returns no rows (or whose rows are not wanted). */
  run(query: string, ...bindings: Binding[]): void {
    this.#count(this.#sql.exec(query, ...bindings));
  }

  /** `run` with the bindings as one array: a batch's hundred values are not spread twice. */
  runWith(query: string, bindings: readonly Binding[]): void {
    this.#count(this.#sql.exec(query, ...bindings));
  }

  /** Every row of a query, read at once. */
  rows<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: Binding[]): T[] {
    const cursor = this.#sql.exec<T>(query, ...bindings);
    const rows = cursor.toArray();
    this.#count(cursor);
    return rows;
  }

  /** The rows of a query, read as they are consumed; counted once the last is read. */
  *each<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: Binding[]): Generator<T> {
    const cursor = this.#sql.exec<T>(query, ...bindings);
    for (const row of cursor) yield row;
    this.#count(cursor);
  }

  alarmWritten(): void {
    this.counts.alarmWrites += 1;
  }

  #count(cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): void {
    this.counts.statements += 1;
    this.counts.rowsRead += cursor.rowsRead;
    this.counts.rowsWritten += cursor.rowsWritten;
  }
}
