import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyUsageCharge,
  applyUsageObservation,
  initialUsageLedger,
  MAX_COUNTED_INCREMENTS,
  TOKEN_KINDS,
  type UsageLedger,
} from "../../src/domain/usage.ts";
import { usageBetween, usageTotals, usageView } from "../../src/domain/usage-view.ts";
import { type OracleObservation, type OracleStep, UsageOracle } from "../support/usage-oracle.ts";

/** Small figures so histories rise, drop and repeat; costs in 64ths of a dollar so every sum is exact. */
const tokens = fc.record(
  {
    inputTokens: fc.nat({ max: 60 }),
    cacheReadInputTokens: fc.nat({ max: 20 }),
    cacheCreationInputTokens: fc.nat({ max: 20 }),
    outputTokens: fc.nat({ max: 40 }),
    reasoningOutputTokens: fc.nat({ max: 10 }),
  },
  { requiredKeys: [] },
);
const dollars = fc.nat({ max: 640 }).map((sixtyFourths) => sixtyFourths / 64);
const confidence = fc.constantFrom("exact" as const, "high" as const, "medium" as const, "low" as const);

/** Fewer keys than MAX_COUNTED_INCREMENTS, so the bounded window never forgets one (its bound has its own test). */
const KEYS = ["msg-1", "msg-2", "msg-3", "msg-4", "msg-5", "turn-1", "turn-2"];

const observation: fc.Arbitrary<OracleObservation> = fc.record({
  model: fc.constantFrom(null, "model-a", "model-b"),
  totals: fc.oneof(
    { weight: 3, arbitrary: tokens },
    { weight: 1, arbitrary: fc.constant({ inputTokens: 0, outputTokens: 0 }) },
    { weight: 2, arbitrary: fc.constant(null) },
  ),
  increment: fc.option(fc.record({ key: fc.constantFrom(...KEYS), tokens }), { freq: 2 }),
  providerCost: fc.option(fc.record({ usd: dollars, confidence }), { freq: 3 }),
  contextWindow: fc.option(
    fc.record({ used: fc.option(fc.nat({ max: 200 })), max: fc.option(fc.constantFrom(100, 200, 400)) }),
  ),
});

const charge = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      source: fc.constant("builtin-pricing" as const),
      costUsd: dollars,
      confidence,
      pricingVersion: fc.constantFrom("table@1", "table@2"),
      model: fc.constantFrom("row-a", "row-b"),
    }),
  },
  { weight: 1, arbitrary: fc.record({ source: fc.constant("not-priced" as const), model: fc.constant(null) }) },
);

const step: fc.Arbitrary<OracleStep> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("report" as const),
      observation,
      session: fc.constantFrom(null, null, null, "session-1", "session-2", "session-3"),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("price" as const), charge }) },
);
const history = fc.array(step, { maxLength: 40 });

function fold(ledger: UsageLedger, next: OracleStep): UsageLedger {
  return next.kind === "report"
    ? applyUsageObservation(ledger, next.observation, next.session)
    : applyUsageCharge(ledger, next.charge);
}

describe("the usage ledger against its oracle", () => {
  it("shows what the rules say after every step of any history", () => {
    expect(KEYS.length).toBeLessThan(MAX_COUNTED_INCREMENTS);
    fc.assert(
      fc.property(history, (steps) => {
        const oracle = new UsageOracle();
        let ledger = initialUsageLedger();
        for (const next of steps) {
          ledger = fold(ledger, next);
          oracle.step(next);
          expect(usageView(ledger)).toEqual(oracle.view());
          expect(ledger.pendingPrice).toEqual(oracle.pending);
        }
      }),
    );
  }, 20_000);

  it("never loses tokens: every kind only grows, and a turn's usage is the difference of its two ends", () => {
    fc.assert(
      fc.property(history, fc.nat(), fc.nat(), (steps, a, b) => {
        const oracle = new UsageOracle();
        let ledger = initialUsageLedger();
        const totals = [usageTotals(ledger)];
        const expected = [oracle.tokens()];
        for (const next of steps) {
          ledger = fold(ledger, next);
          oracle.step(next);
          totals.push(usageTotals(ledger));
          expected.push(oracle.tokens());
        }
        const [start, end] = [a % totals.length, b % totals.length].sort((x, y) => x - y) as [number, number];
        const turn = usageBetween(totals[start] as never, totals[end] as never);
        for (const kind of TOKEN_KINDS) {
          const [from, to] = [expected[start]?.[kind] ?? 0, expected[end]?.[kind] ?? 0];
          expect(to).toBeGreaterThanOrEqual(from);
          expect(turn.tokens[kind]).toBe(to - from);
        }
      }),
    );
  }, 20_000);

  it("is plain JSON: a ledger read back from its snapshot folds on to the same ledger", () => {
    fc.assert(
      fc.property(history, (steps) => {
        let ledger = initialUsageLedger();
        for (const next of steps) {
          const stored = JSON.parse(JSON.stringify(ledger)) as UsageLedger;
          expect(stored).toEqual(ledger);
          ledger = fold(ledger, next);
          expect(fold(stored, next)).toEqual(ledger);
        }
      }),
    );
  }, 20_000);
});
