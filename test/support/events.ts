/** The one event builder for tests: valid provider runtime events with readable defaults. */
import type { RuntimeEvent } from "../../src/contracts/events.ts";

let nextId = 0;

export interface EventOptions {
  threadId?: string;
  eventId?: string;
  turnId?: string;
  sessionSequence?: number;
  provider?: string;
  createdAt?: string;
}

export function runtimeEvent(
  type: string,
  payload: Record<string, unknown> | undefined,
  options: EventOptions = {},
): RuntimeEvent {
  nextId += 1;
  return {
    eventId: options.eventId ?? `evt-${nextId}-${Math.random().toString(36).slice(2, 8)}`,
    type,
    provider: options.provider ?? "codex",
    threadId: options.threadId ?? "thread-1",
    createdAt: options.createdAt ?? "2026-11-25T10:00:00.000Z",
    ...(options.turnId === undefined ? {} : { turnId: options.turnId }),
    ...(options.sessionSequence === undefined ? {} : { sessionSequence: options.sessionSequence }),
    ...(payload === undefined ? {} : { payload }),
  };
}

/** An approval or question event; `requestId` and `turnId` are left out when undefined. */
function requestEvent(
  type: string,
  payload: Record<string, unknown>,
  requestId: string | undefined,
  turnId: string | undefined,
  o?: EventOptions,
): RuntimeEvent {
  const event = runtimeEvent(type, payload, turnId === undefined ? o : { ...o, turnId });
  return requestId === undefined ? event : { ...event, requestId };
}

export const ev = {
  sessionStarted: (o?: EventOptions) => runtimeEvent("session.started", {}, o),
  threadStarted: (o?: EventOptions) => runtimeEvent("thread.started", { providerThreadId: "native-1" }, o),
  state: (state: string, o?: EventOptions, reason?: string) =>
    runtimeEvent("session.state.changed", reason === undefined ? { state } : { state, reason }, o),
  exited: (o?: EventOptions) => runtimeEvent("session.exited", { exitKind: "graceful" }, o),
  turnStarted: (turnId: string | undefined, o?: EventOptions) =>
    runtimeEvent("turn.started", {}, turnId === undefined ? o : { ...o, turnId }),
  turnCompleted: (turnId: string | undefined, state = "completed", o?: EventOptions, errorMessage?: string) =>
    runtimeEvent(
      "turn.completed",
      errorMessage === undefined ? { state } : { state, errorMessage },
      turnId === undefined ? o : { ...o, turnId },
    ),
  turnAborted: (turnId: string | undefined, o?: EventOptions) =>
    runtimeEvent("turn.aborted", { reason: "user stop" }, turnId === undefined ? o : { ...o, turnId }),
  runtimeError: (message: string, turnId?: string, o?: EventOptions) =>
    runtimeEvent("runtime.error", { message, class: "provider_error" }, turnId === undefined ? o : { ...o, turnId }),
  contentDelta: (turnId: string, o?: EventOptions) =>
    runtimeEvent("content.delta", { streamKind: "assistant_text", delta: "hello" }, { ...o, turnId }),
  health: (o?: EventOptions) => runtimeEvent("session.health", { state: "active" }, o),
  requestOpened: (requestId: string | undefined, turnId?: string, o?: EventOptions) =>
    requestEvent(
      "request.opened",
      { requestType: "command_execution_approval", detail: "npm test" },
      requestId,
      turnId,
      o,
    ),
  requestResolved: (requestId: string | undefined, turnId?: string, o?: EventOptions) =>
    requestEvent(
      "request.resolved",
      { requestType: "command_execution_approval", decision: "accept" },
      requestId,
      turnId,
      o,
    ),
  userInputRequested: (requestId: string | undefined, turnId?: string, o?: EventOptions) =>
    requestEvent(
      "user-input.requested",
      { questions: [{ id: "q1", header: "Branch", question: "Which branch?", options: [] }] },
      requestId,
      turnId,
      o,
    ),
  userInputResolved: (requestId: string | undefined, turnId?: string, o?: EventOptions) =>
    requestEvent("user-input.resolved", { answers: { q1: "main" } }, requestId, turnId, o),
};
