/**
 * Prices a usage delta once, when it arrives, from the price table of @pydantic/genai-prices (the only file that
 * imports it; docs/usage.md says why this table). Deterministic for one package version and one time:
 * the table's prices can change on a date, so the caller passes when the usage happened.
 */
import { calcPrice, type ModelPrice, type PriceCalculation } from "@pydantic/genai-prices";
import type { CostConfidence, TokenCounts } from "../domain/usage.ts";

/** The table's package and version, as the lockfile pins it; a test holds it equal to the installed package. */
export const PRICING_VERSION = "@pydantic/genai-prices@0.1.8";

export interface UsageToPrice {
  /** The event's `provider` (`codex`, `claude`…): it picks the table's provider, else the model name does. */
  provider: string | null;
  model: string | null;
  tokens: TokenCounts;
  /** When the usage happened (ms since the epoch). */
  at: number;
}

export type PricedUsage =
  | { source: "builtin-pricing"; costUsd: number; pricingVersion: string; confidence: CostConfidence; model: string }
  | { source: "not-priced"; model: string | null };

/** Event providers whose models one of the table's providers sells; any other is matched by its model's name. */
const TABLE_PROVIDERS: ReadonlyMap<string, string> = new Map([
  ["codex", "openai"],
  ["openai", "openai"],
  ["claude", "anthropic"],
  ["claudeAgent", "anthropic"],
  ["anthropic", "anthropic"],
  ["gemini", "google"],
  ["google", "google"],
]);

/**
 * The cost of `tokens` of `model`, or not-priced when the table does not know the model (or the figures do not add
 * up). The model returned is the table's row that priced it (`gpt-5` prices `gpt-5-codex`). Confidence is `medium`
 * when the prompt crossed a long-context tier: a delta that adds up several calls may cross it when no call did.
 */
export function priceUsage({ provider, model, tokens, at }: UsageToPrice): PricedUsage {
  const notPriced: PricedUsage = { source: "not-priced", model };
  if (model === null || model.trim() === "" || !Number.isFinite(at)) return notPriced;
  // Anthropic-style reports can leave the cache out of the input; the table wants it inside.
  const cached = tokens.cacheReadInputTokens + tokens.cacheCreationInputTokens;
  const usage = {
    input_tokens: Math.max(tokens.inputTokens, cached),
    cache_read_tokens: tokens.cacheReadInputTokens,
    cache_write_tokens: tokens.cacheCreationInputTokens,
    output_tokens: Math.max(tokens.outputTokens, tokens.reasoningOutputTokens),
  };
  const timestamp = new Date(at);
  const providerId = provider === null ? undefined : TABLE_PROVIDERS.get(provider);
  let priced: PriceCalculation | null;
  try {
    priced =
      (providerId === undefined ? null : calcPrice(usage, model, { providerId, timestamp })) ??
      calcPrice(usage, model, { timestamp });
  } catch {
    return notPriced;
  }
  if (priced === null || !Number.isFinite(priced.total_price) || priced.total_price < 0) return notPriced;
  return {
    source: "builtin-pricing",
    costUsd: priced.total_price,
    pricingVersion: PRICING_VERSION,
    confidence: crossesTier(priced.model_price, usage.input_tokens) ? "medium" : "high",
    model: priced.model.id,
  };
}

function crossesTier(prices: ModelPrice, inputTokens: number): boolean {
  return Object.values(prices).some(
    (price) => typeof price === "object" && price.tiers.some((tier) => inputTokens > tier.start),
  );
}
