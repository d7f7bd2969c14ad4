/**
 * What a session summary means to a reader, written once for every reader of the wire: the directory's filter
 * columns, the CLI's `ls` and the dashboard's badges ask these instead of each spelling the rule again.
 */
import type { HealthState, SessionStatus } from "./vocabulary.ts";

/** Busy with a turn: the statuses that may hold an `activeTurnId`. */
export function isActive(session: { readonly status: SessionStatus }): boolean {
  return session.status === "starting" || session.status === "running";
}

/** A person is needed: a pending request or a stall (the summary's `attention` reasons). */
export function needsAttention(session: { readonly attention: readonly unknown[] }): boolean {
  return session.attention.length > 0;
}

/** An approval or a question waits for an answer. */
export function isWaiting(session: {
  readonly pendingRequests: { readonly approvals: number; readonly userInputs: number };
}): boolean {
  return session.pendingRequests.approvals + session.pendingRequests.userInputs > 0;
}

export function isStalled(session: { readonly health: { readonly state: HealthState } | null }): boolean {
  return session.health?.state === "stalled";
}
