/**
 * Claude's usage as the service's usage reports: each assistant message's while a turn runs, then the turn's
 * `result` with Claude's own cost.
 */
import type { ClaudeState } from "./claude-state.ts";
import { type Draft, record, text } from "./common.ts";

/** Message ids whose usage is remembered; a response's blocks come back to back, so a few suffice. */
const REMEMBERED_MESSAGES = 64;

/**
 * An assistant message's usage (`message.usage`, per API message id) as a usage report, so the cost shows while a
 * turn runs; the service counts each message id once (the blocks of one response share it), and the turn's `result`
 * then brings Claude's own cost. A repeat of the usage already sent for that id sends nothing.
 */
export function messageUsage(message: Record<string, unknown>, state: ClaudeState): Draft | null {
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

/** A `result`'s usage: the turn's tokens by model and the cost Claude itself reports. */
export function resultUsage(message: Record<string, unknown>): Record<string, unknown> {
  return {
    usage: message.usage ?? null,
    modelUsage: message.modelUsage ?? null,
    totalCostUsd: typeof message.total_cost_usd === "number" ? message.total_cost_usd : null,
    costSource: "provider",
  };
}
