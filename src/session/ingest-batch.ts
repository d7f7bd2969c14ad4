/** What the object's ingest reads and answers besides the domain's decision: the stored ids, and its replies. */
import type { RuntimeEvent } from "../contracts/events.ts";
import { sameJsonText } from "../contracts/json-text.ts";
import type { EventIdConflict, IncomingEvent, StoredId } from "../domain/ingest.ts";
import { eventDigest } from "./digest.ts";
import type { SessionStore } from "./store.ts";

/** `json`: the IngestReply as JSON, built where the view is cached (a string crosses RPC for less than an object). */
export type IngestResult = { ok: true; json: string } | { ok: false; conflicts: EventIdConflict[] };

/** The events' texts as received (already checked by the Worker), with their parsed envelopes. */
export function incomingBatch(texts: readonly string[]): IncomingEvent[] {
  return texts.map((text) => ({ event: JSON.parse(text) as RuntimeEvent, text }));
}

/** The stored events among the batch's eventIds, compared by text (or by digest, for those stored before texts). */
export function storedIdsOf(store: SessionStore, batch: readonly IncomingEvent[]): Map<string, StoredId> {
  const stored = new Map<string, StoredId>();
  for (const row of store.storedIds(batch.map(({ event }) => event.eventId))) {
    const { digest, body } = row;
    stored.set(row.eventId, {
      seq: row.seq,
      sameContent: (text) => (digest === null ? sameJsonText(body, text) : eventDigest(JSON.parse(text)) === digest),
    });
  }
  return stored;
}

/** The unique index's answer to an eventId already stored: SQLite's constraint error, as workerd throws it. */
export function isUniqueViolation(error: unknown): boolean {
  return String(error).includes("UNIQUE constraint failed");
}
