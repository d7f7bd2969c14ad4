/** Claude's rules as t3code's ClaudeAdapter applies them: tools as items and request types, a result as a turn state. */
import { clip, record, text } from "./common.ts";

/** t3code's classification of Claude's tools into the reference's request types. */
export function approvalType(toolName: string): string {
  if (toolName === "Bash") return "command_execution_approval";
  if (["Edit", "MultiEdit", "Write", "NotebookEdit"].includes(toolName)) return "file_change_approval";
  if (["Read", "Glob", "Grep", "LS"].includes(toolName)) return "file_read_approval";
  return "dynamic_tool_call";
}

export function itemType(toolName: string): string {
  if (toolName === "Bash") return "command_execution";
  if (["Edit", "MultiEdit", "Write", "NotebookEdit"].includes(toolName)) return "file_change";
  if (toolName.startsWith("mcp__")) return "mcp_tool_call";
  if (toolName === "Task" || toolName === "Agent") return "collab_agent_tool_call";
  return "dynamic_tool_call";
}

export function contentBlocks(content: unknown): Record<string, unknown>[] {
  if (!Array.isArray(content)) return [];
  return content.map(record).filter((block): block is Record<string, unknown> => block !== null);
}

/**
 * The turn's real state (t3code's `isInterruptedResult`): an abort is `interrupted` (terminal_reason `aborted_*`,
 * or an error that says it was interrupted or aborted); `success` without is_error `completed`; the rest `failed`.
 */
export function turnOutcome(result: Record<string, unknown>): { state: string; errorMessage?: string } {
  const errors = Array.isArray(result.errors) ? result.errors.filter((e) => typeof e === "string").join(" ") : "";
  const reason = text(result.terminal_reason);
  const lowered = errors.toLowerCase();
  if (
    reason === "aborted_tools" ||
    reason === "aborted_streaming" ||
    lowered.includes("interrupt") ||
    (result.subtype === "error_during_execution" && result.is_error === false && lowered.includes("aborted"))
  ) {
    return { state: "interrupted" };
  }
  if (result.subtype === "success" && result.is_error !== true) return { state: "completed" };
  const message = errors !== "" ? errors : (text(result.result) ?? text(result.subtype) ?? "failed");
  return { state: "failed", errorMessage: clip(message) };
}
