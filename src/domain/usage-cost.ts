/** What a session's cost figures rest on, and how two of them combine: each part at its lowest confidence. */

/** T3 Code's `ThreadUsageCostSnapshot.confidence`, best first. */
export type CostConfidence = "exact" | "high" | "medium" | "low";
const CONFIDENCE_ORDER: readonly CostConfidence[] = ["exact", "high", "medium", "low"];

/** What the cost figures in effect rest on: the provider's figures and the price table's, each at its lowest. */
export interface CostBasis {
  provider: CostConfidence | null;
  pricing: { confidence: CostConfidence; pricingVersion: string; model: string } | null;
}

export const NO_BASIS: CostBasis = { provider: null, pricing: null };

export function lowerConfidence(a: CostConfidence, b: CostConfidence): CostConfidence {
  return CONFIDENCE_ORDER.indexOf(a) >= CONFIDENCE_ORDER.indexOf(b) ? a : b;
}

export function lowerPricing(a: CostBasis["pricing"], b: NonNullable<CostBasis["pricing"]>): CostBasis["pricing"] {
  return a === null ? b : { ...b, confidence: lowerConfidence(a.confidence, b.confidence) };
}

export function lowerBasis(a: CostBasis, b: CostBasis): CostBasis {
  return {
    provider:
      a.provider === null ? b.provider : b.provider === null ? a.provider : lowerConfidence(a.provider, b.provider),
    pricing: b.pricing === null ? a.pricing : lowerPricing(a.pricing, b.pricing),
  };
}
