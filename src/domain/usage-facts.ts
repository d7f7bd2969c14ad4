/**
 * What provider events do to a session's usage (usage.ts holds the ledger's own rules): the model and provider
 * session each report is read against, the reports themselves, and the price the service records once for tokens a
 * provider did not price. Event shapes: pingdotgg/t3code packages/contracts/src/providerRuntime.ts.
 */
import type { RuntimeEvent } from "../contracts/events.ts";
import { payloadRecord, payloadText } from "./payload.ts";
import type { SessionState, UsageSource } from "./session.ts";
import { applyUsageCharge, applyUsageObservation, type CostConfidence, type UsageCharge } from "./usage.ts";
import { fromTokenUsagePayload, fromTurnCompleted } from "./usage-reports.ts";
import type { TokenCounts } from "./usage-tokens.ts";

/** Tokens the ledger asks to be priced, with what pricing needs to know of them. */
export interface UsageToCharge {
  provider: string | null;
  model: string | null;
  tokens: TokenCounts;
  /** When the usage arrived (server ms): a table's prices change on dates. */
  at: number;
}

/** Prices tokens once, when they arrive (src/pricing/price-table.ts in the service; a stand-in in tests). */
export type UsagePricer = (usage: UsageToCharge) => UsageCharge;

type UsageFacts = Pick<SessionState, "usage" | "usageSource">;

/** The session's usage after an accepted provider event; the same objects when the event says nothing of it. */
export function usageAfter(state: SessionState, event: RuntimeEvent): UsageFacts {
  const usageSource = sourceAfter(state.usageSource, event);
  const context = { model: usageSource.model, key: event.eventId };
  const observation =
    event.type === "thread.token-usage.updated"
      ? fromTokenUsagePayload(event.payload, context)
      : event.type === "turn.completed"
        ? fromTurnCompleted(event.payload, event.turnId ?? null, context)
        : null;
  const usage =
    observation === null ? state.usage : applyUsageObservation(state.usage, observation, usageSource.providerSession);
  return { usage, usageSource };
}

/** The provider session (a new one starts new totals) and the model, as the events name them. */
function sourceAfter(source: UsageSource, event: RuntimeEvent): UsageSource {
  const providerSession = providerSessionOf(event) ?? source.providerSession;
  const model = modelOf(event) ?? source.model;
  return providerSession === source.providerSession && model === source.model ? source : { providerSession, model };
}

function providerSessionOf(event: RuntimeEvent): string | null {
  switch (event.type) {
    case "thread.started":
      return payloadText(event, "providerThreadId");
    case "session.started":
      // The bridges name the provider's session here (Claude's session_id, ACP's sessionId).
      return payloadText(event, "providerSessionId");
    default:
      return null;
  }
}

function modelOf(event: RuntimeEvent): string | null {
  switch (event.type) {
    case "turn.started":
    case "session.started":
    // The Codex bridge names the thread's model beside the usage it reports.
    case "thread.token-usage.updated":
      return payloadText(event, "model");
    case "session.configured": {
      const model = payloadRecord(event, "config")?.model;
      return typeof model === "string" && model.trim() !== "" ? model : null;
    }
    case "model.rerouted":
      return payloadText(event, "toModel");
    default:
      return null;
  }
}

/** What the ledger asks to be priced after the last report, or null when nothing is pending. */
export function usageToCharge(state: SessionState, event: RuntimeEvent, at: number): UsageToCharge | null {
  const pending = state.usage.pendingPrice;
  if (pending === null) return null;
  return { provider: event.provider, model: pending.model, tokens: pending.tokens, at };
}

/** The type of the service entry that records a price, right after the report it prices. */
export const USAGE_PRICED = "usage.priced";

/** The recorded price as the entry's payload: what a refold reads instead of pricing again. */
export function usagePricedPayload(charge: UsageCharge): Record<string, unknown> {
  return { ...charge };
}

/** Folds a `usage.priced` entry: the figure it records, never a new lookup. */
export function applyUsagePriced(state: SessionState, payload: Record<string, unknown> | undefined): SessionState {
  const charge = chargeOf(payload);
  return charge === null ? state : { ...state, usage: applyUsageCharge(state.usage, charge) };
}

const CONFIDENCES: readonly CostConfidence[] = ["exact", "high", "medium", "low"];

function chargeOf(payload: Record<string, unknown> | undefined): UsageCharge | null {
  if (payload === undefined) return null;
  const model = typeof payload.model === "string" ? payload.model : null;
  if (payload.source === "not-priced") return { source: "not-priced", model };
  const { costUsd, confidence, pricingVersion } = payload;
  if (
    payload.source !== "builtin-pricing" ||
    typeof costUsd !== "number" ||
    typeof pricingVersion !== "string" ||
    model === null ||
    !CONFIDENCES.includes(confidence as CostConfidence)
  ) {
    return null;
  }
  return { source: "builtin-pricing", costUsd, confidence: confidence as CostConfidence, pricingVersion, model };
}
