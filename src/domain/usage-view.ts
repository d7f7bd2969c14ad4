/** What the usage ledger shows: the session view's figures (issue 23's names) and a turn's usage, start to end. */

import { ledgerFigures, type UsageLedger } from "./usage.ts";
import { type CostConfidence, lowerBasis, lowerConfidence } from "./usage-cost.ts";
import { subtractTokens, type TokenCounts } from "./usage-tokens.ts";

/** Tokens and cost at one moment: what a turn stores at its start to subtract at its end. */
export interface UsageTotals {
  tokens: TokenCounts;
  costUsd: number | null;
}

export interface TokenFigures {
  inputTokens: number;
  /** The same tokens as `cacheReadInputTokens` (OpenAI's and T3 Code's name for them), never to be added to them. */
  cachedInputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
}

/** The session view's usage (issue 23's names). `costUsd` null means unknown, never 0. */
export interface UsageView extends TokenFigures {
  contextWindow: { used: number; max: number | null } | null;
  costUsd: number | null;
  cost: {
    source: "provider" | "builtin-pricing" | "not-priced";
    confidence: CostConfidence;
    pricingVersion: string | null;
    model: string | null;
  } | null;
}

export function usageTotals(ledger: UsageLedger): UsageTotals {
  return { tokens: ledgerFigures(ledger).tokens, costUsd: knownCost(ledger) };
}

/** The usage from `start` to `end` (a turn's, from the totals kept at its start); cost unknown if either is. */
export function usageBetween(start: UsageTotals, end: UsageTotals): UsageTotals {
  return {
    tokens: subtractTokens(end.tokens, start.tokens),
    costUsd: start.costUsd === null || end.costUsd === null ? null : end.costUsd - start.costUsd,
  };
}

export function tokenFigures(tokens: TokenCounts): TokenFigures {
  return {
    inputTokens: tokens.inputTokens,
    cachedInputTokens: tokens.cacheReadInputTokens,
    cacheCreationInputTokens: tokens.cacheCreationInputTokens,
    cacheReadInputTokens: tokens.cacheReadInputTokens,
    outputTokens: tokens.outputTokens,
    reasoningOutputTokens: tokens.reasoningOutputTokens,
  };
}

export function usageView(ledger: UsageLedger): UsageView {
  const { tokens, costUsd } = usageTotals(ledger);
  const window = ledger.contextWindow;
  return {
    ...tokenFigures(tokens),
    contextWindow: window === null || window.used === null ? null : { used: window.used, max: window.max },
    costUsd,
    cost: costDescription(ledger, costUsd),
  };
}

function costDescription(ledger: UsageLedger, costUsd: number | null): UsageView["cost"] {
  const basis = lowerBasis(ledger.closed.basis, ledger.current.basis);
  const model = basis.pricing?.model ?? ledger.model;
  const pricingVersion = basis.pricing?.pricingVersion ?? null;
  if (costUsd === null) return { source: "not-priced", confidence: "low", pricingVersion, model };
  if (basis.pricing !== null) {
    const confidence = lowerConfidence(basis.pricing.confidence, basis.provider ?? basis.pricing.confidence);
    return { source: "builtin-pricing", confidence, pricingVersion, model };
  }
  if (basis.provider !== null) return { source: "provider", confidence: basis.provider, pricingVersion: null, model };
  return null;
}

function knownCost(ledger: UsageLedger): number | null {
  const { knownCostUsd, unpricedTokens } = ledgerFigures(ledger);
  return unpricedTokens > 0 || ledger.pendingPrice !== null ? null : knownCostUsd;
}
