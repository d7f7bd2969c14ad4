/** A change to one session, decided by the domain and written whole at the object's one commit point. */

import type { DirectoryFeed } from "./directory.ts";
import type { StoredEntry } from "./event-log.ts";
import type { Notification } from "./notification.ts";
import type { SessionState } from "./session.ts";

export type ChangeCause =
  | "ingest"
  | "expire-turn"
  | "request-timeout"
  | "stall"
  | "expire-task"
  | "limit-reset"
  | "reap"
  | "delivery"
  | "rebuild"
  | "wake"
  | "directory";

export interface Change {
  cause: ChangeCause;
  before: SessionState;
  state: SessionState;
  /** Appended to the log in seq order. */
  entries: readonly StoredEntry[];
  /** New outbox entries. */
  notifications: readonly Notification[];
  /** Outbox entries after a delivery attempt. */
  deliveries: readonly Notification[];
  /** The directory feed after it was queued, acknowledged or failed. */
  directoryFeed?: DirectoryFeed;
}

export function emptyChange(cause: ChangeCause, state: SessionState): Change {
  return { cause, before: state, state, entries: [], notifications: [], deliveries: [] };
}

/** True when the change has nothing to write. */
export function writesNothing(change: Change): boolean {
  return (
    change.entries.length === 0 &&
    change.notifications.length === 0 &&
    change.deliveries.length === 0 &&
    change.directoryFeed === undefined &&
    change.state === change.before
  );
}
