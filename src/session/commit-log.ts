/** The log line of a commit: what changed, in terms an operator searches for. */
import type { Change } from "../domain/change.ts";

/**
 * A commit is logged when it changes what an operator searches for: the status, the turn, the error, what waits
 * for a person, an ignored event, a notification, or anything not an ingest. A batch that only adds content
 * (deltas, items) to a running turn is not: a line per batch cost more CPU than the rest of a small ingest.
 */
export function isLogWorthy(change: Change): boolean {
  const { before, state } = change;
  return (
    change.cause !== "ingest" ||
    before.status !== state.status ||
    before.activeTurnId !== state.activeTurnId ||
    before.lastError !== state.lastError ||
    before.pendingRequests.length !== state.pendingRequests.length ||
    change.notifications.length > 0 ||
    change.entries.some((entry) => entry.outcome === "ignored")
  );
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
  reap: "session.reaped",
  delivery: "notification attempt",
  rebuild: "snapshot rebuilt from the log",
  wake: "woke with nothing due",
  directory: "directory feed",
};
