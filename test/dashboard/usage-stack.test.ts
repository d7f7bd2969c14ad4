/** The usage page's chart as numbers: each day's cost stacked by provider or model, the costliest at the bottom. */
import { describe, expect, it } from "vitest";
import { rangeStart } from "../../src/contracts/days.ts";
import type { UsageRow } from "../../src/contracts/usage.ts";
import { daysBetween, MAX_SERIES, roundUp, stackByDay } from "../../src/dashboard/usage-stack.ts";

const row = (over: Partial<UsageRow> & { knownCostUsd: number }): UsageRow => ({
  inputTokens: 1_000,
  cachedInputTokens: 0,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 0,
  outputTokens: 100,
  reasoningOutputTokens: 0,
  costUsd: over.knownCostUsd,
  unpricedTokens: 0,
  sessions: 1,
  ...over,
});

/** Each day's segments as "series=known cost from its base". */
const bars = (stack: ReturnType<typeof stackByDay>) =>
  Object.fromEntries(
    stack.days.map((day) => [
      day.day,
      day.segments.map((segment) => `${segment.series.name}=${segment.knownCostUsd}@${segment.baseUsd}`),
    ]),
  );

describe("stackByDay", () => {
  it("stacks each day's cost by provider, the costliest provider of the range at the bottom, every day shown", () => {
    const rows = [
      row({ day: "2026-12-01", provider: "claude", knownCostUsd: 0.5 }),
      row({ day: "2026-12-01", provider: "codex", knownCostUsd: 0.25 }),
      row({ day: "2026-12-03", provider: "codex", knownCostUsd: 0.75 }),
    ];
    const stack = stackByDay(rows, "provider", "2026-11-30", "2026-12-03");
    // codex 1.00 over the range, claude 0.50: codex first.
    expect(stack.series.map((series) => [series.name, series.knownCostUsd, series.colour])).toEqual([
      ["codex", 1, 0],
      ["claude", 0.5, 1],
    ]);
    expect(bars(stack)).toEqual({
      "2026-11-30": [],
      "2026-12-01": ["codex=0.25@0", "claude=0.5@0.25"],
      "2026-12-02": [],
      "2026-12-03": ["codex=0.75@0"],
    });
    expect(stack.days.map((day) => day.knownCostUsd)).toEqual([0, 0.75, 0, 0.75]);
    // The costliest day is $0.75: the axis goes to $1.
    expect(stack.axisMaxUsd).toBe(1);
  });

  it("stacks by model when asked, a model none was named as its own series", () => {
    const rows = [
      row({ day: "2026-12-01", provider: "codex", model: "gpt-5", knownCostUsd: 0.03 }),
      row({ day: "2026-12-01", provider: "codex", model: null, knownCostUsd: 0.01 }),
    ];
    const stack = stackByDay(rows, "model", "2026-12-01", "2026-12-01");
    expect(bars(stack)).toEqual({ "2026-12-01": ["gpt-5=0.03@0", "=0.01@0.03"] });
    expect(stack.axisMaxUsd).toBe(0.05);
  });

  it("stacks the known part of a cost, and keeps it unknown where some tokens have no price", () => {
    const rows = [
      row({ day: "2026-12-01", provider: "codex", knownCostUsd: 0.02 }),
      row({ day: "2026-12-01", provider: "acme", costUsd: null, knownCostUsd: 0.01, unpricedTokens: 3_000 }),
      row({ day: "2026-12-02", provider: "acme", costUsd: null, knownCostUsd: 0, unpricedTokens: 500 }),
    ];
    const stack = stackByDay(rows, "provider", "2026-12-01", "2026-12-02");
    const [first, second] = stack.days;
    expect(first?.costUsd).toBeNull();
    expect(first?.knownCostUsd).toBeCloseTo(0.03, 12);
    expect(first?.unpricedTokens).toBe(3_000);
    expect(first?.segments.map((segment) => [segment.series.name, segment.costUsd])).toEqual([
      ["codex", 0.02],
      ["acme", null],
    ]);
    // A day whose only usage has no price: a segment of no height, still there to be named.
    expect(
      second?.segments.map((segment) => [segment.series.name, segment.knownCostUsd, segment.unpricedTokens]),
    ).toEqual([["acme", 0, 500]]);
    expect(stack.series.find((series) => series.name === "acme")?.costUsd).toBeNull();
  });

  it(`folds the cheapest series into "other" past ${MAX_SERIES} colours`, () => {
    const models = Array.from({ length: 10 }, (_, index) => `model-${index}`);
    // model-0 costs $0.10, model-1 $0.09, … model-9 $0.01.
    const rows = models.map((model, index) => row({ day: "2026-12-01", model, knownCostUsd: (10 - index) / 100 }));
    const stack = stackByDay(rows, "model", "2026-12-01", "2026-12-01");
    expect(stack.series.map((series) => series.name)).toEqual([...models.slice(0, 7), null]);
    const other = stack.series.at(-1);
    expect(other?.members).toBe(3);
    expect(other?.colour).toBe(MAX_SERIES - 1);
    // model-7, 8 and 9: $0.03 + $0.02 + $0.01.
    expect(other?.knownCostUsd).toBeCloseTo(0.06, 12);
    expect(other?.inputTokens).toBe(3_000);
    expect(stack.days[0]?.segments).toHaveLength(8);
    expect(stack.days[0]?.segments.at(-1)?.knownCostUsd).toBeCloseTo(0.06, 12);
  });

  it("draws no axis for a range without a cost", () => {
    const stack = stackByDay([], "provider", "2026-12-01", "2026-12-07");
    expect(stack.days).toHaveLength(7);
    expect(stack.series).toEqual([]);
    expect(stack.axisMaxUsd).toBe(0);
  });
});

describe("the range's days and the axis", () => {
  it("counts UTC days across a month's and a year's end", () => {
    expect(daysBetween("2026-12-30", "2027-01-02")).toEqual(["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]);
    expect(rangeStart("2027-01-02", 7)).toBe("2026-12-27");
    expect(rangeStart("2026-03-01", 30)).toBe("2026-01-31");
    expect(daysBetween(rangeStart("2026-12-06", 90), "2026-12-06")).toHaveLength(90);
  });

  it.each([
    [0.0078, 0.01],
    [0.031, 0.05],
    [0.5, 0.5],
    [0.5325, 1],
    [1.2875, 2],
    [3, 5],
    [12.5, 20],
    [60, 100],
  ])("puts the axis's top for a day of $%s at $%s", (usd, top) => {
    expect(roundUp(usd)).toBe(top);
  });
});
