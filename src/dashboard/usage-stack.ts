/**
 * The usage page's chart as numbers, before any drawing: every day of the range with its cost stacked by provider or
 * model (the costliest series at the bottom, the smallest folded into "other" past the colours there are), and the
 * top of the axis.
 */
import type { UsageRow } from "../client/index.ts";
import { DAY_MS, utcDay } from "../contracts/days.ts";
import type { UsageSeries } from "./route.ts";

/** Colours the chart has for series; past them, the smallest series are one "other". */
export const MAX_SERIES = 8;

/** The figures a row, a segment or a series sums: tokens and the cost, of which the known part. */
export interface Figures {
  inputTokens: number;
  outputTokens: number;
  knownCostUsd: number;
  unpricedTokens: number;
  /** null when some tokens have no price (unknown, never 0). */
  costUsd: number | null;
}

export interface Series extends Figures {
  /** The provider or model, as the rows name it ("" for a model none was named); null for "other". */
  name: string | null;
  /** Its colour, 0 to MAX_SERIES − 1; "other" always has the last. */
  colour: number;
  /** How many series "other" holds; 1 for any other. */
  members: number;
}

export interface Segment extends Figures {
  series: Series;
  /** The known cost below it in the day's stack. */
  baseUsd: number;
}

export interface DayStack extends Figures {
  day: string;
  segments: Segment[];
}

export interface UsageStack {
  days: DayStack[];
  /** Bottom to top, as they stack, and as the legend lists them. */
  series: Series[];
  /** The axis's top: a round figure at or above the costliest day. */
  axisMaxUsd: number;
}

const EMPTY: Figures = { inputTokens: 0, outputTokens: 0, knownCostUsd: 0, unpricedTokens: 0, costUsd: 0 };

export function addFigures(a: Figures, b: Figures): Figures {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    knownCostUsd: a.knownCostUsd + b.knownCostUsd,
    unpricedTokens: a.unpricedTokens + b.unpricedTokens,
    costUsd: a.costUsd === null || b.costUsd === null ? null : a.costUsd + b.costUsd,
  };
}

/** What a row of `groupBy=day,<series>` is stacked by. */
export function seriesName(row: UsageRow, by: UsageSeries): string {
  switch (by) {
    case "provider":
      return row.provider ?? "";
    case "model":
      return row.model ?? "";
    default:
      return by satisfies never;
  }
}

/** Stacks `groupBy=day,<by>` rows over every day from `from` to `to`, days with no usage included. */
export function stackByDay(rows: readonly UsageRow[], by: UsageSeries, from: string, to: string): UsageStack {
  const totals = new Map<string, Figures>();
  for (const row of rows) {
    const name = seriesName(row, by);
    totals.set(name, addFigures(totals.get(name) ?? EMPTY, figuresOf(row)));
  }
  const ranked = [...totals].sort(
    ([a, x], [b, y]) => y.knownCostUsd - x.knownCostUsd || y.unpricedTokens - x.unpricedTokens || a.localeCompare(b),
  );
  const kept = ranked.length <= MAX_SERIES ? ranked : ranked.slice(0, MAX_SERIES - 1);
  const series: Series[] = kept.map(([name, figures], colour) => ({ ...figures, name, colour, members: 1 }));
  const rest = ranked.slice(kept.length);
  const other: Series | null =
    rest.length === 0
      ? null
      : {
          ...rest.reduce((sum, [, figures]) => addFigures(sum, figures), EMPTY),
          name: null,
          colour: MAX_SERIES - 1,
          members: rest.length,
        };
  if (other !== null) series.push(other);
  const seriesOf = new Map(series.flatMap((one) => (one.name === null ? [] : [[one.name, one] as const])));

  const byDay = new Map<string, Map<Series, Figures>>();
  for (const row of rows) {
    if (row.day === undefined) continue;
    const one = seriesOf.get(seriesName(row, by)) ?? other;
    if (one === null) continue;
    const day = byDay.get(row.day) ?? new Map<Series, Figures>();
    day.set(one, addFigures(day.get(one) ?? EMPTY, figuresOf(row)));
    byDay.set(row.day, day);
  }
  const days = daysBetween(from, to).map((day): DayStack => {
    const figures = byDay.get(day);
    let baseUsd = 0;
    const segments: Segment[] = [];
    for (const one of series) {
      const segment = figures?.get(one);
      if (segment === undefined) continue;
      segments.push({ ...segment, series: one, baseUsd });
      baseUsd += segment.knownCostUsd;
    }
    return { day, segments, ...segments.reduce<Figures>((sum, segment) => addFigures(sum, segment), EMPTY) };
  });
  return { days, series, axisMaxUsd: roundUp(Math.max(0, ...days.map((day) => day.knownCostUsd))) };
}

function figuresOf(row: UsageRow): Figures {
  const { inputTokens, outputTokens, knownCostUsd, unpricedTokens, costUsd } = row;
  return { inputTokens, outputTokens, knownCostUsd, unpricedTokens, costUsd };
}

/** Every UTC day from `from` to `to`, both included (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= Date.parse(`${to}T00:00:00Z`); at += DAY_MS) {
    days.push(utcDay(at));
  }
  return days;
}

/** 1, 2 or 5 times a power of ten, at or above `usd`: an axis whose half and top read as round figures. */
export function roundUp(usd: number): number {
  if (usd <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(usd));
  const step = [1, 2, 5, 10].find((multiple) => multiple * power >= usd * (1 - 1e-12)) ?? 10;
  return Number((step * power).toPrecision(12));
}
