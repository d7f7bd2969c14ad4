/** The session as the API shows it: the projection plus its next deadline and latest notification. */
import type { LogEntryView, PendingRequestsView, SessionView } from "../contracts/replies.ts";
import type { StoredEntry } from "./event-log.ts";
import type { Notification } from "./notification.ts";
import type { PendingRequest } from "./pending-requests.ts";
import { nextDeadline, type ReapingPolicy } from "./reaping.ts";
import type { SessionState } from "./session.ts";

/** The view without the storage's own fact, the epoch, which the object holding the log adds. */
export type ProjectedView = Omit<SessionView, "epoch">;

export function sessionView(
  threadId: string,
  state: SessionState,
  policy: ReapingPolicy,
  notification: Notification | null,
  storageBytes: number,
): ProjectedView {
  const deadline = nextDeadline(state, policy);
  return {
    threadId,
    status: state.status,
    providerName: state.providerName,
    activeTurnId: state.activeTurnId,
    lastError: state.lastError,
    providerUpdatedAt: state.providerUpdatedAt,
    lastEventAt: isoOrNull(state.lastEventAt),
    eventCount: state.eventCount,
    lastSeq: state.lastSeq,
    pendingRequests: pendingRequestsView(state.pendingRequests),
    deadline: deadline === null ? null : { action: deadline.action, at: iso(deadline.at) },
    reapedAt: isoOrNull(state.reapedAt),
    reapReason: state.reapReason,
    storageBytes,
    notification:
      notification === null
        ? null
        : {
            id: notification.id,
            type: notification.type,
            state: notification.state,
            attempts: notification.attempts,
            lastError: notification.lastError,
          },
  };
}

/** A log entry as the events route and the live stream show it. */
export function logEntryView(entry: StoredEntry): LogEntryView {
  return {
    seq: entry.seq,
    receivedAt: iso(entry.receivedAt),
    origin: entry.origin,
    outcome: entry.outcome,
    ...(entry.reason === undefined ? {} : { reason: entry.reason }),
    event: entry.event,
  };
}

export function pendingRequestsView(pending: readonly PendingRequest[]): PendingRequestsView {
  let approvals = 0;
  let oldestOpenedAt: number | null = null;
  for (const open of pending) {
    if (open.kind === "approval") approvals += 1;
    oldestOpenedAt = oldestOpenedAt === null ? open.openedAt : Math.min(oldestOpenedAt, open.openedAt);
  }
  return { approvals, userInputs: pending.length - approvals, oldestOpenedAt: isoOrNull(oldestOpenedAt) };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}
