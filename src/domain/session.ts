/** Session state projected from the event log, and the invariant it must keep. */
import type { HealthSource, HealthState, ReapReason, SessionStatus } from "../contracts/vocabulary.ts";
import type { PendingRequest } from "./pending-requests.ts";
import { initialUsageLedger, type UsageLedger } from "./usage.ts";
import type { UsageBucket } from "./usage-buckets.ts";

/**
 * Bumped whenever the stored shape or a rule of the fold changes: an older snapshot is rebuilt from the log.
 * 5: health, tasks, limitResetsAt, deniedTools and exit (issue 21); providerUpdatedAt read as UTC ISO 8601.
 * 6: usage, its source and its buckets by day, provider and model (issue 23).
 */
export const SESSION_STATE_VERSION = 6;

/** Whether the session shows signs of life; `since` is when that became so (server ms). */
export interface Health {
  state: HealthState;
  since: number;
  source: HealthSource;
}

/** A background task the provider runs, from `task.*` events, until it completes, the session stops or it expires. */
export interface RunningTask {
  taskId: string;
  /** Server receive time of the first event that named it. */
  startedAt: number;
  /** Server receive time of its latest event: what its expiry counts from. */
  lastEventAt: number;
  backgrounded: boolean;
}

/** `tool.denied` events: since the current turn started, and in the session's whole life. */
export interface DeniedTools {
  turn: number;
  session: number;
}

/** What the usage reports of a session are read against: the provider session they count in, and its model. */
export interface UsageSource {
  /** The provider's own session or thread id (a new one starts new totals); null until one is named. */
  providerSession: string | null;
  /** The model last named by a turn, the session's configuration or a reroute; reports that name none use it. */
  model: string | null;
}

/** What a non-graceful `session.exited` said, kept for the view until the provider session starts again. */
export interface ExitReport {
  exitKind: "error";
  stderrTail: string | null;
}

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
  /**
   * When the service last ended something else for the session: a task's expiry, a usage limit's reset (ms). Idle
   * time counts from here too, as from a turn's expiry, so the orchestrator has an idle period to act on it.
   */
  quietSince: number | null;
  /** The stale-sequence mark: highest `sessionSequence` accepted since the last `session.started` (a provider restart). */
  highestSessionSequence: number | null;
  /** Open approvals and questions, oldest first (at most MAX_PENDING_REQUESTS). */
  pendingRequests: readonly PendingRequest[];
  /** null until a turn or the provider says anything about it. */
  health: Health | null;
  /** Running background tasks, oldest first (at most MAX_TASKS). */
  tasks: readonly RunningTask[];
  /** When a provider usage limit resets (ms); the session is not idle-reaped before. */
  limitResetsAt: number | null;
  deniedTools: DeniedTools;
  exit: ExitReport | null;
  /** Tokens and cost (usage.ts); folded from the log's tail on wake, like the counters. */
  usage: UsageLedger;
  usageSource: UsageSource;
  /** The usage by UTC day, provider and model, as the tenant's directory sums it (usage-buckets.ts). */
  usageBuckets: readonly UsageBucket[];
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
  quietSince: null,
  highestSessionSequence: null,
  pendingRequests: [],
  health: null,
  tasks: [],
  limitResetsAt: null,
  deniedTools: { turn: 0, session: 0 },
  exit: null,
  usage: initialUsageLedger(),
  usageSource: { providerSession: null, model: null },
  usageBuckets: [],
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
