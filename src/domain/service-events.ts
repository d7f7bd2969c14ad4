/** The entries this service writes in a session's log (watchdog, stall, task expiry, limit reset, reaper), and their fold. */
import type { RuntimeEvent } from "../contracts/events.ts";
import { settleRequests } from "./pending-requests.ts";
import { type SessionState, statusAllowsActiveTurn } from "./session.ts";
import { withoutTask } from "./tasks.ts";
import type { UsageCharge } from "./usage.ts";
import { applyUsagePriced, USAGE_PRICED, usagePricedPayload } from "./usage-facts.ts";

export interface SyntheticEventContext {
  eventId: string;
  threadId: string;
  now: number;
}

/** The provider name on synthetic events when no provider has spoken yet. */
const SERVICE_PROVIDER = "provider-sessions";

const seconds = (ms: number) => Math.round(ms / 1000);

/** The watchdog's record of a silent turn; folding it interrupts the session. */
export function turnExpiredEvent(state: SessionState, context: SyntheticEventContext): RuntimeEvent {
  const silentForSeconds = seconds(context.now - (state.lastEventAt ?? context.now));
  return {
    ...syntheticEnvelope(state, context, "turn.expired"),
    ...turnOf(state),
    payload: { reason: "stale-turn", silentForSeconds },
  };
}

/** A request nobody answered in time: the turn is expired as a silent one is, and the requests with it. */
export function requestTimeoutEvent(state: SessionState, context: SyntheticEventContext): RuntimeEvent {
  const oldest = Math.min(...state.pendingRequests.map((request) => request.openedAt), context.now);
  return {
    ...syntheticEnvelope(state, context, "turn.expired"),
    ...turnOf(state),
    payload: { reason: "request-timeout", waitedForSeconds: seconds(context.now - oldest) },
  };
}

/** A busy session silent for the stall time; folding it marks the session stalled (the service's word). */
export function sessionStalledEvent(state: SessionState, context: SyntheticEventContext): RuntimeEvent {
  return {
    ...syntheticEnvelope(state, context, "session.stalled"),
    ...turnOf(state),
    payload: { reason: "no-activity", silentForSeconds: seconds(context.now - (state.lastEventAt ?? context.now)) },
  };
}

/** A background task silent for the task timeout; folding it drops the task, so a lost completion cannot keep it. */
export function taskExpiredEvent(state: SessionState, taskId: string, context: SyntheticEventContext): RuntimeEvent {
  const task = state.tasks.find((running) => running.taskId === taskId);
  return {
    ...syntheticEnvelope(state, context, "task.expired"),
    payload: { taskId, silentForSeconds: seconds(context.now - (task?.lastEventAt ?? context.now)) },
  };
}

/** The usage limit's reset time has passed: the orchestrator can resume the session. */
export function limitResetEvent(state: SessionState, context: SyntheticEventContext): RuntimeEvent {
  const at = state.limitResetsAt ?? context.now;
  return { ...syntheticEnvelope(state, context, "session.limit-reset"), payload: { limitResetsAt: iso(at) } };
}

/** The price of tokens a provider reported without one, looked up once when they arrived (usage-facts.ts). */
export function usagePricedEvent(
  state: SessionState,
  charge: UsageCharge,
  context: SyntheticEventContext,
): RuntimeEvent {
  return { ...syntheticEnvelope(state, context, USAGE_PRICED), payload: usagePricedPayload(charge) };
}

/** The idle reaper's record; folding it stops the session. */
export function sessionReapedEvent(state: SessionState, context: SyntheticEventContext): RuntimeEvent {
  const quietSince = Math.max(state.lastEventAt ?? context.now, state.turnExpiredAt ?? 0, state.quietSince ?? 0);
  return {
    ...syntheticEnvelope(state, context, "session.reaped"),
    payload: { reason: "idle", idleForSeconds: seconds(context.now - quietSince) },
  };
}

function turnOf(state: SessionState): { turnId?: string } {
  return state.activeTurnId === null ? {} : { turnId: state.activeTurnId };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function syntheticEnvelope(state: SessionState, context: SyntheticEventContext, type: string) {
  return {
    eventId: context.eventId,
    type,
    provider: state.providerName ?? SERVICE_PROVIDER,
    threadId: context.threadId,
    createdAt: iso(context.now),
  };
}

/**
 * Folds a synthetic event written by this service (never one a provider sent with the same type). It leaves
 * `providerUpdatedAt`, which is the provider's clock, and `providerName`.
 */
export function applyServiceEvent(state: SessionState, event: RuntimeEvent, receivedAt: number): SessionState {
  switch (event.type) {
    case "turn.expired":
      return event.payload?.reason === "request-timeout"
        ? requestTimedOut(state, event, receivedAt)
        : turnWentSilent(state, event, receivedAt);
    case "session.stalled":
      return { ...state, health: { state: "stalled", since: state.lastEventAt ?? receivedAt, source: "service" } };
    case "task.expired":
      return { ...state, tasks: withoutTask(state.tasks, String(event.payload?.taskId)), quietSince: receivedAt };
    case "session.limit-reset":
      return { ...state, limitResetsAt: null, quietSince: receivedAt };
    case USAGE_PRICED:
      return applyUsagePriced(state, event.payload ?? undefined);
    case "session.reaped":
      return {
        ...state,
        status: "stopped",
        activeTurnId: null,
        pendingRequests: settleRequests(state.pendingRequests, { status: "stopped", activeTurnId: null }),
        tasks: [],
        reapedAt: receivedAt,
        reapReason: "idle",
      };
    default:
      throw new Error(`unknown service event type: ${event.type}`);
  }
}

function turnWentSilent(state: SessionState, event: RuntimeEvent, receivedAt: number): SessionState {
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

/** Every pending request ends (nobody answered); a busy session is interrupted, another keeps its status. */
function requestTimedOut(state: SessionState, event: RuntimeEvent, receivedAt: number): SessionState {
  const waited = Number(event.payload?.waitedForSeconds ?? 0);
  const busy = statusAllowsActiveTurn(state.status);
  const who = event.turnId == null ? "The session" : `Turn ${event.turnId}`;
  return {
    ...state,
    status: busy ? "interrupted" : state.status,
    activeTurnId: null,
    pendingRequests: [],
    lastError: `${who} waited ${waited} s for a person: no answer to its request`,
    turnExpiredAt: receivedAt,
  };
}
