/**
 * Claude Code's `stream-json` protocol (`claude -p --input-format stream-json --output-format stream-json --verbose`,
 * which the Claude Agent SDK speaks), seen from both sides. Message shapes: the npm package
 * `@anthropic-ai/claude-agent-sdk` (sdk.d.ts: SDKMessage, SDKControlRequest, SDKControlResponse, SDKResultMessage),
 * anthropics/claude-agent-sdk-python (`types.py`; `_internal/query.py` for the control protocol: `control_request`
 * / `control_response` with `request_id`, `can_use_tool` answered with `{behavior: "allow" | "deny", …}`), and
 * pingdotgg/t3code's ClaudeAdapter (result → turn state, AskUserQuestion as a question, usage limits). This module
 * reads a line and wraps its events; claude-stdout.ts and claude-stdin.ts say what each side's messages become.
 */

import type { RuntimeEvent } from "../contracts/events.ts";
import { initialClaudeState } from "./claude-state.ts";
import { STDIN_HANDLERS } from "./claude-stdin.ts";
import { asIs, type ClaudeOutType, STDOUT_HANDLERS } from "./claude-stdout.ts";
import {
  type Direction,
  type Draft,
  draftEvent,
  placeEventId,
  type RunIdentity,
  record,
  storable,
  text,
} from "./common.ts";
import type { Observation, ProtocolMapper } from "./live.ts";

export function createClaudeMapper(run: RunIdentity): ProtocolMapper {
  const state = initialClaudeState();
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
      const handler =
        dir === "out"
          ? Object.hasOwn(STDOUT_HANDLERS, type)
            ? STDOUT_HANDLERS[type as ClaudeOutType]
            : undefined
          : // Own keys only: a line typed "toString" must not reach Object.prototype.
            Object.hasOwn(STDIN_HANDLERS, type)
            ? STDIN_HANDLERS[type]
            : undefined;
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
