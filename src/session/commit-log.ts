/** The log line of a commit: what changed, in terms an operator searches for. */
import type { Change } from "../domain/change.ts";

/** A session that ends up here has something an operator may be asked about. */
const NOTEWORTHY_STATUSES: ReadonlySet<string> = new Set(["error", "stopped", "interrupted"]);

/**
 * A commit is logged when an operator would search for it: a session that failed, stopped or was interrupted, a new
 * error, an ignored event, a notification, a directory update that failed, and the service's own acts (an expiry,
 * a reap, a delivery attempt, a rebuild). The ordinary flow (turns starting and ending, content, questions asked
 * and answered, the directory's acknowledgements) is in the log itself: a line per commit cost more CPU than the
 * rest of a small ingest.
 */
export function isLogWorthy(change: Change): boolean {
  const { before, state } = change;
  switch (change.cause) {
    case "ingest":
      return (
        (before.status !== state.status && NOTEWORTHY_STATUSES.has(state.status)) ||
        (state.lastError !== null && before.lastError !== state.lastError) ||
        change.notifications.length > 0 ||
        change.entries.some((entry) => entry.outcome === "ignored")
      );
    case "directory":
      return (change.directoryFeed?.attempts ?? 0) > 0;
    default:
      return true;
  }
}

export function commitLogRecord(change: Change, rebuiltFrom?: string): Record<string, unknown> {
  const first = change.entries[0];
  const last = change.entries.at(-1);
  const outcomes = { applied: 0, recorded: 0, ignored: 0 };
  for (const entry of change.entries) outcomes[entry.outcome] += 1;
  return {
    message: MESSAGES[change.cause],
    ...(rebuiltFrom === undefined ? {} : { rebuiltFrom }),
    ...(change.entries.length === 0 ? {} : { seq: { first: first?.seq, last: last?.seq }, outcomes }),
    status: { from: change.before.status, to: change.state.status },
    activeTurnId: change.state.activeTurnId,
    ...(change.directoryFeed === undefined
      ? {}
      : { directory: { pending: change.directoryFeed.pending !== null, attempts: change.directoryFeed.attempts } }),
    ...Object.fromEntries(
      change.deliveries.map((delivery) => [
        "notification",
        { id: delivery.id, state: delivery.state, attempts: delivery.attempts, error: delivery.lastError },
      ]),
    ),
  };
}

const MESSAGES: Record<Change["cause"], string> = {
  ingest: "batch ingested",
  "expire-turn": "turn.expired",
  "request-timeout": "turn.expired (request timeout)",
  stall: "session.stalled",
  "expire-task": "task.expired",
  "limit-reset": "session.limit-reset",
  reap: "session.reaped",
  delivery: "notification attempt",
  rebuild: "snapshot rebuilt from the log",
  wake: "woke with nothing due",
  directory: "directory feed",
};
