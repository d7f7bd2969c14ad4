/** Session state projected from the event log, and the invariant it must keep. */

export const SESSION_STATUSES = ["idle", "starting", "running", "ready", "interrupted", "stopped", "error"] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export type ReapReason = "idle";

export interface SessionState {
  status: SessionStatus;
  providerName: string | null;
  activeTurnId: string | null;
  lastError: string | null;
  /** `createdAt` of the last applied lifecycle event (the provider's clock; display only). */
  updatedAt: string | null;
  /** Server receive time (ms) of the last accepted provider event: the only clock used for timing. */
  lastEventAt: number | null;
  /** When the stale-turn watchdog last expired a turn (ms); idle time counts from here too. */
  turnExpiredAt: number | null;
  highestSessionSequence: number | null;
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
  updatedAt: null,
  lastEventAt: null,
  turnExpiredAt: null,
  highestSessionSequence: null,
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
