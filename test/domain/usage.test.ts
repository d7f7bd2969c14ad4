import { describe, expect, it } from "vitest";
import {
  applyUsageCharge,
  applyUsageObservation,
  type CostConfidence,
  initialUsageLedger,
  MAX_COUNTED_INCREMENTS,
  type UsageCharge,
  type UsageLedger,
  type UsageObservation,
} from "../../src/domain/usage.ts";
import { usageBetween, usageTotals, usageView } from "../../src/domain/usage-view.ts";

const nothing: UsageObservation = {
  model: null,
  totals: null,
  increment: null,
  providerCost: null,
  contextWindow: null,
};

function report(fields: Partial<UsageObservation>): UsageObservation {
  return { ...nothing, ...fields };
}

/** Given reports of one provider session (or of the sessions named), the ledger after them. */
function given(...reports: (UsageObservation | [UsageObservation, string])[]): UsageLedger {
  return reports.reduce<UsageLedger>((ledger, entry) => {
    const [observation, session] = Array.isArray(entry) ? entry : [entry, null];
    return applyUsageObservation(ledger, observation, session);
  }, initialUsageLedger());
}

const priced = (costUsd: number, confidence: CostConfidence = "high"): UsageCharge => ({
  source: "builtin-pricing",
  costUsd,
  confidence,
  pricingVersion: "table@1",
  model: "row-a",
});

describe("running totals", () => {
  it("takes the latest running total and never adds two of them", () => {
    const ledger = given(
      report({ totals: { inputTokens: 100, outputTokens: 10 } }),
      report({ totals: { inputTokens: 150, outputTokens: 30 } }),
    );
    expect(usageView(ledger)).toMatchObject({ inputTokens: 150, outputTokens: 30 });
  });

  it("keeps a kind's last total when a report leaves the kind out", () => {
    const ledger = given(
      report({ totals: { inputTokens: 100, reasoningOutputTokens: 7 } }),
      report({ totals: { inputTokens: 120 } }),
    );
    expect(usageView(ledger)).toMatchObject({ inputTokens: 120, reasoningOutputTokens: 7 });
  });

  it("starts new totals when a running total drops, keeping the old ones", () => {
    const ledger = given(
      report({ totals: { inputTokens: 100, outputTokens: 10 } }),
      report({ totals: { inputTokens: 40, outputTokens: 4 } }),
      report({ totals: { inputTokens: 60, outputTokens: 9 } }),
    );
    // 100 + 60 and 10 + 9: the closed provider session and the current one.
    expect(usageView(ledger)).toMatchObject({ inputTokens: 160, outputTokens: 19 });
  });

  it("starts new totals for a new provider session, keeping the old ones", () => {
    const ledger = given(
      [report({ totals: { inputTokens: 100 } }), "session-1"],
      [report({ totals: { inputTokens: 130 } }), "session-2"],
    );
    expect(usageView(ledger).inputTokens).toBe(230);
  });

  it("keeps the current provider session when the caller does not know it, and names it when it learns it", () => {
    const ledger = given(
      report({ totals: { inputTokens: 100 } }),
      [report({ totals: { inputTokens: 110 } }), "session-1"],
      report({ totals: { inputTokens: 120 } }),
    );
    expect(usageView(ledger).inputTokens).toBe(120);
    expect(ledger.current.key).toBe("session-1");
  });

  it("takes a report whose running figures are all zero as saying nothing (Claude's crash and start-up results)", () => {
    const ledger = given(
      report({ totals: { inputTokens: 100 }, providerCost: { usd: 0.5, confidence: "high" } }),
      report({ totals: { inputTokens: 0, outputTokens: 0 }, providerCost: { usd: 0, confidence: "high" } }),
      report({ totals: { inputTokens: 140 }, providerCost: { usd: 0.75, confidence: "high" } }),
    );
    expect(usageView(ledger)).toMatchObject({ inputTokens: 140, costUsd: 0.75 });
  });
});

describe("increments", () => {
  it("counts a Claude message id once, taking the largest usage it was reported with", () => {
    const ledger = given(
      report({ increment: { key: "msg_1", tokens: { inputTokens: 50, outputTokens: 10 } } }),
      report({ increment: { key: "msg_1", tokens: { inputTokens: 50, outputTokens: 25 } } }),
      report({ increment: { key: "msg_1", tokens: { inputTokens: 50, outputTokens: 25 } } }),
      report({ increment: { key: "msg_2", tokens: { inputTokens: 70, outputTokens: 5 } } }),
    );
    expect(usageView(ledger)).toMatchObject({ inputTokens: 120, outputTokens: 30 });
  });

  it(`remembers the last ${MAX_COUNTED_INCREMENTS} keys: one seen again after that many others counts again`, () => {
    const keys = Array.from({ length: MAX_COUNTED_INCREMENTS + 1 }, (_, index) => `msg_${index}`);
    const once = keys.map((key) => report({ increment: { key, tokens: { outputTokens: 1 } } }));
    const ledger = given(...once, report({ increment: { key: "msg_0", tokens: { outputTokens: 1 } } }));
    expect(ledger.counted).toHaveLength(MAX_COUNTED_INCREMENTS);
    expect(usageView(ledger).outputTokens).toBe(MAX_COUNTED_INCREMENTS + 2);
  });

  it("keeps a key that keeps coming among the remembered ones", () => {
    const others = Array.from({ length: MAX_COUNTED_INCREMENTS * 2 }, (_, index) => [
      report({ increment: { key: `other_${index}`, tokens: { outputTokens: 1 } } }),
      report({ increment: { key: "busy", tokens: { outputTokens: 5 } } }),
    ]).flat();
    expect(usageView(given(...others)).outputTokens).toBe(MAX_COUNTED_INCREMENTS * 2 + 5);
  });

  it("takes a running total as standing for the increments before it, never adding them to it", () => {
    const ledger = given(
      report({ increment: { key: "msg_1", tokens: { inputTokens: 60, outputTokens: 10 } } }),
      report({ increment: { key: "msg_2", tokens: { inputTokens: 40, outputTokens: 10 } } }),
      report({ totals: { inputTokens: 120, outputTokens: 15 } }),
    );
    // Input: the total (120) over the increments (100); output: the increments (20) over the total (15), never less.
    expect(usageView(ledger)).toMatchObject({ inputTokens: 120, outputTokens: 20 });
    expect(ledger.pendingPrice?.tokens).toMatchObject({ inputTokens: 20, outputTokens: 0 });
  });

  it("adds the increments after a running total to it", () => {
    const ledger = given(
      report({ totals: { inputTokens: 1_000, outputTokens: 100 } }),
      report({ increment: { key: "msg_3", tokens: { inputTokens: 300, outputTokens: 20 } } }),
    );
    expect(usageView(ledger)).toMatchObject({ inputTokens: 1_300, outputTokens: 120 });
  });

  it("takes a report's own increment as part of its running total (a turn's usage beside the session's)", () => {
    const ledger = given(
      report({
        totals: { inputTokens: 500, outputTokens: 50 },
        increment: { key: "turn:1", tokens: { inputTokens: 200, outputTokens: 20 } },
      }),
    );
    expect(usageView(ledger)).toMatchObject({ inputTokens: 500, outputTokens: 50 });
  });
});

describe("the context window", () => {
  it("is the last call's used of its max, not the lifetime total", () => {
    const ledger = given(
      report({ totals: { inputTokens: 50_000 }, contextWindow: { used: 9_000, max: 200_000 } }),
      report({ totals: { inputTokens: 70_000 }, contextWindow: { used: 12_000, max: null } }),
    );
    expect(usageView(ledger)).toMatchObject({ inputTokens: 70_000, contextWindow: { used: 12_000, max: 200_000 } });
  });

  it("is unknown until a report says how much is used", () => {
    expect(usageView(given(report({ contextWindow: { used: null, max: 200_000 } }))).contextWindow).toBeNull();
  });
});

describe("cost", () => {
  it("leaves the tokens a report adds to the caller to price, and adds the price it records", () => {
    const ledger = given(report({ model: "gpt-5", totals: { inputTokens: 1_000, outputTokens: 100 } }));
    expect(ledger.pendingPrice).toEqual({
      model: "gpt-5",
      tokens: {
        inputTokens: 1_000,
        cacheReadInputTokens: 0,
        cacheCreationInputTokens: 0,
        outputTokens: 100,
        reasoningOutputTokens: 0,
      },
    });
    const charged = applyUsageCharge(ledger, priced(0.25));
    expect(charged.pendingPrice).toBeNull();
    expect(usageView(charged)).toMatchObject({
      costUsd: 0.25,
      cost: { source: "builtin-pricing", confidence: "high", pricingVersion: "table@1", model: "row-a" },
    });
  });

  it("adds only recorded prices: a charge with nothing to price changes nothing", () => {
    const ledger = applyUsageCharge(given(report({ totals: { inputTokens: 10 } })), priced(0.5));
    expect(applyUsageCharge(ledger, priced(0.5))).toBe(ledger);
    expect(usageView(ledger).costUsd).toBe(0.5);
  });

  it("takes the provider's cost over the table's, and prices nothing it covers", () => {
    const ledger = given(
      report({ totals: { inputTokens: 1_000 }, providerCost: { usd: 0.25, confidence: "high" } }),
      report({ totals: { inputTokens: 2_000 }, providerCost: { usd: 0.5, confidence: "high" } }),
    );
    expect(ledger.pendingPrice).toBeNull();
    expect(usageView(ledger)).toMatchObject({ costUsd: 0.5, cost: { source: "provider", pricingVersion: null } });
  });

  it("adds prices recorded since the provider's last figure, which its next figure replaces", () => {
    let ledger = given(report({ totals: { inputTokens: 1_000 }, providerCost: { usd: 0.5, confidence: "high" } }));
    ledger = applyUsageObservation(ledger, report({ increment: { key: "msg_9", tokens: { inputTokens: 10 } } }), null);
    ledger = applyUsageCharge(ledger, priced(0.125));
    expect(usageView(ledger).costUsd).toBe(0.625);
    ledger = applyUsageObservation(ledger, report({ providerCost: { usd: 0.75, confidence: "high" } }), null);
    expect(usageView(ledger)).toMatchObject({ costUsd: 0.75, cost: { source: "provider" } });
  });

  it("keeps counting the tokens of a model the table does not know, and says its cost is unknown, not 0", () => {
    const ledger = applyUsageCharge(
      given(report({ model: "mystery-1", totals: { inputTokens: 500, outputTokens: 50 } })),
      { source: "not-priced", model: "mystery-1" },
    );
    expect(usageView(ledger)).toMatchObject({
      inputTokens: 500,
      outputTokens: 50,
      costUsd: null,
      cost: { source: "not-priced", model: "mystery-1" },
    });
  });

  it("says the cost is unknown while tokens wait for a price, and when the caller never priced them", () => {
    const waiting = given(report({ totals: { inputTokens: 500 } }));
    expect(usageView(waiting).costUsd).toBeNull();
    const neverPriced = applyUsageObservation(waiting, report({ contextWindow: { used: 1, max: null } }), null);
    expect(neverPriced.pendingPrice).toBeNull();
    expect(usageView(neverPriced).costUsd).toBeNull();
  });

  it("keeps a closed provider session's cost beside the current one's", () => {
    let ledger = given([
      report({ totals: { inputTokens: 100 }, providerCost: { usd: 1.5, confidence: "high" } }),
      "s1",
    ]);
    ledger = applyUsageObservation(ledger, report({ totals: { inputTokens: 10 } }), "s2");
    ledger = applyUsageCharge(ledger, priced(0.25, "medium"));
    expect(usageView(ledger)).toMatchObject({
      inputTokens: 110,
      costUsd: 1.75,
      cost: { source: "builtin-pricing", confidence: "medium" },
    });
  });

  it("has no cost description before any usage", () => {
    expect(usageView(initialUsageLedger())).toMatchObject({ inputTokens: 0, costUsd: 0, cost: null });
  });
});

describe("a turn's usage", () => {
  it("is the difference between the totals kept at its start and those at its end", () => {
    let ledger = applyUsageCharge(given(report({ totals: { inputTokens: 100, outputTokens: 10 } })), priced(0.5));
    const start = usageTotals(ledger);
    ledger = applyUsageObservation(ledger, report({ totals: { inputTokens: 180, outputTokens: 25 } }), null);
    ledger = applyUsageCharge(ledger, priced(0.25));
    const turn = usageBetween(start, usageTotals(ledger));
    expect(turn.tokens).toMatchObject({ inputTokens: 80, outputTokens: 15 });
    expect(turn.costUsd).toBe(0.25);
  });

  it("has an unknown cost when either end's is unknown", () => {
    const start = usageTotals(given(report({ totals: { inputTokens: 100 } })));
    expect(usageBetween(start, start).costUsd).toBeNull();
  });
});
