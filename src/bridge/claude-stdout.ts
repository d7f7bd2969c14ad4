/** What each message the Claude CLI writes to stdout becomes: turns' items, deltas, requests, results and limits. */
import { approvalType, contentBlocks, itemType, turnOutcome } from "./claude-rules.ts";
import { type ClaudeHandler, type ClaudeState, resolution } from "./claude-state.ts";
import { messageUsage, resultUsage } from "./claude-usage.ts";
import { clip, type Draft, pick, record, text, validId } from "./common.ts";

/** The tool Claude asks the person a question with (t3code: "AskUserQuestion" is a user-input request). */
const ASK_USER_QUESTION = "AskUserQuestion";

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
export const STDOUT_HANDLERS: Readonly<Record<ClaudeOutType, ClaudeHandler>> = {
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
    return [
      {
        type: "turn.completed",
        turnId,
        payload: { ...outcome, ...pick(message, ["stop_reason", "num_turns", "duration_ms"]) },
      },
      { type: "thread.token-usage.updated", turnId, payload: { usage: resultUsage(message) } },
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

/** Unmapped messages are stored as-is under `claude/<type>`, the message in `raw.payload`: nothing is lost. */
export function asIs(name: string): Draft {
  return { type: `claude/${name}` };
}

function delta(state: ClaudeState, streamKind: string, value: string): Draft {
  return { type: "content.delta", turnId: state.turnId, payload: { streamKind, delta: clip(value) } };
}
