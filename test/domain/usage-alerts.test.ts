/** USAGE_ALERT_USD in the domain: a notification at each upward crossing of the session's known cost, no other. */
import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import { decideBatch } from "../../src/domain/ingest.ts";
import { initialSession, type SessionState } from "../../src/domain/session.ts";
import type { UsageCharge } from "../../src/domain/usage.ts";
import { withUsageThresholdNotice } from "../../src/domain/usage-alerts.ts";
import type { UsageToCharge } from "../../src/domain/usage-facts.ts";
import { runtimeEvent } from "../support/events.ts";
import { T0 } from "../support/given.ts";

/** $1,000 a million tokens: 1,100 tokens cost $1.10. */
const pricer = ({ tokens, model }: UsageToCharge): UsageCharge => ({
  source: "builtin-pricing",
  costUsd: (tokens.inputTokens + tokens.outputTokens) / 1_000,
  confidence: "high",
  pricingVersion: "stand-in@1",
  model: model ?? "m",
});

const totals = (inputTokens: number, providerCostUsd?: number) =>
  runtimeEvent("thread.token-usage.updated", {
    usage: {
      usedTokens: 1,
      inputTokens,
      outputTokens: 0,
      ...(providerCostUsd === undefined
        ? {}
        : { cost: { currency: "USD", totalCostUsd: providerCostUsd, source: "provider", confidence: "high" } }),
    },
  });

/** The thresholds each event's commit announces, at $1. */
function announced(events: readonly RuntimeEvent[], thresholdUsd: number | null = 1): number[] {
  let state: SessionState = initialSession;
  const costs: number[] = [];
  for (const event of events) {
    const decision = decideBatch(state, [{ event, text: JSON.stringify(event) }], new Map(), T0, pricer);
    if (decision.kind !== "commit") throw new Error("conflict");
    const change = withUsageThresholdNotice(decision.change, {
      tenant: "acme",
      threadId: "t",
      notificationId: "n",
      thresholdUsd,
      now: T0,
    });
    for (const notification of change.notifications) costs.push(JSON.parse(notification.body).data.costUsd);
    state = change.state;
  }
  return costs;
}

describe("usage.threshold", () => {
  it("announces each upward crossing once: an estimate over it, the provider's lower figure, then over again", () => {
    const costs = announced([
      runtimeEvent("turn.started", { model: "m" }, { turnId: "t1" }),
      totals(500),
      totals(1_100),
      totals(1_200),
      totals(1_200, 0.8),
      totals(1_300, 1.3),
    ]);
    expect(costs).toEqual([1.1, 1.3]);
  });

  it("announces nothing without a threshold, or while the cost stays under it", () => {
    expect(announced([totals(5_000, 5)], null)).toEqual([]);
    expect(announced([totals(900, 0.9), totals(950, 0.99)])).toEqual([]);
  });
});
