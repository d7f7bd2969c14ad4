/** What the Claude mapper remembers of a run between lines, and the handler shape both directions share. */
import type { Draft, RunIdentity } from "./common.ts";

/** A `can_use_tool` request still waiting for the client's answer. */
export interface OpenRequest {
  kind: "approval" | "user-input";
  turnId: string | null;
}

export interface ClaudeState {
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

export function initialClaudeState(): ClaudeState {
  return {
    turnId: null,
    turns: 0,
    streaming: false,
    tools: new Map(),
    requests: new Map(),
    messageUsage: new Map(),
  };
}

/** Maps one message of a direction, by its `type`, to the drafts of its events; it may update the state. */
export type ClaudeHandler = (message: Record<string, unknown>, state: ClaudeState, run: RunIdentity) => Draft[];

/** An open request settled, from either side: the client's answer, or the CLI's cancellation. */
export function resolution(requestId: string, open: OpenRequest, payload: Record<string, unknown>): Draft {
  return {
    type: open.kind === "user-input" ? "user-input.resolved" : "request.resolved",
    turnId: open.turnId,
    requestId,
    payload,
  };
}
