/** The session as the API shows it: the projection plus its reaping deadline and latest notification. */
import type { Notification } from "./notification.ts";
import { type ReapingPolicy, reapAt } from "./reaping.ts";
import type { SessionView } from "./replies.ts";
import type { SessionState } from "./session.ts";

export function sessionView(
  threadId: string,
  state: SessionState,
  policy: ReapingPolicy,
  notification: Notification | null,
  storageBytes: number,
): SessionView {
  return {
    threadId,
    status: state.status,
    providerName: state.providerName,
    activeTurnId: state.activeTurnId,
    lastError: state.lastError,
    updatedAt: state.updatedAt,
    lastEventAt: isoOrNull(state.lastEventAt),
    eventCount: state.eventCount,
    lastSeq: state.lastSeq,
    reapAt: isoOrNull(reapAt(state, policy)),
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

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
