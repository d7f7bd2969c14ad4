/**
 * The Agent Client Protocol (JSON-RPC 2.0 over stdio, schema v1), seen from both sides: the client's requests
 * (`session/new`, `session/prompt`, `session/cancel`) and answers (to `session/request_permission`) on the agent's
 * stdin, the agent's `session/update` notifications, requests and responses on its stdout. Shapes:
 * agentclientprotocol/agent-client-protocol `schema/schema.json` (the npm package `@agentclientprotocol/sdk` ships
 * its types); the mapping follows pingdotgg/t3code's ACP adapter (AcpAdapter.ts, CursorAdapter.ts).
 */
import type { RuntimeEvent } from "../contracts/events.ts";
import {
  clip,
  type Direction,
  type Draft,
  draftEvent,
  pick,
  placeEventId,
  type RunIdentity,
  record,
  storable,
  text,
  validId,
} from "./common.ts";
import { type CodexMessage, type JsonRpcId, readLine } from "./json-rpc.ts";
import type { Observation, ProtocolMapper } from "./live.ts";

/** A request of one side awaiting the other side's response, by its JSON-RPC id. */
type Awaiting =
  | { method: "session/new" }
  /** `session/load` (schema v1, when the agent has `loadSession`) and the newer `session/resume`: the same session again. */
  | { method: "session/load"; sessionId: string | null }
  | { method: "session/prompt"; turnId: string }
  | { method: "session/request_permission"; requestId: string | null; turnId: string | null };

interface AcpState {
  turnId: string | null;
  turns: number;
  /** The client's requests (ids of the client's id space) and the agent's (of the agent's), kept apart. */
  clientRequests: Map<string, Awaiting>;
  agentRequests: Map<string, Awaiting>;
}

/** ACP tool kinds (schema.json `ToolKind`) as the reference's item types. */
const ITEM_TYPES: Readonly<Record<string, string>> = {
  execute: "command_execution",
  edit: "file_change",
  delete: "file_change",
  move: "file_change",
  read: "file_read",
  search: "web_search",
  fetch: "web_search",
  think: "reasoning",
};

const REQUEST_TYPES: Readonly<Record<string, string>> = {
  execute: "command_execution_approval",
  edit: "file_change_approval",
  delete: "file_change_approval",
  move: "file_change_approval",
  read: "file_read_approval",
};

/** `stopReason` (schema.json `StopReason`) as the turn's state; the reason itself is kept in the payload. */
function turnState(stopReason: string | null): string {
  return stopReason === "cancelled" ? "cancelled" : "completed";
}

export function createAcpMapper(run: RunIdentity): ProtocolMapper {
  const state: AcpState = { turnId: null, turns: 0, clientRequests: new Map(), agentRequests: new Map() };
  return {
    observe(dir: Direction, line: string, ordinal: number, at: string): Observation {
      const reading = readLine(line);
      if (!reading.ok) return reading;
      if (reading.message === null) return { ok: true, events: [] };
      const message = reading.message;
      const drafts = dir === "in" ? fromClient(state, run, message) : fromAgent(state, message);
      return {
        ok: true,
        events: drafts.map((draft, index) =>
          toEvent(run, draft, message, placeEventId(run, dir, ordinal, index), at, dir),
        ),
      };
    },
  };
}

function fromClient(state: AcpState, run: RunIdentity, message: CodexMessage): Draft[] {
  if (message.kind === "response") {
    const awaiting = takeAwaiting(state.agentRequests, message.id);
    if (awaiting?.method !== "session/request_permission") return [];
    const outcome = record(record(message.result)?.outcome);
    const decision =
      message.error !== undefined ? "error" : (text(outcome?.optionId) ?? text(outcome?.outcome) ?? "unknown");
    return [
      { type: "request.resolved", turnId: awaiting.turnId, requestId: awaiting.requestId, payload: { decision } },
    ];
  }
  if (message.kind === "request" && message.method === "session/new") {
    state.clientRequests.set(idKey(message.id), { method: "session/new" });
    return [];
  }
  if (message.kind === "request" && (message.method === "session/load" || message.method === "session/resume")) {
    const sessionId = text(record(message.params)?.sessionId);
    state.clientRequests.set(idKey(message.id), { method: "session/load", sessionId });
    return [];
  }
  if (message.kind === "request" && message.method === "session/prompt") {
    state.turns += 1;
    const turnId = `${run.runId}-turn-${state.turns}`;
    state.turnId = turnId;
    state.clientRequests.set(idKey(message.id), { method: "session/prompt", turnId });
    return [{ type: "turn.started", turnId }];
  }
  // The cancel only asks: the prompt's response (stopReason `cancelled`) settles the turn.
  if (message.method === "session/cancel") return [{ type: "acp/session/cancel", turnId: state.turnId }];
  return [];
}

function fromAgent(state: AcpState, message: CodexMessage): Draft[] {
  if (message.kind === "response") {
    const awaiting = takeAwaiting(state.clientRequests, message.id);
    if (awaiting === undefined) return [];
    const error = record(message.error);
    if (awaiting.method === "session/new") {
      if (error !== null) return [{ type: "runtime.error", payload: { message: errorText(error) } }];
      const sessionId = text(record(message.result)?.sessionId);
      return [
        {
          type: "session.started",
          payload: { message: "ACP session ready", ...(sessionId === null ? {} : { providerSessionId: sessionId }) },
        },
      ];
    }
    if (awaiting.method === "session/load") {
      if (error !== null) return [{ type: "runtime.error", payload: { message: errorText(error) } }];
      const { sessionId } = awaiting;
      return [
        {
          type: "session.started",
          payload: { message: "ACP session loaded", ...(sessionId === null ? {} : { providerSessionId: sessionId }) },
        },
      ];
    }
    if (awaiting.method !== "session/prompt") return [];
    if (state.turnId === awaiting.turnId) state.turnId = null;
    if (error !== null) {
      return [
        {
          type: "turn.completed",
          turnId: awaiting.turnId,
          payload: { state: "failed", errorMessage: errorText(error) },
        },
      ];
    }
    const result = record(message.result) ?? {};
    const stopReason = text(result.stopReason);
    return [
      {
        type: "turn.completed",
        turnId: awaiting.turnId,
        payload: { state: turnState(stopReason), ...(stopReason === null ? {} : { stopReason }) },
      },
      ...(record(result.usage) === null
        ? []
        : [{ type: "thread.token-usage.updated", turnId: awaiting.turnId, payload: { usage: result.usage } }]),
    ];
  }
  if (message.kind === "request") {
    if (message.method !== "session/request_permission")
      return [{ type: `acp/${message.method}`, turnId: state.turnId }];
    const toolCall = record(message.params.toolCall) ?? {};
    const requestId = validId(`${state.turnId ?? "session"}:${idKey(message.id)}`);
    state.agentRequests.set(idKey(message.id), {
      method: "session/request_permission",
      requestId,
      turnId: state.turnId,
    });
    const title = text(toolCall.title);
    return [
      {
        type: "request.opened",
        turnId: state.turnId,
        requestId,
        itemId: validId(toolCall.toolCallId),
        payload: {
          requestType: REQUEST_TYPES[text(toolCall.kind) ?? ""] ?? "dynamic_tool_call",
          ...(title === null ? {} : { detail: clip(title) }),
          options: message.params.options ?? [],
        },
      },
    ];
  }
  if (message.method !== "session/update") return [{ type: `acp/${message.method}`, turnId: state.turnId }];
  return sessionUpdate(state, record(message.params.update) ?? {});
}

function sessionUpdate(state: AcpState, update: Record<string, unknown>): Draft[] {
  const kind = text(update.sessionUpdate) ?? "unknown";
  const turnId = state.turnId;
  const chunk = (streamKind: string): Draft[] => {
    const content = record(update.content);
    const value = text(content?.text);
    return value === null ? [] : [{ type: "content.delta", turnId, payload: { streamKind, delta: clip(value) } }];
  };
  switch (kind) {
    case "agent_message_chunk":
      return chunk("assistant_text");
    case "agent_thought_chunk":
      return chunk("reasoning_text");
    case "tool_call": {
      const itemId = validId(update.toolCallId);
      if (itemId === null) break;
      return [
        {
          type: "item.started",
          turnId,
          itemId,
          payload: {
            itemType: ITEM_TYPES[text(update.kind) ?? ""] ?? "dynamic_tool_call",
            ...pick(update, ["title", "status"]),
          },
        },
      ];
    }
    case "tool_call_update": {
      const itemId = validId(update.toolCallId);
      const status = text(update.status);
      if (itemId === null) break;
      const done = status === "completed" || status === "failed";
      return [
        { type: done ? "item.completed" : "item.updated", turnId, itemId, payload: pick(update, ["status", "title"]) },
      ];
    }
    case "plan":
      return [{ type: "turn.plan.updated", turnId, payload: { plan: update.entries ?? [] } }];
    case "usage_update":
      return [{ type: "thread.token-usage.updated", turnId, payload: { usage: update } }];
  }
  return [{ type: `acp/session/update/${kind}`, turnId }];
}

function toEvent(
  run: RunIdentity,
  draft: Draft,
  message: CodexMessage,
  eventId: string,
  createdAt: string,
  dir: Direction,
): RuntimeEvent {
  const method = message.kind === "response" ? "response" : message.method;
  const payload = message.kind === "response" ? { id: message.id, result: message.result ?? null } : message.params;
  return draftEvent(run, draft, {
    eventId,
    createdAt,
    provider: "acp",
    providerRequestId: message.kind === "response" || message.kind === "request" ? String(message.id) : null,
    raw: { source: dir === "in" ? "acp.client" : "acp.agent", method, payload: storable(record(payload) ?? {}) },
  });
}

function takeAwaiting(requests: Map<string, Awaiting>, id: JsonRpcId | null): Awaiting | undefined {
  if (id === null) return undefined;
  const awaiting = requests.get(idKey(id));
  requests.delete(idKey(id));
  return awaiting;
}

function idKey(id: JsonRpcId): string {
  return typeof id === "number" ? String(id) : JSON.stringify(id);
}

function errorText(error: Record<string, unknown>): string {
  return clip(text(error.message) ?? `JSON-RPC error ${String(error.code ?? "")}`.trim());
}
