/** Usage in words, as `get` and the dashboard write it: counts at a glance, the window, the cost and its source. */
import { describe, expect, it } from "vitest";
import {
  contextText,
  costAmountText,
  costSourceText,
  costText,
  knownCostText,
  tokenCount,
  tokensText,
  unpricedText,
  usdText,
} from "../../src/client/usage-text.ts";
import type { UsageViewWire } from "../../src/contracts/replies.ts";

const usage = (over: Partial<UsageViewWire> = {}): UsageViewWire => ({
  inputTokens: 0,
  cachedInputTokens: 0,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 0,
  outputTokens: 0,
  reasoningOutputTokens: 0,
  contextWindow: null,
  costUsd: null,
  cost: null,
  ...over,
});

describe("usage in words", () => {
  it("writes counts with three significant figures at most", () => {
    expect([0, 999, 1_000, 1_234, 12_400, 123_456, 999_999, 1_000_000, 3_250_000].map(tokenCount)).toEqual([
      "0",
      "999",
      "1k",
      "1.23k",
      "12.4k",
      "123k",
      "1M",
      "1M",
      "3.25M",
    ]);
  });

  it("names cache writes and reasoning only when there are any", () => {
    expect(tokensText(usage({ inputTokens: 5_000, cacheReadInputTokens: 1_000, outputTokens: 300 }))).toBe(
      "5k in (1k cached), 300 out",
    );
    const full = usage({
      inputTokens: 5_000,
      cacheCreationInputTokens: 2_000,
      outputTokens: 300,
      reasoningOutputTokens: 120,
    });
    expect(tokensText(full)).toBe("5k in (0 cached, 2k written to the cache), 300 out (120 reasoning)");
  });

  it("shows the window's share, or the tokens alone when its size is unknown", () => {
    expect(contextText(usage())).toBe("");
    expect(contextText(usage({ contextWindow: { used: 50_000, max: 200_000 } }))).toBe("50k of 200k (25%)");
    expect(contextText(usage({ contextWindow: { used: 50_000, max: null } }))).toBe("50k in use");
  });

  it("says where a cost came from, and that an unknown one is unknown, not $0", () => {
    expect(usdText(0.028)).toBe("$0.0280");
    expect(usdText(12.5)).toBe("$12.50");
    const provider = { source: "provider", confidence: "exact", pricingVersion: null, model: null } as const;
    expect(costText(usage({ costUsd: 0.42, cost: provider }))).toBe("$0.4200 (the provider's, exact)");
    const table = { source: "builtin-pricing", confidence: "high", pricingVersion: "table@1", model: "gpt-5" } as const;
    expect(costText(usage({ costUsd: 1.5, cost: table }))).toBe("$1.50 (priced from table@1, gpt-5, high)");
    const unknown = { source: "not-priced", confidence: "low", pricingVersion: null, model: "model-z" } as const;
    expect(costText(usage({ costUsd: null, cost: unknown }))).toBe("unknown (not priced: model-z)");
  });

  it("writes the panel's amount in cents when whole cents, four decimals when they say more, and never $0 for unknown", () => {
    const amount = (costUsd: number | null) => costAmountText(usage({ costUsd }));
    expect([0.42, 0.031, 0.007848, 12.5, 0, 0.00002, null].map(amount)).toEqual([
      "$0.42",
      "$0.0310",
      "$0.0078",
      "$12.50",
      "$0.00",
      "under $0.0001",
      "unknown",
    ]);
  });

  it("says in words where the panel's cost came from", () => {
    const priced = {
      source: "builtin-pricing",
      confidence: "high",
      pricingVersion: "table@1",
      model: "gpt-5.1",
    } as const;
    expect(costSourceText(usage({ costUsd: 0.0078, cost: priced }))).toBe("priced from table@1 (gpt-5.1)");
    expect(costSourceText(usage({ costUsd: 0.9, cost: { ...priced, confidence: "medium" } }))).toBe(
      "priced from table@1 (gpt-5.1), medium confidence",
    );
    const provider = { source: "provider", confidence: "exact", pricingVersion: null, model: null } as const;
    expect(costSourceText(usage({ costUsd: 0.42, cost: provider }))).toBe("reported by the provider");
    const unknown = { source: "not-priced", confidence: "low", pricingVersion: null, model: "model-z" } as const;
    expect(costSourceText(usage({ costUsd: null, cost: unknown }))).toBe("no price for model-z");
    expect(costSourceText(usage({ costUsd: null, cost: { ...unknown, model: null } }))).toBe(
      "not priced: no model named",
    );
    expect(costSourceText(usage({ costUsd: 0, cost: null }))).toBe("");
  });

  it("writes a rollup's cost as the amount, as at least its known part when some tokens have no price, never $0", () => {
    const rollup = (costUsd: number | null, knownCostUsd: number, unpricedTokens: number) =>
      knownCostText({ costUsd, knownCostUsd, unpricedTokens });
    expect(rollup(0.5325, 0.5325, 0)).toBe("$0.5325");
    expect(rollup(0.5, 0.5, 0)).toBe("$0.50");
    expect(rollup(null, 0.5, 3_000)).toBe("at least $0.50");
    expect(rollup(null, 0.031, 12)).toBe("at least $0.0310");
    expect(rollup(null, 0, 3_000)).toBe("unknown");
    expect(rollup(0, 0, 0)).toBe("$0.00");
  });

  it("counts the tokens without a price, and says nothing when there are none", () => {
    expect([0, 1, 2_500, 1_200_000].map((unpricedTokens) => unpricedText({ unpricedTokens }))).toEqual([
      "",
      "1 token without a price",
      "2.5k tokens without a price",
      "1.2M tokens without a price",
    ]);
  });
});
