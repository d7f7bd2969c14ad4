/** Session state projected from the event log, and the invariant it must keep. */
import type { ReapReason, SessionStatus } from "../contracts/vocabulary.ts";
import type { PendingRequest } from "./pending-requests.ts";

/** Bumped whenever the stored shape or a rule of the fold changes: an older snapshot is rebuilt from the log. */
export const SESSION_STATE_VERSION = 4;

export interface SessionState {
  status: SessionStatus;
  providerName: string | null;
  activeTurnId: string | null;
  lastError: string | null;
  /** `createdAt` of the last applied lifecycle event (the provider's clock; display only). */
  providerUpdatedAt: string | null;
  /** Server receive time (ms) of the last accepted provider event: the only clock used for timing. */
  lastEventAt: number | null;
  /** When the stale-turn watchdog last expired a turn (ms); idle time counts from here too. */
  turnExpiredAt: number | null;
  /** The stale-sequence mark: highest `sessionSequence` accepted since the last `session.started` (a provider restart). */
  highestSessionSequence: number | null;
  /** Open approvals and questions, oldest first (at most MAX_PENDING_REQUESTS). */
  pendingRequests: readonly PendingRequest[];
  eventCount: number;
  lastSeq: number;
  reapedAt: number | null;
  reapReason: ReapReason | null;
}

export const initialSession: SessionState = {
  status: "idle",
  providerName: null,
  activeTurnId: null,
  lastError: null,
  providerUpdatedAt: null,
  lastEventAt: null,
  turnExpiredAt: null,
  highestSessionSequence: null,
  pendingRequests: [],
  eventCount: 0,
  lastSeq: 0,
  reapedAt: null,
  reapReason: null,
};

/** Only a session that is starting or running a turn may hold one (reference PR #3159). */
export function statusAllowsActiveTurn(status: SessionStatus): boolean {
  switch (status) {
    case "starting":
    case "running":
      return true;
    case "idle":
    case "ready":
    case "interrupted":
    case "stopped":
    case "error":
      return false;
    default:
      return unreachable(status);
  }
}

export function holdsInvariant(state: SessionState): boolean {
  return state.activeTurnId === null || statusAllowsActiveTurn(state.status);
}

export function unreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
