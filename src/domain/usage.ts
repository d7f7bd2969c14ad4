/**
 * Usage and cost of a session (issue 23): provider usage reports folded into one ledger. Running totals are taken,
 * never added; a new provider session, or a running total that drops, opens a new segment and keeps the closed ones'
 * figures; a per-call report counts once per key; cost is the provider's figure where it gives one, else a figure the
 * caller priced once when the usage arrived (the fold never prices). Plain JSON: the ledger lives in the snapshot.
 * What it shows is in usage-view.ts, the provider shapes it reads in usage-reports.ts.
 */
import { type CostBasis, type CostConfidence, lowerBasis, lowerPricing, NO_BASIS } from "./usage-cost.ts";
import { addTokens, NO_TOKENS, subtractTokens, type TokenCounts, tokenTotal, widerTokens } from "./usage-tokens.ts";

export type { CostBasis, CostConfidence } from "./usage-cost.ts";
export { NO_TOKENS, TOKEN_KINDS, type TokenCounts, type TokenKind } from "./usage-tokens.ts";

/** A report's tokens: a kind left out was not reported (a running total keeps its last value, an increment adds 0). */
export type ReportedTokens = Partial<TokenCounts>;

/** The context window after a report: tokens of the last call in a window of `max`; null is not reported. */
export interface ContextWindowReport {
  used: number | null;
  max: number | null;
}

/** One provider usage report, in one shape for every provider (see usage-reports.ts for the normalisers). */
export interface UsageObservation {
  model: string | null;
  /** Running totals of the provider session so far. */
  totals: ReportedTokens | null;
  /** Usage reported once for one call or one turn, counted once per key (a Claude message id, a turn id). */
  increment: { key: string; tokens: ReportedTokens } | null;
  /** The provider's running cost of the provider session, in USD. */
  providerCost: { usd: number; confidence: CostConfidence } | null;
  contextWindow: ContextWindowReport | null;
}

/** A priced figure for the ledger's `pendingPrice`, recorded by the caller (src/pricing/price-table.ts prices it). */
export type UsageCharge =
  | { source: "builtin-pricing"; costUsd: number; confidence: CostConfidence; pricingVersion: string; model: string }
  | { source: "not-priced"; model: string | null };

/**
 * The usage of one provider session. A running total stands for all of its usage before it (increments included,
 * never added to it); increments after it add to it. Its tokens are `asOfTotals` plus `sinceTotals`.
 */
export interface UsageSegment {
  /** The provider session it belongs to, as the caller named it; null until named. */
  key: string | null;
  /** The latest running totals reported, kind by kind: a lower one means the provider started counting again. */
  reported: TokenCounts;
  /** The tokens as of the latest running total: it, or what was counted before it where that was more. */
  asOfTotals: TokenCounts;
  /** The increments counted since the latest running total. */
  sinceTotals: TokenCounts;
  /** The provider's latest running cost. */
  providerCostUsd: number | null;
  /** Priced figures recorded since the provider's latest cost (all of the segment's if it gave none). */
  pricedCostUsd: number;
  /** Tokens since the provider's latest cost that have no price: the segment's cost is unknown while any are left. */
  unpricedTokens: number;
  basis: CostBasis;
}

/** The figures of the segments that ended, added up. */
export interface ClosedUsage {
  tokens: TokenCounts;
  knownCostUsd: number;
  unpricedTokens: number;
  basis: CostBasis;
}

export interface CountedIncrement {
  key: string;
  tokens: TokenCounts;
}

export interface UsageLedger {
  closed: ClosedUsage;
  current: UsageSegment;
  /** Increments already counted, least recently seen first, at most MAX_COUNTED_INCREMENTS. */
  counted: readonly CountedIncrement[];
  /** Tokens the last observation added that the caller is to price (then `applyUsageCharge`); null when none. */
  pendingPrice: { model: string | null; tokens: TokenCounts } | null;
  model: string | null;
  contextWindow: ContextWindowReport | null;
}

/**
 * Bounds the snapshot (about 150 bytes an entry). A Claude response repeats its message id only in the blocks it
 * streams back to back, so parallel subagents put a few other ids between two of them; an id seen again after 32
 * others counts again.
 */
export const MAX_COUNTED_INCREMENTS = 32;

function openSegment(key: string | null): UsageSegment {
  return {
    key,
    reported: NO_TOKENS,
    asOfTotals: NO_TOKENS,
    sinceTotals: NO_TOKENS,
    providerCostUsd: null,
    pricedCostUsd: 0,
    unpricedTokens: 0,
    basis: NO_BASIS,
  };
}

export function initialUsageLedger(): UsageLedger {
  return {
    closed: { tokens: NO_TOKENS, knownCostUsd: 0, unpricedTokens: 0, basis: NO_BASIS },
    current: openSegment(null),
    counted: [],
    pendingPrice: null,
    model: null,
    contextWindow: null,
  };
}

export function segmentTokens(segment: UsageSegment): TokenCounts {
  return addTokens(segment.asOfTotals, segment.sinceTotals);
}

/**
 * The ledger after a usage report of `providerSession` (the caller's name for the provider session, e.g. its
 * `providerSessionId`; null when unknown, which keeps the current one). Tokens it adds without a provider cost are left
 * in `pendingPrice` for the caller to price; left unpriced when the next report comes, they make the cost unknown.
 */
export function applyUsageObservation(
  ledger: UsageLedger,
  observation: UsageObservation,
  providerSession: string | null,
): UsageLedger {
  const unpaid = ledger.pendingPrice === null ? 0 : tokenTotal(ledger.pendingPrice.tokens);
  let current =
    unpaid === 0 ? ledger.current : { ...ledger.current, unpricedTokens: ledger.current.unpricedTokens + unpaid };
  let closed = ledger.closed;
  const running = runningFigures(observation);
  if (startsNewSegment(current, providerSession, running)) {
    closed = closeSegment(closed, current);
    current = openSegment(providerSession);
  } else if (current.key === null && providerSession !== null) {
    current = { ...current, key: providerSession };
  }
  const before = segmentTokens(current);
  let counted = ledger.counted;
  if (observation.increment !== null) {
    const counting = countIncrement(counted, observation.increment.key, observation.increment.tokens);
    counted = counting.counted;
    current = { ...current, sinceTotals: addTokens(current.sinceTotals, counting.added) };
  }
  // After the report's own increment: a running total stands for it too.
  if (running.totals !== null) {
    const reported = { ...current.reported, ...running.totals };
    current = {
      ...current,
      reported,
      asOfTotals: widerTokens(reported, segmentTokens(current)),
      sinceTotals: NO_TOKENS,
    };
  }
  if (running.cost !== null) {
    current = {
      ...current,
      providerCostUsd: running.cost.usd,
      pricedCostUsd: 0,
      unpricedTokens: 0,
      basis: { provider: running.cost.confidence, pricing: null },
    };
  }
  const added = subtractTokens(segmentTokens(current), before);
  const model = observation.model ?? ledger.model;
  return {
    closed,
    current,
    counted,
    pendingPrice: running.cost === null && tokenTotal(added) > 0 ? { model, tokens: added } : null,
    model,
    contextWindow: contextAfter(ledger.contextWindow, observation.contextWindow),
  };
}

/** The ledger after the caller recorded a price for its `pendingPrice`; without one pending, unchanged. */
export function applyUsageCharge(ledger: UsageLedger, charge: UsageCharge): UsageLedger {
  const pending = ledger.pendingPrice;
  if (pending === null) return ledger;
  const current = ledger.current;
  if (charge.source === "builtin-pricing" && isAmount(charge.costUsd)) {
    const pricing = { confidence: charge.confidence, pricingVersion: charge.pricingVersion, model: charge.model };
    return {
      ...ledger,
      pendingPrice: null,
      current: {
        ...current,
        pricedCostUsd: current.pricedCostUsd + charge.costUsd,
        basis: { ...current.basis, pricing: lowerPricing(current.basis.pricing, pricing) },
      },
    };
  }
  return {
    ...ledger,
    pendingPrice: null,
    current: { ...current, unpricedTokens: current.unpricedTokens + tokenTotal(pending.tokens) },
  };
}

export function segmentKnownCost(segment: UsageSegment): number {
  return (segment.providerCostUsd ?? 0) + segment.pricedCostUsd;
}

/** The session's figures so far: the closed segments' and the current one's, added up. */
export function ledgerFigures(ledger: UsageLedger): Omit<ClosedUsage, "basis"> {
  const { tokens, knownCostUsd, unpricedTokens } = closeSegment(ledger.closed, ledger.current);
  return { tokens, knownCostUsd, unpricedTokens };
}

function closeSegment(closed: ClosedUsage, segment: UsageSegment): ClosedUsage {
  return {
    tokens: addTokens(closed.tokens, segmentTokens(segment)),
    knownCostUsd: closed.knownCostUsd + segmentKnownCost(segment),
    unpricedTokens: closed.unpricedTokens + segment.unpricedTokens,
    basis: lowerBasis(closed.basis, segment.basis),
  };
}

interface RunningFigures {
  totals: ReportedTokens | null;
  cost: { usd: number; confidence: CostConfidence } | null;
}

/** A report whose running figures are all zero says nothing: Claude's crash and start-up results carry zeros. */
function runningFigures(observation: UsageObservation): RunningFigures {
  const totals = observation.totals;
  const cost = observation.providerCost;
  const figures = [...Object.values(totals ?? {}), ...(cost === null ? [] : [cost.usd])];
  if (figures.every((figure) => figure === 0)) return { totals: null, cost: null };
  return { totals, cost };
}

/** A new provider session, or a running total that drops: the provider started counting again. */
function startsNewSegment(segment: UsageSegment, providerSession: string | null, running: RunningFigures): boolean {
  if (providerSession !== null && segment.key !== null && providerSession !== segment.key) return true;
  const totals = running.totals;
  if (
    totals !== null &&
    Object.entries(totals).some(([kind, value]) => value < segment.reported[kind as keyof TokenCounts])
  )
    return true;
  return running.cost !== null && segment.providerCostUsd !== null && running.cost.usd < segment.providerCostUsd;
}

/** Counts an increment once per key: a key seen again adds only what grew (Claude restates a message's usage). */
function countIncrement(
  counted: readonly CountedIncrement[],
  key: string,
  reported: ReportedTokens,
): { counted: readonly CountedIncrement[]; added: TokenCounts } {
  const tokens = { ...NO_TOKENS, ...reported };
  const known = counted.find((entry) => entry.key === key);
  const kept = counted.filter((entry) => entry !== known);
  const seen = known === undefined ? tokens : widerTokens(known.tokens, tokens);
  const added = known === undefined ? tokens : subtractTokens(seen, known.tokens);
  return { counted: [...kept, { key, tokens: seen }].slice(-MAX_COUNTED_INCREMENTS), added };
}

function contextAfter(
  previous: ContextWindowReport | null,
  report: ContextWindowReport | null,
): ContextWindowReport | null {
  if (report === null) return previous;
  return { used: report.used ?? previous?.used ?? null, max: report.max ?? previous?.max ?? null };
}

function isAmount(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}
