/**
 * The usage page's chart: cost per day as stacked bars in plain inline SVG, drawn to the width it is given (so its
 * words stay readable at a phone's width), with a legend and the same figures as a table. Each segment is an image
 * named by its day, series and cost, so the chart reads without sight too.
 */
import { knownCostText, tokenCount, unpricedText } from "../client/usage-text.ts";
import { h, providerText, svg } from "./dom.ts";
import type { UsageSeries } from "./route.ts";
import type { DayStack, Figures, Segment, Series, UsageStack } from "./usage-stack.ts";
import { visibleText } from "./visible-text.ts";

const HEIGHT = 220;
const MARGIN = { top: 14, right: 8, bottom: 24, left: 56 };
/** Room for one day's label on the axis; past it, every other (third, …) day is labelled, counted from today. */
const LABEL_PX = 56;

export class UsageChart {
  readonly element: HTMLElement;
  readonly #plot: HTMLElement;
  readonly #legend: HTMLUListElement;
  readonly #table: HTMLTableElement;
  #stack: UsageStack | null = null;
  #by: UsageSeries = "provider";
  #drawnWidth = 0;

  constructor() {
    this.#plot = h("div", { class: "chart-plot" });
    this.#legend = h("ul", { class: "legend", "aria-label": "Legend" });
    this.#table = h("table", { class: "chart-figures" });
    this.element = h(
      "figure",
      { class: "chart" },
      this.#plot,
      this.#legend,
      h("details", { class: "chart-details" }, h("summary", {}, "The figures as a table"), this.#table),
    );
    new ResizeObserver(() => this.#draw()).observe(this.#plot);
  }

  update(stack: UsageStack, by: UsageSeries): void {
    this.#stack = stack;
    this.#by = by;
    this.#drawnWidth = 0;
    this.#draw();
    this.#legend.replaceChildren(...stack.series.map((series) => legendItem(series, by)));
    this.#table.replaceChildren(...figuresTable(stack, by));
  }

  #draw(): void {
    const width = Math.floor(this.#plot.clientWidth);
    if (this.#stack === null || width === 0 || width === this.#drawnWidth) return;
    this.#drawnWidth = width;
    this.#plot.replaceChildren(chartSvg(this.#stack, this.#by, width));
  }
}

/** "codex", "gpt-5", "no model named", "3 others". */
export function seriesLabel(series: Series, by: UsageSeries): string {
  if (series.name === null) return `${series.members} others`;
  if (series.name === "") return by === "model" ? "no model named" : "no provider named";
  return series.name;
}

/** "2026-12-06, codex: $0.0310", "2026-12-06, claude: at least $0.50, 3k tokens without a price". */
export function segmentLabel(day: string, segment: Segment, by: UsageSeries): string {
  const unpriced = unpricedText(segment);
  const name = visibleText(seriesLabel(segment.series, by));
  return `${day}, ${name}: ${knownCostText(segment)}${unpriced === "" ? "" : `, ${unpriced}`}`;
}

function chartSvg(stack: UsageStack, by: UsageSeries, width: number): SVGSVGElement {
  const plotWidth = Math.max(1, width - MARGIN.left - MARGIN.right);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const max = stack.axisMaxUsd;
  const y = (usd: number) => MARGIN.top + plotHeight * (max === 0 ? 1 : 1 - usd / max);
  const slot = plotWidth / stack.days.length;
  const barWidth = Math.max(1, Math.min(slot * 0.7, 48));
  const every = Math.ceil(stack.days.length / Math.max(1, Math.floor(plotWidth / LABEL_PX)));
  const last = stack.days.length - 1;

  const grid = [0, max / 2, max].map((usd) =>
    svg(
      "g",
      { class: "chart-grid" },
      svg("line", { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(usd), y2: y(usd) }),
      svg(
        "text",
        { x: MARGIN.left - 6, y: y(usd), "text-anchor": "end", "dominant-baseline": "middle" },
        axisText(usd),
      ),
    ),
  );
  const bars = stack.days.map((day, index) => {
    const x = MARGIN.left + index * slot + (slot - barWidth) / 2;
    return svg(
      "g",
      { class: "chart-day", "data-day": day.day },
      ...day.segments.map((segment) => segmentRect(day, segment, by, x, barWidth, y)),
      ...(day.unpricedTokens > 0 ? [unpricedMark(day, x + barWidth / 2, y(day.knownCostUsd))] : []),
    );
  });
  const labels = stack.days.flatMap((day, index) =>
    (last - index) % every === 0
      ? [
          svg(
            "text",
            { x: MARGIN.left + (index + 0.5) * slot, y: HEIGHT - 6, "text-anchor": "middle" },
            dayText(day.day),
          ),
        ]
      : [],
  );
  return svg(
    "svg",
    {
      class: "chart-svg",
      width,
      height: HEIGHT,
      viewBox: `0 0 ${width} ${HEIGHT}`,
      role: "group",
      "aria-label": `Cost per day by ${by}`,
    },
    svg("g", { "aria-hidden": "true" }, ...grid),
    ...bars,
    svg("g", { class: "chart-axis", "aria-hidden": "true" }, ...labels),
  );
}

function segmentRect(
  day: DayStack,
  segment: Segment,
  by: UsageSeries,
  x: number,
  width: number,
  y: (usd: number) => number,
): SVGRectElement {
  const top = y(segment.baseUsd + segment.knownCostUsd);
  const label = segmentLabel(day.day, segment, by);
  return svg(
    "rect",
    {
      class: `segment series-${segment.series.colour}`,
      x,
      y: top,
      width,
      height: Math.max(0, y(segment.baseUsd) - top),
      role: "img",
      "aria-label": label,
      "data-series": segment.series.name ?? "",
    },
    svg("title", {}, label),
  );
}

/** A day some of whose tokens have no price: its bar is the known part, and a mark above it says more was spent. */
function unpricedMark(day: DayStack, x: number, top: number): SVGTextElement {
  return svg(
    "text",
    { class: "unpriced-mark", x, y: top - 3, "text-anchor": "middle", "aria-hidden": "true" },
    "?",
    svg("title", {}, `${day.day}: ${unpricedText(day)}`),
  );
}

function axisText(usd: number): string {
  return usd === 0 ? "$0" : knownCostText({ costUsd: usd, knownCostUsd: usd, unpricedTokens: 0 });
}

/** "Dec 6": the axis's label of a UTC day (the labels of the segments say the whole day). */
function dayText(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, {
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });
}

function legendItem(series: Series, by: UsageSeries): HTMLLIElement {
  return h(
    "li",
    { "data-series": series.name ?? "" },
    h("span", { class: `swatch series-${series.colour}`, "aria-hidden": "true" }),
    h("span", { class: "legend-name" }, providerText(seriesLabel(series, by))),
    h("span", { class: "legend-cost" }, knownCostText(series)),
  );
}

/** Day, series, cost and tokens: one row a segment, days with no usage left out. */
function figuresTable(stack: UsageStack, by: UsageSeries): HTMLElement[] {
  const head = h(
    "thead",
    {},
    h(
      "tr",
      {},
      ...["Day", by === "model" ? "Model" : "Provider", "Cost", "Tokens in", "Tokens out"].map((label, column) =>
        h("th", { scope: "col", class: column > 1 ? "number" : undefined }, label),
      ),
    ),
  );
  const rows = stack.days.flatMap((day) =>
    day.segments.map((segment) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, day.day),
        h("td", {}, providerText(seriesLabel(segment.series, by))),
        h("td", { class: "number" }, figuresCost(segment)),
        h("td", { class: "number" }, tokenCount(segment.inputTokens)),
        h("td", { class: "number" }, tokenCount(segment.outputTokens)),
      ),
    ),
  );
  return [head, h("tbody", {}, ...rows)];
}

function figuresCost(figures: Figures): string {
  const unpriced = unpricedText(figures);
  return unpriced === "" ? knownCostText(figures) : `${knownCostText(figures)} (${unpriced})`;
}
