/** Reaping policy: when a session is due to have its turn expired, to be reaped, or to be purged. */
import type { RuntimeEvent } from "../contracts/events.ts";
import type { DeadlineAction } from "../contracts/vocabulary.ts";
import { settleRequests } from "./pending-requests.ts";
import { type SessionState, statusAllowsActiveTurn } from "./session.ts";

export interface ReapingPolicy {
  idleTimeoutMs: number;
  staleTurnTimeoutMs: number;
  retentionMs: number;
}

export interface Deadline {
  action: DeadlineAction;
  at: number;
}

/** The provider name on synthetic events when no provider has spoken yet. */
const SERVICE_PROVIDER = "provider-sessions";

/**
 * The next moment something could be due. A busy session (starting or running, with or without a turn id)
 * is never idle-reaped; its watchdog expires the turn after a silence. Idle time counts from the last
 * provider event or the last expiry, whichever is later, so an expired turn stays visible as interrupted.
 */
export function nextDeadline(state: SessionState, policy: ReapingPolicy): Deadline | null {
  if (state.lastEventAt === null) return null;
  if (state.reapedAt !== null) return { action: "purge", at: state.reapedAt + policy.retentionMs };
  if (statusAllowsActiveTurn(state.status)) {
    return { action: "expire-turn", at: state.lastEventAt + policy.staleTurnTimeoutMs };
  }
  const quietSince = Math.max(state.lastEventAt, state.turnExpiredAt ?? state.lastEventAt);
  return { action: "reap", at: quietSince + policy.idleTimeoutMs };
}

/** Why a session object will wake: its own deadline, or one of the things it keeps besides the session. */
export type WakeReason = DeadlineAction | "notification" | "read-token-check" | "directory-update";

export interface Wake {
  at: number;
  why: WakeReason;
}

/** What else than the session's deadline may need the object awake, each null when nothing does. */
export interface OtherDeadlines {
  /** The next attempt of the oldest notification not yet delivered. */
  notificationAt: number | null;
  /** The next check of the read tokens its subscribers were opened with. */
  readTokenCheckAt: number | null;
  /** The next attempt to tell the tenant's directory of a change. */
  directoryUpdateAt: number | null;
}

/**
 * When the session object wakes next, and why: the earliest of its deadline and the others. A purge waits while a
 * notification is pending, so the orchestrator hears of the reap before the log goes.
 */
export function nextWake(state: SessionState, policy: ReapingPolicy, others: OtherDeadlines): Wake | null {
  const deadline = nextDeadline(state, policy);
  const purgeHeld = deadline?.action === "purge" && others.notificationAt !== null;
  const candidates: Wake[] = [
    ...(deadline === null || purgeHeld ? [] : [{ at: deadline.at, why: deadline.action }]),
    ...(others.notificationAt === null ? [] : [{ at: others.notificationAt, why: "notification" as const }]),
    ...(others.readTokenCheckAt === null ? [] : [{ at: others.readTokenCheckAt, why: "read-token-check" as const }]),
    ...(others.directoryUpdateAt === null ? [] : [{ at: others.directoryUpdateAt, why: "directory-update" as const }]),
  ];
  return candidates.reduce<Wake | null>(
    (earliest, wake) => (earliest === null || wake.at < earliest.at ? wake : earliest),
    null,
  );
}

export interface SyntheticEventContext {
  eventId: string;
  threadId: string;
  now: number;
}

/** The watchdog's record of a silent turn; folding it interrupts the session. */
export function turnExpiredEvent(state: SessionState, context: SyntheticEventContext): RuntimeEvent {
  const silentForSeconds = Math.round((context.now - (state.lastEventAt ?? context.now)) / 1000);
  return {
    ...syntheticEnvelope(state, context, "turn.expired"),
    ...(state.activeTurnId === null ? {} : { turnId: state.activeTurnId }),
    payload: { reason: "stale-turn", silentForSeconds },
  };
}

/** The idle reaper's record; folding it stops the session. */
export function sessionReapedEvent(state: SessionState, context: SyntheticEventContext): RuntimeEvent {
  const quietSince = Math.max(state.lastEventAt ?? context.now, state.turnExpiredAt ?? 0);
  return {
    ...syntheticEnvelope(state, context, "session.reaped"),
    payload: { reason: "idle", idleForSeconds: Math.round((context.now - quietSince) / 1000) },
  };
}

function syntheticEnvelope(state: SessionState, context: SyntheticEventContext, type: string) {
  return {
    eventId: context.eventId,
    type,
    provider: state.providerName ?? SERVICE_PROVIDER,
    threadId: context.threadId,
    createdAt: new Date(context.now).toISOString(),
  };
}

/**
 * Folds a synthetic event written by this service (never one a provider sent with the same type). It leaves
 * `providerUpdatedAt`, which is the provider's clock, and `providerName`.
 */
export function applyServiceEvent(state: SessionState, event: RuntimeEvent, receivedAt: number): SessionState {
  if (event.type === "turn.expired") {
    const silentFor = Number(event.payload?.silentForSeconds ?? 0);
    const turn = event.turnId == null ? "The running session" : `Turn ${event.turnId}`;
    return {
      ...state,
      status: "interrupted",
      activeTurnId: null,
      pendingRequests: settleRequests(state.pendingRequests, { status: "interrupted", activeTurnId: null }),
      lastError: `${turn} went silent: no provider event for ${silentFor} s`,
      turnExpiredAt: receivedAt,
    };
  }
  if (event.type === "session.reaped") {
    return {
      ...state,
      status: "stopped",
      activeTurnId: null,
      pendingRequests: settleRequests(state.pendingRequests, { status: "stopped", activeTurnId: null }),
      reapedAt: receivedAt,
      reapReason: "idle",
    };
  }
  throw new Error(`unknown service event type: ${event.type}`);
}
