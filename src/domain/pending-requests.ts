/** What waits for a person: approvals and questions, opened and resolved by requestId, ended with their turn or session. */
import type { RuntimeEvent } from "../contracts/events.ts";
import type { IgnoreReason, SessionStatus } from "../contracts/vocabulary.ts";
import { type SessionState, statusAllowsActiveTurn, unreachable } from "./session.ts";

/** Bounds the snapshot: the oldest requests are kept, and an opening past the cap is ignored. */
export const MAX_PENDING_REQUESTS = 100;

export type PendingRequestKind = "approval" | "user-input";

export interface PendingRequest {
  requestId: string;
  kind: PendingRequestKind;
  /** null: the request belongs to the provider session, not to a turn. */
  turnId: string | null;
  /** Server receive time (ms) of the opening event. */
  openedAt: number;
}

/** The request events: the kind of request an event opens, or "resolve". */
const REQUEST_EVENTS: ReadonlyMap<string, PendingRequestKind | "resolve"> = new Map([
  ["request.opened", "approval"],
  ["user-input.requested", "user-input"],
  ["request.resolved", "resolve"],
  ["user-input.resolved", "resolve"],
] as const);

export type RequestDecision =
  | { kind: "requests"; pending: readonly PendingRequest[] }
  | { kind: "ignore"; reason: IgnoreReason };

type Lifecycle = Pick<SessionState, "status" | "activeTurnId">;

/**
 * null: the pending set stays as it is (not a request event, no requestId, already open, or unknown).
 * A resolution is matched by requestId alone: providers do not reuse one id for an approval and a question.
 */
export function decideRequest(state: SessionState, event: RuntimeEvent, receivedAt: number): RequestDecision | null {
  const request = REQUEST_EVENTS.get(event.type);
  const requestId = event.requestId ?? null;
  if (request === undefined || requestId === null) return null;
  const pending = state.pendingRequests;
  const isOpen = pending.some((open) => open.requestId === requestId);
  if (request === "resolve") {
    return isOpen ? { kind: "requests", pending: pending.filter((open) => open.requestId !== requestId) } : null;
  }
  if (isOpen) return null;
  const turnId = event.turnId ?? null;
  if (turnId !== null && !turnMayBeRunning(state, turnId)) return { kind: "ignore", reason: "not-the-active-turn" };
  if (pending.length >= MAX_PENDING_REQUESTS) return { kind: "ignore", reason: "too-many-pending-requests" };
  return { kind: "requests", pending: [...pending, { requestId, kind: request, turnId, openedAt: receivedAt }] };
}

/** What stays pending once the lifecycle has moved: a turn's requests end with the turn, the others with idle or stop. */
export function settleRequests(pending: readonly PendingRequest[], next: Lifecycle): readonly PendingRequest[] {
  return pending.filter((open) =>
    open.turnId === null ? keepsSessionRequests(next.status) : turnMayBeRunning(next, open.turnId),
  );
}

/** The active turn, or the unnamed turn of a busy session; a settled turn can no longer wait for anyone. */
function turnMayBeRunning(lifecycle: Lifecycle, turnId: string): boolean {
  return (
    statusAllowsActiveTurn(lifecycle.status) && (lifecycle.activeTurnId === null || lifecycle.activeTurnId === turnId)
  );
}

/** A ready session waits only for its next prompt and a stopped one has no provider to answer; the others may still ask. */
function keepsSessionRequests(status: SessionStatus): boolean {
  switch (status) {
    case "ready":
    case "stopped":
      return false;
    case "idle":
    case "starting":
    case "running":
    case "interrupted":
    case "error":
      return true;
    default:
      return unreachable(status);
  }
}

/** Every turn-bound request belongs to a turn that may still be running. */
export function pendingRequestsHoldInvariant(state: SessionState): boolean {
  return state.pendingRequests.every((open) => open.turnId === null || turnMayBeRunning(state, open.turnId));
}
