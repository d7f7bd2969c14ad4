/**
 * What each message the client writes to the Claude CLI's stdin becomes: its prompts start turns, its answers
 * settle requests, its interrupt aborts the turn.
 */
import { type ClaudeHandler, resolution } from "./claude-state.ts";
import { record, text, validId } from "./common.ts";

/** Messages the client writes to the CLI's stdin, by `type`; any other becomes no event. */
export const STDIN_HANDLERS: Readonly<Record<string, ClaudeHandler>> = {
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
