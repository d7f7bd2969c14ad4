/**
 * Claude Code's `stream-json` protocol (`claude -p --input-format stream-json --output-format stream-json --verbose`,
 * which the Claude Agent SDK speaks), seen from both sides. Message shapes: the npm package
 * `@anthropic-ai/claude-agent-sdk` (sdk.d.ts: SDKMessage, SDKControlRequest, SDKControlResponse, SDKResultMessage),
 * anthropics/claude-agent-sdk-python (`types.py`; `_internal/query.py` for the control protocol: `control_request`
 * / `control_response` with `request_id`, `can_use_tool` answered with `{behavior: "allow" | "deny", …}`), and
 * pingdotgg/t3code's ClaudeAdapter (result → turn state, AskUserQuestion as a question, usage limits).
 */

import type { RuntimeEvent } from "../contracts/events.ts";
import { approvalType, contentBlocks, itemType, turnOutcome } from "./claude-rules.ts";
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
import type { Observation, ProtocolMapper } from "./live.ts";

interface OpenRequest {
  kind: "approval" | "user-input";
  turnId: string | null;
}

interface ClaudeState {
  /** The turn the client's latest `user` message started, until its `result`. */
  turnId: string | null;
  turns: number;
  /** Once the CLI streams partial messages, the whole `assistant` message repeats text already sent as deltas. */
  streaming: boolean;
  tools: Map<string, { name: string }>;
  requests: Map<string, OpenRequest>;
  /** The usage last sent for each recent API message id: the blocks of one response repeat it. */
  messageUsage: Map<string, string>;
}

/** Message ids whose usage is remembered; a response's blocks come back to back, so a few suffice. */
const REMEMBERED_MESSAGES = 64;

/** The tool Claude asks the person a question with (t3code: "AskUserQuestion" is a user-input request). */
const ASK_USER_QUESTION = "AskUserQuestion";

type Handler = (message: Record<string, unknown>, state: ClaudeState, run: RunIdentity) => Draft[];

/**
 * The stdout message types mapped here: members of the SDK's `SDKMessage["type"]` and its control frames (checked
 * against the package's types by test/bridge/claude-sdk-types.ts, kept out of this module so no Node types leak in).
 */
export type ClaudeOutType =
  | "system"
  | "assistant"
  | "user"
  | "stream_event"
  | "result"
  | "rate_limit_event"
  | "control_request"
  | "control_response"
  | "control_cancel_request";

/** Messages the CLI writes to stdout, by `type`. */
const OUT: Readonly<Record<ClaudeOutType, Handler>> = {
  system: (message) =>
    message.subtype === "init"
      ? [
          {
            type: "session.started",
            payload: {
              message: `claude ${text(message.claude_code_version) ?? ""} ready`.replace("  ", " "),
              ...pick(message, ["model", "permissionMode", "cwd"]),
              ...(text(message.session_id) === null ? {} : { providerSessionId: message.session_id }),
            },
          },
        ]
      : [asIs(`system/${text(message.subtype) ?? "unknown"}`)],
  assistant: (message, state) => {
    const drafts: Draft[] = [];
    for (const block of contentBlocks(record(message.message)?.content)) {
      const type = text(block.type);
      if (type === "text" && !state.streaming && text(block.text) !== null) {
        drafts.push(delta(state, "assistant_text", text(block.text) ?? ""));
      } else if (type === "thinking" && !state.streaming && text(block.thinking) !== null) {
        drafts.push(delta(state, "reasoning_text", text(block.thinking) ?? ""));
      } else if (type === "tool_use") {
        const id = validId(block.id);
        const name = text(block.name) ?? "unknown";
        if (id === null) continue;
        state.tools.set(id, { name });
        drafts.push({
          type: "item.started",
          turnId: state.turnId,
          itemId: id,
          payload: { itemType: itemType(name), toolName: name, status: "inProgress" },
        });
      }
    }
    const usage = messageUsage(message, state);
    return usage === null ? drafts : [...drafts, usage];
  },
  // Tool results echoed by the CLI: not turns (only the client's own `user` messages on stdin are).
  user: (message, state) => {
    const drafts: Draft[] = [];
    for (const block of contentBlocks(record(message.message)?.content)) {
      const id = validId(block.tool_use_id);
      if (text(block.type) !== "tool_result" || id === null) continue;
      const tool = state.tools.get(id);
      drafts.push({
        type: "item.completed",
        turnId: state.turnId,
        itemId: id,
        payload: {
          itemType: itemType(tool?.name ?? ""),
          ...(tool === undefined ? {} : { toolName: tool.name }),
          status: block.is_error === true ? "failed" : "completed",
        },
      });
    }
    return drafts;
  },
  stream_event: (message, state) => {
    state.streaming = true;
    const event = record(message.event);
    const streamed = record(event?.delta);
    if (text(event?.type) !== "content_block_delta" || streamed === null) return [];
    if (text(streamed.type) === "text_delta") return [delta(state, "assistant_text", text(streamed.text) ?? "")];
    if (text(streamed.type) === "thinking_delta") {
      return [delta(state, "reasoning_text", text(streamed.thinking) ?? "")];
    }
    return [];
  },
  control_request: (message, state) => {
    const request = record(message.request);
    const requestId = validId(message.request_id);
    if (request === null || requestId === null) return [asIs("control_request")];
    if (request.subtype !== "can_use_tool") return [asIs(`control_request/${text(request.subtype) ?? "unknown"}`)];
    const toolName = text(request.tool_name) ?? "unknown";
    const input = record(request.input) ?? {};
    if (toolName === ASK_USER_QUESTION) {
      state.requests.set(requestId, { kind: "user-input", turnId: state.turnId });
      return [
        {
          type: "user-input.requested",
          turnId: state.turnId,
          requestId,
          itemId: validId(request.tool_use_id),
          payload: { requestType: "tool_user_input", questions: input.questions ?? [] },
        },
      ];
    }
    state.requests.set(requestId, { kind: "approval", turnId: state.turnId });
    const detail = text(input.command) ?? text(input.file_path) ?? text(request.decision_reason);
    return [
      {
        type: "request.opened",
        turnId: state.turnId,
        requestId,
        itemId: validId(request.tool_use_id),
        payload: {
          requestType: approvalType(toolName),
          toolName,
          ...(detail === null ? {} : { detail: clip(detail) }),
        },
      },
    ];
  },
  // The CLI's answers to the client's own requests (initialize, interrupt, set_model …): not events.
  control_response: () => [],
  control_cancel_request: (message, state) => {
    const requestId = validId(message.request_id);
    const open = requestId === null ? undefined : state.requests.get(requestId);
    if (requestId === null || open === undefined) return [];
    state.requests.delete(requestId);
    return [resolution(requestId, open, { decision: "cancel" })];
  },
  result: (message, state) => {
    const turnId = state.turnId;
    state.turnId = null;
    const outcome = turnOutcome(message);
    const usage = {
      usage: message.usage ?? null,
      modelUsage: message.modelUsage ?? null,
      totalCostUsd: typeof message.total_cost_usd === "number" ? message.total_cost_usd : null,
      costSource: "provider",
    };
    return [
      {
        type: "turn.completed",
        turnId,
        payload: { ...outcome, ...pick(message, ["stop_reason", "num_turns", "duration_ms"]) },
      },
      { type: "thread.token-usage.updated", turnId, payload: { usage } },
    ];
  },
  rate_limit_event: (message, state) => {
    const info = record(message.rate_limit_info);
    const status = text(info?.status);
    if (status === "rejected") {
      const resetsAt = typeof info?.resetsAt === "number" ? info.resetsAt : null;
      return [
        {
          type: "runtime.error",
          turnId: state.turnId,
          payload: {
            message: "Claude usage limit reached",
            class: "usage_limit",
            detail: resetsAt === null ? {} : { resetsAtEpochSeconds: resetsAt },
            ...pick(info ?? {}, ["rateLimitType"]),
          },
        },
      ];
    }
    if (status === "allowed_warning") {
      return [{ type: "runtime.warning", turnId: state.turnId, payload: { message: "Claude usage limit near" } }];
    }
    return [asIs("rate_limit_event")];
  },
};

/** Messages the client writes to the CLI's stdin. */
const IN: Readonly<Record<string, Handler>> = {
  // Each prompt starts a turn, its id minted from the run and the prompt's ordinal; one sent mid-turn joins it.
  user: (_message, state, run) => {
    if (state.turnId !== null) return [];
    state.turns += 1;
    state.turnId = `${run.runId}-turn-${state.turns}`;
    return [{ type: "turn.started", turnId: state.turnId }];
  },
  control_response: (message, state) => {
    const response = record(message.response);
    const requestId = validId(response?.request_id);
    const open = requestId === null ? undefined : state.requests.get(requestId);
    if (response === null || requestId === null || open === undefined) return [];
    state.requests.delete(requestId);
    const answer = record(response.response) ?? {};
    const decision = response.subtype === "error" ? "error" : (text(answer.behavior) ?? "allow");
    const answers = record(record(answer.updatedInput)?.answers);
    return [resolution(requestId, open, { decision, ...(answers === null ? {} : { answers }) })];
  },
  control_request: (message, state) => {
    if (record(message.request)?.subtype !== "interrupt" || state.turnId === null) return [];
    return [{ type: "turn.aborted", turnId: state.turnId, payload: { reason: "interrupted by the client" } }];
  },
};

export function createClaudeMapper(run: RunIdentity): ProtocolMapper {
  const state: ClaudeState = {
    turnId: null,
    turns: 0,
    streaming: false,
    tools: new Map(),
    requests: new Map(),
    messageUsage: new Map(),
  };
  return {
    observe(dir: Direction, line: string, ordinal: number, at: string): Observation {
      if (line.trim() === "") return { ok: true, events: [] };
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        return { ok: false, problem: "not JSON" };
      }
      const object = record(message);
      if (object === null) return { ok: false, problem: "not a JSON object" };
      const type = text(object.type);
      if (type === null) return { ok: false, problem: "no type: not a stream-json message" };
      const handler = dir === "out" ? (Object.hasOwn(OUT, type) ? OUT[type as ClaudeOutType] : undefined) : IN[type];
      const drafts = handler?.(object, state, run) ?? (dir === "out" ? [asIs(type)] : []);
      return {
        ok: true,
        events: drafts.map((draft, index) => toEvent(run, draft, object, placeEventId(run, dir, ordinal, index), at)),
      };
    },
  };
}

function toEvent(
  run: RunIdentity,
  draft: Draft,
  message: Record<string, unknown>,
  eventId: string,
  createdAt: string,
): RuntimeEvent {
  return draftEvent(run, draft, {
    eventId,
    createdAt,
    provider: "claude",
    providerRequestId: draft.requestId ?? null,
    raw: { source: "claude.stream-json", method: text(message.type) ?? "unknown", payload: storable(message) },
  });
}

/** Unmapped messages are stored as-is under `claude/<type>`, the message in `raw.payload`: nothing is lost. */
function asIs(name: string): Draft {
  return { type: `claude/${name}` };
}

/**
 * An assistant message's usage (`message.usage`, per API message id) as a usage report, so the cost shows while a
 * turn runs; the service counts each message id once (the blocks of one response share it), and the turn's `result`
 * then brings Claude's own cost. A repeat of the usage already sent for that id sends nothing.
 */
function messageUsage(message: Record<string, unknown>, state: ClaudeState): Draft | null {
  const api = record(message.message);
  const id = text(api?.id);
  const usage = record(api?.usage);
  if (id === null || usage === null) return null;
  const seen = JSON.stringify(usage);
  if (state.messageUsage.get(id) === seen) return null;
  state.messageUsage.delete(id);
  state.messageUsage.set(id, seen);
  for (const oldest of state.messageUsage.keys()) {
    if (state.messageUsage.size <= REMEMBERED_MESSAGES) break;
    state.messageUsage.delete(oldest);
  }
  const parent = text(message.parent_tool_use_id);
  return {
    type: "thread.token-usage.updated",
    turnId: state.turnId,
    payload: {
      usage: {
        message: { id, usage, ...(text(api?.model) === null ? {} : { model: api?.model }) },
        ...(parent === null ? {} : { parent_tool_use_id: parent }),
      },
    },
  };
}

function delta(state: ClaudeState, streamKind: string, value: string): Draft {
  return { type: "content.delta", turnId: state.turnId, payload: { streamKind, delta: clip(value) } };
}

function resolution(requestId: string, open: OpenRequest, payload: Record<string, unknown>): Draft {
  return {
    type: open.kind === "user-input" ? "user-input.resolved" : "request.resolved",
    turnId: open.turnId,
    requestId,
    payload,
  };
}
