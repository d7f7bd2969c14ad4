/**
 * The session's view, built at most once per commit and served to every read until the next (twice when a read wants
 * the exact storage size), with its JSON. The database's size costs about as much to read as the rest of a small
 * ingest (measured under workerd with its files on disk): an ingest's reply and the live stream carry it up to a
 * second old, a GET reads it.
 */
import type { SessionView } from "../contracts/replies.ts";

/** How old the storage size in a view may be. */
const STORAGE_BYTES_MAX_AGE_MS = 1000;

export class ViewCache {
  readonly #databaseSize: () => number;
  readonly #project: (storageBytes: number) => SessionView;
  #view: SessionView | null = null;
  #json: string | null = null;
  /** Whether the view's storage size was read after the commit it shows. */
  #exact = false;
  /** `databaseSize` as last read, and when (performance.now()). */
  #bytesRead = 0;
  #bytesAt: number | null = null;

  constructor(databaseSize: () => number, project: (storageBytes: number) => SessionView) {
    this.#databaseSize = databaseSize;
    this.#project = project;
  }

  /** A commit (or a purge) changed what the view shows. */
  invalidate(): void {
    this.#view = null;
    this.#json = null;
  }

  /** `exact`: with the storage size read now (a GET), not up to a second old (an ingest's reply). */
  view(exact = false): SessionView {
    if (this.#view !== null && (this.#exact || !exact)) return this.#view;
    const now = performance.now();
    const stale = this.#bytesAt === null || now - this.#bytesAt >= STORAGE_BYTES_MAX_AGE_MS;
    if (exact || stale) {
      this.#bytesRead = this.#databaseSize();
      this.#bytesAt = now;
    }
    this.#view = this.#project(this.#bytesRead);
    this.#json = null;
    this.#exact = exact || stale;
    return this.#view;
  }

  json(exact = false): string {
    if (this.#json === null || (exact && !this.#exact)) this.#json = JSON.stringify(this.view(exact));
    return this.#json;
  }
}
