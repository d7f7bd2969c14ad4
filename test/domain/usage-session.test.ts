/**
 * Usage in the session: the reports a session's events carry reach its view, a price is looked up once when the
 * tokens arrive and logged as a service entry, and the log alone (a refold, a new deploy) gives the same figures
 * without pricing anything again. The price table here is the test's own, so each expected cost is worked out by hand.
 */
import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import { foldLog, type StoredEntry } from "../../src/domain/event-log.ts";
import { decideBatch } from "../../src/domain/ingest.ts";
import { initialSession, type SessionState } from "../../src/domain/session.ts";
import { usageShown } from "../../src/domain/session-view.ts";
import type { UsageCharge } from "../../src/domain/usage.ts";
import type { UsagePricer, UsageToCharge } from "../../src/domain/usage-facts.ts";
import { ev, runtimeEvent } from "../support/events.ts";
import { T0 } from "../support/given.ts";

/** A stand-in table: $2 a million tokens of any kind for `model-a`, nothing known of any other model. */
function standInPricer(): UsagePricer & { calls: UsageToCharge[] } {
  const calls: UsageToCharge[] = [];
  const pricer = (usage: UsageToCharge): UsageCharge => {
    calls.push(usage);
    if (usage.model !== "model-a") return { source: "not-priced", model: usage.model };
    const { inputTokens, outputTokens } = usage.tokens;
    const costUsd = ((inputTokens + outputTokens) * 2) / 1e6;
    return { source: "builtin-pricing", costUsd, confidence: "high", pricingVersion: "stand-in@1", model: "model-a" };
  };
  return Object.assign(pricer, { calls });
}

/** Ingests the events one request each, as an orchestrator would, and returns the state and the whole log. */
function ingestAll(events: readonly RuntimeEvent[], pricer: UsagePricer) {
  let state: SessionState = initialSession;
  const log: StoredEntry[] = [];
  events.forEach((event, index) => {
    const decision = decideBatch(state, [{ event, text: JSON.stringify(event) }], new Map(), T0 + index, pricer);
    if (decision.kind !== "commit") throw new Error("conflict");
    state = decision.change.state;
    log.push(...decision.change.entries);
  });
  return { state, log };
}

/** A T3 Code `ThreadTokenUsageSnapshot` of running totals. */
const snapshot = (inputTokens: number, outputTokens: number, extra: Record<string, unknown> = {}) =>
  runtimeEvent("thread.token-usage.updated", { usage: { usedTokens: 5_000, inputTokens, outputTokens, ...extra } });

describe("usage in the session", () => {
  it("prices each report's new tokens once, logs the price after it, and takes running totals, never adds them", () => {
    const pricer = standInPricer();
    const { state, log } = ingestAll(
      [
        ev.sessionStarted(),
        runtimeEvent("turn.started", { model: "model-a" }, { turnId: "t1" }),
        snapshot(1_000, 200, { maxTokens: 200_000 }),
        snapshot(3_000, 500),
      ],
      pricer,
    );
    // Priced: 1,200 tokens, then the 2,300 more the second total holds.
    expect(pricer.calls.map((call) => [call.model, call.tokens.inputTokens, call.tokens.outputTokens])).toEqual([
      ["model-a", 1_000, 200],
      ["model-a", 2_000, 300],
    ]);
    expect(log.map((entry) => [entry.origin, entry.event.type])).toEqual([
      ["provider", "session.started"],
      ["provider", "turn.started"],
      ["provider", "thread.token-usage.updated"],
      ["service", "usage.priced"],
      ["provider", "thread.token-usage.updated"],
      ["service", "usage.priced"],
    ]);
    const usage = usageShown(state);
    expect(usage).toMatchObject({
      inputTokens: 3_000,
      outputTokens: 500,
      contextWindow: { used: 5_000, max: 200_000 },
      cost: { source: "builtin-pricing", pricingVersion: "stand-in@1", model: "model-a" },
    });
    expect(usage?.costUsd).toBeCloseTo((3_500 * 2) / 1e6, 12);
  });

  it("gives the same figures from the log alone, without looking a price up again", () => {
    const pricer = standInPricer();
    const { state, log } = ingestAll(
      [runtimeEvent("turn.started", { model: "model-a" }, { turnId: "t1" }), snapshot(4_000, 1_000)],
      pricer,
    );
    const calls = pricer.calls.length;
    const refolded = foldLog(log);
    expect(usageShown(refolded)).toEqual(usageShown(state));
    expect(pricer.calls).toHaveLength(calls);
  });

  it("takes the provider's cost over any price, and looks none up", () => {
    const pricer = standInPricer();
    const cost = { currency: "USD", totalCostUsd: 0.42, source: "provider", confidence: "exact", components: [] };
    const { state, log } = ingestAll(
      [runtimeEvent("turn.started", { model: "model-a" }, { turnId: "t1" }), snapshot(1_000, 100, { cost })],
      pricer,
    );
    expect(pricer.calls).toEqual([]);
    expect(log.some((entry) => entry.origin === "service")).toBe(false);
    expect(usageShown(state)).toMatchObject({ costUsd: 0.42, cost: { source: "provider", confidence: "exact" } });
  });

  it("counts the tokens of a model the table does not know, and calls its cost unknown, not 0", () => {
    const pricer = standInPricer();
    const { state, log } = ingestAll(
      [runtimeEvent("turn.started", { model: "model-z" }, { turnId: "t1" }), snapshot(800, 50)],
      pricer,
    );
    expect(log.at(-1)?.event).toMatchObject({
      type: "usage.priced",
      payload: { source: "not-priced", model: "model-z" },
    });
    expect(usageShown(state)).toMatchObject({
      inputTokens: 800,
      outputTokens: 50,
      costUsd: null,
      cost: { source: "not-priced" },
    });
  });

  it("keeps a provider session's totals when the next one starts its own, even above the first one's", () => {
    const pricer = standInPricer();
    const { state } = ingestAll(
      [
        runtimeEvent("thread.started", { providerThreadId: "native-1" }),
        runtimeEvent("turn.started", { model: "model-a" }, { turnId: "t1" }),
        snapshot(1_000, 100),
        runtimeEvent("thread.started", { providerThreadId: "native-2" }),
        snapshot(1_500, 150),
      ],
      pricer,
    );
    expect(usageShown(state)).toMatchObject({ inputTokens: 2_500, outputTokens: 250 });
    expect(usageShown(state)?.costUsd).toBeCloseTo((2_750 * 2) / 1e6, 12);
  });

  it("reads docs/usage.md's Claude session: modelUsage's running totals and the provider's running cost", () => {
    const pricer = standInPricer();
    const o = { provider: "claude" };
    const result = (usage: object, modelUsage: object, totalCostUsd: number, turnId: string) =>
      runtimeEvent(
        "thread.token-usage.updated",
        { usage: { usage, modelUsage: { "claude-sonnet-4-5": modelUsage }, totalCostUsd, costSource: "provider" } },
        { ...o, turnId },
      );
    const { state } = ingestAll(
      [
        runtimeEvent("session.started", { model: "claude-sonnet-4-5", providerSessionId: "sess-1" }, o),
        result(
          { input_tokens: 12, cache_read_input_tokens: 20_000, cache_creation_input_tokens: 3_000, output_tokens: 800 },
          { inputTokens: 12, cacheReadInputTokens: 20_000, cacheCreationInputTokens: 3_000, outputTokens: 800 },
          0.0301,
          "u1",
        ),
        result(
          { input_tokens: 5, cache_read_input_tokens: 23_000, cache_creation_input_tokens: 1_000, output_tokens: 400 },
          { inputTokens: 17, cacheReadInputTokens: 43_000, cacheCreationInputTokens: 4_000, outputTokens: 1_200 },
          0.0502,
          "u2",
        ),
      ],
      pricer,
    );
    // Input with the cache inside it: 17 + 43,000 + 4,000; the second turn's own `usage` is inside the totals.
    expect(usageShown(state)).toMatchObject({
      inputTokens: 47_017,
      cacheReadInputTokens: 43_000,
      cacheCreationInputTokens: 4_000,
      outputTokens: 1_200,
      costUsd: 0.0502,
      cost: { source: "provider", model: "claude-sonnet-4-5" },
    });
    expect(pricer.calls).toEqual([]);
  });

  it("shows no usage before a provider reports any", () => {
    const { state } = ingestAll([ev.sessionStarted(), ev.turnStarted("t1")], standInPricer());
    expect(usageShown(state)).toBeNull();
  });
});
