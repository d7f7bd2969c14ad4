/** applyEvent: folds one provider runtime event into the session, each lifecycle rule a named function. */

import {
  isLifecycleEventType,
  type LifecyclePayload,
  lifecyclePayload,
  type RuntimeEvent,
} from "../contracts/events.ts";
import type { IgnoreReason, Outcome } from "../contracts/vocabulary.ts";
import { decideRequest, type PendingRequest, settleRequests } from "./pending-requests.ts";
import { clipText } from "./provider-text.ts";
import { providerTimeIso } from "./provider-time.ts";
import { type SessionState, statusAllowsActiveTurn, unreachable } from "./session.ts";
import { factsAfter, healthAfter } from "./session-facts.ts";
import { usageAfter } from "./usage-facts.ts";

/** What folding one entry did: the next state, and the outcome the log records for the entry. */
export interface Evolution {
  state: SessionState;
  outcome: Outcome;
  reason?: IgnoreReason;
}

type Lifecycle = Pick<SessionState, "status" | "activeTurnId" | "lastError">;
type Decision =
  | { kind: "transition"; next: Lifecycle }
  | { kind: "requests"; pending: readonly PendingRequest[] }
  | { kind: "ignore"; reason: IgnoreReason };

/** Applies a provider event received at `receivedAt` (ms). Every accepted event is activity and revives a reaped session. */
export function applyEvent(state: SessionState, event: RuntimeEvent, receivedAt: number): Evolution {
  const touched: SessionState = {
    ...state,
    lastEventAt: receivedAt,
    reapedAt: null,
    reapReason: null,
    // Any event is a sign of life; what the provider says of its health is applied below, unless ignored.
    health: event.type === "session.health" ? state.health : healthAfter(state.health, event, receivedAt),
  };
  if (isStaleSequence(state, event)) return { state: touched, outcome: "ignored", reason: "stale-sequence" };
  const sequenced: SessionState = { ...touched, highestSessionSequence: nextSequenceMark(state, event) };

  const decision = decideLifecycle(state, event) ?? decideRequest(state, event, receivedAt);
  const named: SessionState = { ...sequenced, providerName: providerNameAfter(state, event) };
  if (decision === null) return withFacts(state, named, event, receivedAt, false, "recorded");
  switch (decision.kind) {
    case "ignore":
      return { state: sequenced, outcome: "ignored", reason: decision.reason };
    case "requests":
      return withFacts(state, { ...named, pendingRequests: decision.pending }, event, receivedAt, false, "applied");
    case "transition": {
      const pendingRequests = settleRequests(state.pendingRequests, decision.next);
      const providerUpdatedAt = providerUpdatedAtAfter(state, event);
      const next = { ...named, ...decision.next, pendingRequests, providerUpdatedAt };
      return withFacts(state, next, event, receivedAt, true, "applied");
    }
    default:
      return unreachable(decision);
  }
}

/** Folds the facts (health, tasks, limit, denied tools, exit); an event that changed only them is `applied` too. */
function withFacts(
  before: SessionState,
  after: SessionState,
  event: RuntimeEvent,
  receivedAt: number,
  transitioned: boolean,
  outcome: Outcome,
): Evolution {
  const state = { ...factsAfter(before, after, event, receivedAt, transitioned), ...usageAfter(before, event) };
  const changed =
    state.usage !== before.usage ||
    state.health !== after.health ||
    state.tasks !== before.tasks ||
    state.limitResetsAt !== before.limitResetsAt ||
    state.deniedTools !== before.deniedTools ||
    state.exit !== before.exit;
  return { state, outcome: outcome === "recorded" && changed ? "applied" : outcome };
}

/** The applied event's `createdAt` as UTC ISO 8601; a time that cannot be read leaves the last one shown. */
function providerUpdatedAtAfter(state: SessionState, event: RuntimeEvent): string | null {
  return providerTimeIso(event.createdAt) ?? state.providerUpdatedAt;
}

/**
 * The provider a session runs on: named by the events that open a session (a restart may bring another provider),
 * and by the first accepted event while none is known; any other event leaves it, whatever its `provider` says.
 */
function providerNameAfter(state: SessionState, event: RuntimeEvent): string {
  return isSessionOpening(event) || state.providerName === null ? event.provider : state.providerName;
}

function isSessionOpening(event: RuntimeEvent): boolean {
  return event.type === "session.started" || event.type === "thread.started";
}

/** A provider that restarts counts from 0 again, so a `session.started` is never stale: it opens a new count. */
function isProviderRestart(event: RuntimeEvent): boolean {
  return event.type === "session.started";
}

function isStaleSequence(state: SessionState, event: RuntimeEvent): boolean {
  const sequence = event.sessionSequence;
  if (isProviderRestart(event)) return false;
  return sequence != null && state.highestSessionSequence !== null && sequence < state.highestSessionSequence;
}

/** Only for an event that is not stale: its sequence is at least the mark, so it becomes the mark. */
function nextSequenceMark(state: SessionState, event: RuntimeEvent): number | null {
  return event.sessionSequence ?? (isProviderRestart(event) ? null : state.highestSessionSequence);
}

/** null: the event type does not touch the lifecycle (stored and reported as `recorded`). */
function decideLifecycle(state: SessionState, event: RuntimeEvent): Decision | null {
  const type = event.type;
  if (!isLifecycleEventType(type)) return null;
  switch (type) {
    case "session.started":
    case "thread.started":
      return sessionOpened(state);
    case "session.state.changed":
      return sessionStateChanged(state, lifecyclePayload<typeof type>(event));
    case "session.exited":
      return transition("stopped", null, state.lastError);
    case "turn.started":
      return turnStarted(state, event.turnId ?? null);
    case "turn.completed":
      return turnCompleted(state, event.turnId ?? null, lifecyclePayload<typeof type>(event));
    case "turn.aborted":
      return turnAborted(state, event.turnId ?? null);
    case "runtime.error":
      return runtimeError(state, event.turnId ?? null, lifecyclePayload<typeof type>(event));
    default:
      return unreachable(type);
  }
}

/** Every `lastError` passes here, so provider text over the limit is clipped, not refused. */
function transition(status: Lifecycle["status"], activeTurnId: string | null, lastError: string | null): Decision {
  return {
    kind: "transition",
    next: { status, activeTurnId, lastError: lastError === null ? null : clipText(lastError) },
  };
}

function ignore(reason: IgnoreReason): Decision {
  return { kind: "ignore", reason };
}

function isBusy(state: SessionState): boolean {
  return statusAllowsActiveTurn(state.status);
}

/** A (re)opened provider session is running if it still holds a turn, otherwise ready. */
function sessionOpened(state: SessionState): Decision {
  if (state.activeTurnId !== null) return transition("running", state.activeTurnId, state.lastError);
  return transition("ready", null, null);
}

/** No turn guard: an inactive state always clears the turn, so no stale id survives a ready (#3159). */
function sessionStateChanged(state: SessionState, payload: LifecyclePayload<"session.state.changed">): Decision {
  switch (payload.state) {
    case "starting":
      return transition("starting", state.activeTurnId, state.lastError);
    case "running":
    case "waiting":
      return transition("running", state.activeTurnId, state.lastError);
    case "ready":
      return transition("ready", null, null);
    case "stopped":
      return transition("stopped", null, state.lastError);
    case "interrupted":
      return transition("interrupted", null, state.lastError);
    case "error":
      return transition("error", null, payload.reason ?? state.lastError ?? "Provider session error");
    default:
      return unreachable(payload.state);
  }
}

function turnStarted(state: SessionState, turnId: string | null): Decision {
  if (state.activeTurnId !== null && state.activeTurnId !== turnId) return ignore("another-turn-active");
  return transition("running", turnId, state.lastError);
}

/** Closes only the active turn, so a late completion of an older turn cannot close a newer one. */
function turnCompleted(
  state: SessionState,
  turnId: string | null,
  payload: LifecyclePayload<"turn.completed">,
): Decision {
  if (turnId === null) return ignore("turnless-completion");
  if (state.activeTurnId !== null && state.activeTurnId !== turnId) return ignore("not-the-active-turn");
  // A held turn implies a busy session (the invariant): an idle one has nothing to settle.
  if (!isBusy(state)) return ignore("no-turn-to-settle");
  if (payload.state === "failed")
    return transition("error", null, payload.errorMessage ?? state.lastError ?? "Turn failed");
  return transition("ready", null, null);
}

/**
 * An abort settles the active turn as interrupted (the reference ignores it: #4713, Stop does nothing).
 * A turn-less abort stops whatever is running: some providers signal a Stop without naming the turn.
 */
function turnAborted(state: SessionState, turnId: string | null): Decision {
  if (state.activeTurnId !== null && turnId !== null && state.activeTurnId !== turnId) {
    return ignore("not-the-active-turn");
  }
  if (!isBusy(state)) return ignore("no-turn-to-settle");
  return transition("interrupted", null, state.lastError);
}

/** An error of the active turn, or of the session itself, ends the turn (the reference kept the turn id). */
function runtimeError(
  state: SessionState,
  turnId: string | null,
  payload: LifecyclePayload<"runtime.error">,
): Decision {
  if (state.activeTurnId !== null && turnId !== null && state.activeTurnId !== turnId) {
    return ignore("not-the-active-turn");
  }
  return transition("error", null, payload.message);
}
