import { describe, expect, it } from "vitest";
import tablePackage from "../../node_modules/@pydantic/genai-prices/package.json" with { type: "json" };
import { NO_TOKENS, type TokenCounts } from "../../src/domain/usage.ts";
import { PRICING_VERSION, priceUsage } from "../../src/pricing/price-table.ts";

const at = Date.UTC(2026, 8, 1);
const tokens = (counts: Partial<TokenCounts>): TokenCounts => ({ ...NO_TOKENS, ...counts });

/** Expected prices are worked out here from the per-million prices @pydantic/genai-prices 0.1.8 publishes. */
describe("pricing a usage delta from the price table", () => {
  it("prices Claude Opus 4.7's uncached input, cache reads, cache writes and output at their own rates", () => {
    const priced = priceUsage({
      provider: "claude",
      model: "claude-opus-4-7",
      tokens: tokens({
        inputTokens: 100_000,
        cacheReadInputTokens: 60_000,
        cacheCreationInputTokens: 10_000,
        outputTokens: 2_000,
      }),
      at,
    });
    // $5 input, $0.50 cache read, $6.25 cache write, $25 output a million tokens.
    const expected = (30_000 * 5 + 60_000 * 0.5 + 10_000 * 6.25 + 2_000 * 25) / 1_000_000;
    expect(priced).toEqual({
      source: "builtin-pricing",
      costUsd: expect.closeTo(expected, 12),
      pricingVersion: PRICING_VERSION,
      confidence: "high",
      model: "claude-opus-4-7",
    });
    expect(expected).toBeCloseTo(0.2925, 12);
  });

  it("prices a Codex model on the table's row for it (gpt-5-codex as gpt-5), reasoning inside the output", () => {
    const priced = priceUsage({
      provider: "codex",
      model: "gpt-5-codex",
      tokens: tokens({
        inputTokens: 200_000,
        cacheReadInputTokens: 150_000,
        outputTokens: 5_000,
        reasoningOutputTokens: 3_000,
      }),
      at,
    });
    // $1.25 input, $0.125 cached input, $10 output a million tokens.
    const expected = (50_000 * 1.25 + 150_000 * 0.125 + 5_000 * 10) / 1_000_000;
    expect(priced).toMatchObject({ source: "builtin-pricing", model: "gpt-5", confidence: "high" });
    expect(priced.source === "builtin-pricing" ? priced.costUsd : null).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(0.13125, 12);
  });

  it("prices a prompt past 200k tokens at Sonnet 4.5's long-context rates, with less confidence", () => {
    const priced = priceUsage({
      provider: "claude",
      model: "claude-sonnet-4-5-20250929",
      tokens: tokens({ inputTokens: 300_000, outputTokens: 1_000 }),
      at,
    });
    // Past 200k prompt tokens: $6 input, $22.50 output a million tokens (instead of $3 and $15).
    const expected = (300_000 * 6 + 1_000 * 22.5) / 1_000_000;
    expect(priced).toMatchObject({ source: "builtin-pricing", model: "claude-sonnet-4-5", confidence: "medium" });
    expect(priced.source === "builtin-pricing" ? priced.costUsd : null).toBeCloseTo(expected, 12);
  });

  it("does not price a model the table does not know, nor usage of no model", () => {
    const usage = tokens({ inputTokens: 1_000, outputTokens: 10 });
    expect(priceUsage({ provider: "acp", model: "mystery-model-9", tokens: usage, at })).toEqual({
      source: "not-priced",
      model: "mystery-model-9",
    });
    expect(priceUsage({ provider: "codex", model: null, tokens: usage, at })).toEqual({
      source: "not-priced",
      model: null,
    });
  });

  it("finds the table's provider by the model's name when the event's provider is not one it knows", () => {
    const priced = priceUsage({
      provider: "acp",
      model: "claude-haiku-4-5",
      tokens: tokens({ outputTokens: 1_000 }),
      at,
    });
    // $5 output a million tokens.
    expect(priced).toMatchObject({ source: "builtin-pricing", costUsd: expect.closeTo(0.005, 12) });
  });

  it("prices a report that leaves the cache out of the input, taking the input to be at least its cache", () => {
    const priced = priceUsage({
      provider: "codex",
      model: "gpt-5",
      tokens: tokens({ inputTokens: 10, cacheReadInputTokens: 1_000 }),
      at,
    });
    expect(priced).toMatchObject({ source: "builtin-pricing", costUsd: expect.closeTo((1_000 * 0.125) / 1e6, 12) });
  });

  it("gives the same price for the same usage at the same time", () => {
    const request = { provider: "codex", model: "gpt-5.5", tokens: tokens({ inputTokens: 5_000 }), at };
    expect(priceUsage(request)).toEqual(priceUsage(request));
  });

  it("names the table's version as the lockfile installs it", () => {
    expect(PRICING_VERSION).toBe(`${tablePackage.name}@${tablePackage.version}`);
  });
});
