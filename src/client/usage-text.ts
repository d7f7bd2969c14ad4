/**
 * Usage in words, for the CLI and the dashboard: tokens, the context window, the cost and its source; a turn's and a
 * rollup's cost too.
 */
import type { UsageViewWire } from "../contracts/replies.ts";
import type { UsageRow } from "../contracts/usage.ts";

/** The token counts by kind: a session's, a turn's or a rollup row's. */
type Tokens = Pick<
  UsageViewWire,
  "inputTokens" | "cacheReadInputTokens" | "cacheCreationInputTokens" | "outputTokens" | "reasoningOutputTokens"
>;

/** 950, 12.4k, 3.2M: three significant figures are enough to read a count at a glance. */
export function tokenCount(tokens: number): string {
  if (tokens < 1_000) return String(tokens);
  // 999,999 would round to "1000k": from 999,500 on it is "1M".
  if (tokens < 999_500) return `${trim(tokens / 1_000)}k`;
  return `${trim(tokens / 1_000_000)}M`;
}

function trim(value: number): string {
  return value >= 100
    ? value.toFixed(0)
    : value >= 10
      ? value.toFixed(1).replace(/\.0$/, "")
      : value.toFixed(2).replace(/\.?0+$/, "");
}

/** "12.4k in (4k cached, 0 written to the cache), 2k out (500 reasoning)". */
export function tokensText(usage: Tokens): string {
  const cache =
    usage.cacheCreationInputTokens > 0
      ? `${tokenCount(usage.cacheReadInputTokens)} cached, ${tokenCount(usage.cacheCreationInputTokens)} written to the cache`
      : `${tokenCount(usage.cacheReadInputTokens)} cached`;
  const reasoning = usage.reasoningOutputTokens > 0 ? ` (${tokenCount(usage.reasoningOutputTokens)} reasoning)` : "";
  return `${tokenCount(usage.inputTokens)} in (${cache}), ${tokenCount(usage.outputTokens)} out${reasoning}`;
}

/** "9k of 272k (3%)", or the tokens alone when the window's size is unknown; empty when nothing was reported. */
export function contextText(usage: UsageViewWire): string {
  const window = usage.contextWindow;
  if (window === null) return "";
  if (window.max === null || window.max === 0) return `${tokenCount(window.used)} in use`;
  return `${tokenCount(window.used)} of ${tokenCount(window.max)} (${Math.round((window.used / window.max) * 100)}%)`;
}

/** US dollars: cents for a dollar or more, four decimals below (a turn often costs a fraction of a cent). */
export function usdText(usd: number): string {
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}

/** "$0.0280 (priced from @pydantic/genai-prices@0.1.8, gpt-5)", "$0.42 (the provider's)", "unknown (not priced: …)". */
export function costText(usage: UsageViewWire): string {
  const cost = usage.cost;
  if (usage.costUsd === null) return `unknown${cost?.model ? ` (not priced: ${cost.model})` : " (not priced)"}`;
  if (cost === null) return usdText(usage.costUsd);
  if (cost.source === "provider") return `${usdText(usage.costUsd)} (the provider's, ${cost.confidence})`;
  const table = [cost.pricingVersion, cost.model].filter((part) => part !== null).join(", ");
  return `${usdText(usage.costUsd)} (priced from ${table}, ${cost.confidence})`;
}

/**
 * The panel's amount: "unknown" when any tokens have no price (never $0), else whole cents as cents ("$0.42", a
 * provider's figure usually is) and four decimals only when they carry something ("$0.0310"), and a cost too small
 * for them "under $0.0001".
 */
export function costAmountText(usage: Pick<UsageViewWire, "costUsd">): string {
  const usd = usage.costUsd;
  if (usd === null) return "unknown";
  // A known cost that four decimals would round to $0.0000 is not free.
  if (usd > 0 && usd < 0.00005) return "under $0.0001";
  const cents = usd * 100;
  return Math.abs(cents - Math.round(cents)) < 1e-9 ? `$${usd.toFixed(2)}` : usdText(usd);
}

/**
 * A rollup's cost, where some tokens may have no price: the amount when all are priced, "at least $0.50" (the known
 * part) when some are not, "unknown" when none of it is known. Never $0 for tokens without a price.
 */
export function knownCostText(row: Pick<UsageRow, "costUsd" | "knownCostUsd" | "unpricedTokens">): string {
  if (row.costUsd !== null && row.unpricedTokens === 0) return costAmountText(row);
  return row.knownCostUsd > 0 ? `at least ${costAmountText({ costUsd: row.knownCostUsd })}` : "unknown";
}

/** "12.4k tokens without a price", or empty when every token has one. */
export function unpricedText(row: Pick<UsageRow, "unpricedTokens">): string {
  const count = row.unpricedTokens;
  if (count === 0) return "";
  return `${tokenCount(count)} token${count === 1 ? "" : "s"} without a price`;
}

/**
 * Where the cost came from: "priced from @pydantic/genai-prices@0.1.8 (gpt-5.1)", "reported by the provider",
 * "no price for model-z"; a medium or low confidence is said. Empty when nothing says.
 */
export function costSourceText(usage: UsageViewWire): string {
  const cost = usage.cost;
  if (usage.costUsd === null || cost?.source === "not-priced") {
    if (cost === null) return "not priced";
    return cost.model === null ? "not priced: no model named" : `no price for ${cost.model}`;
  }
  if (cost === null) return "";
  const doubt = cost.confidence === "medium" || cost.confidence === "low" ? `, ${cost.confidence} confidence` : "";
  if (cost.source === "provider") return `reported by the provider${doubt}`;
  const model = cost.model === null ? "" : ` (${cost.model})`;
  return `priced from ${cost.pricingVersion ?? "the built-in price table"}${model}${doubt}`;
}
