/** How a commit reaches storage: one transaction, or one bare statement when that is all it writes. */
import type { Change } from "../domain/change.ts";
import type { DirectoryFeed } from "../domain/directory.ts";
import type { SqlMeter } from "../sql-meter.ts";
import { createSchema } from "./schema.ts";
import { SessionStore } from "./store.ts";

export interface ChangeWrite {
  /** The session's first write: the schema is created with it, under this life's epoch. */
  first: boolean;
  epoch: string;
  /** The snapshot (and the directory outbox in its row) to store, or null when the log's tail is enough. */
  snapshot: DirectoryFeed | null;
}

/** Stores a change atomically; synchronous, so nothing interleaves. */
export function writeChange(
  storage: DurableObjectStorage,
  sql: SqlMeter,
  store: SessionStore,
  change: Change,
  { first, epoch, snapshot }: ChangeWrite,
): void {
  const write = () => {
    if (first) createSchema(sql, epoch);
    store.appendEntries(change.entries);
    if (snapshot !== null) store.saveSnapshot(change.state, snapshot);
    for (const notification of change.notifications) store.insertNotification(notification);
    for (const delivery of change.deliveries) store.updateDelivery(delivery);
  };
  const oneStatement =
    !first &&
    snapshot === null &&
    change.notifications.length === 0 &&
    change.deliveries.length === 0 &&
    SessionStore.appendStatements(change.entries) <= 1;
  // One statement is atomic by itself: a transaction around it would only add its own cost.
  if (oneStatement) write();
  else storage.transactionSync(write);
}

/** A short random id for a life of the session. */
export function mintEpoch(): string {
  const [high = 0, low = 0] = crypto.getRandomValues(new Uint32Array(2));
  return `${high.toString(36)}${low.toString(36)}`;
}
