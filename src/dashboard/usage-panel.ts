/**
 * A session's usage beside its card: tokens by kind, the context window as a gauge, and the cost with where it came
 * from. Hidden until a provider reports usage; the words are the CLI's (src/client/usage-text.ts).
 */
import type { SessionView } from "../client/index.ts";
import { contextText, costAmountText, costSourceText, tokenCount } from "../client/usage-text.ts";
import { h, part, setProviderText, setText } from "./dom.ts";

type Usage = NonNullable<SessionView["usage"]>;

/** Token counts by kind; "of which" rows are parts of the row above them (never added to it). */
const TOKENS = [
  ["input", "Input", (usage: Usage) => usage.inputTokens],
  ["cached", "of which cached", (usage: Usage) => usage.cacheReadInputTokens],
  ["cache-writes", "Cache writes", (usage: Usage) => usage.cacheCreationInputTokens],
  ["output", "Output", (usage: Usage) => usage.outputTokens],
  ["reasoning", "of which reasoning", (usage: Usage) => usage.reasoningOutputTokens],
] as const;

/** From this share of the window on, the gauge turns amber, then red: a long session nears its compaction. */
const HIGH = 0.8;
const FULL = 0.95;

export class UsagePanel {
  readonly element: HTMLElement;

  constructor() {
    this.element = h(
      "section",
      { class: "card usage", "aria-labelledby": "usage-title", hidden: true },
      h("h2", { id: "usage-title" }, "Usage"),
      h(
        "div",
        { class: "usage-parts" },
        h(
          "div",
          { class: "usage-part" },
          h("h3", {}, "Tokens"),
          h(
            "dl",
            { class: "usage-tokens" },
            ...TOKENS.map(([key, label]) =>
              h(
                "div",
                { class: label.startsWith("of which") ? "usage-share" : undefined },
                h("dt", {}, label),
                h("dd", {}, h("data", { "data-field": key })),
              ),
            ),
          ),
        ),
        h(
          "div",
          { class: "usage-part" },
          h("h3", { id: "usage-context-label" }, "Context window"),
          h(
            "div",
            {
              class: "gauge",
              role: "meter",
              "aria-labelledby": "usage-context-label",
              "aria-valuemin": 0,
              hidden: true,
            },
            h("div", { class: "gauge-fill" }),
          ),
          h("p", { class: "usage-context", "data-field": "context" }),
          h("p", { class: "hint" }, "the last call's tokens in the model's window"),
        ),
        h(
          "div",
          { class: "usage-part" },
          h("h3", {}, "Cost"),
          h(
            "p",
            { class: "usage-cost", "data-field": "cost" },
            h("span", { class: "cost-amount" }),
            h("span", { class: "cost-separator" }),
            h("span", { class: "cost-source" }),
          ),
        ),
      ),
    );
  }

  update(usage: Usage | null): void {
    this.element.hidden = usage === null;
    if (usage === null) return;
    for (const [key, , tokens] of TOKENS) {
      const element = part<HTMLDataElement>(this.element, `[data-field="${key}"]`);
      const count = tokens(usage);
      if (element.value !== String(count)) element.value = String(count);
      element.title = `${count.toLocaleString()} tokens`;
      setText(element, tokenCount(count));
    }
    this.#renderGauge(usage);
    const amount = part(this.element, ".cost-amount");
    setText(amount, costAmountText(usage));
    amount.dataset.known = String(usage.costUsd !== null);
    const source = costSourceText(usage);
    setText(part(this.element, ".cost-separator"), source === "" ? "" : " · ");
    // The source names the model a provider reported: shown as provider text is.
    setProviderText(part(this.element, ".cost-source"), source);
  }

  /** A bar of used/max with its words beside it; the words alone when the window's size is unknown. */
  #renderGauge(usage: Usage): void {
    const gauge = part(this.element, ".gauge");
    const window = usage.contextWindow;
    const words = window === null ? "not reported" : contextText(usage);
    setText(part(this.element, ".usage-context"), words);
    const max = window?.max ?? null;
    gauge.hidden = window === null || max === null || max === 0;
    if (window === null || max === null || max === 0) return;
    const share = Math.min(1, window.used / max);
    gauge.setAttribute("aria-valuemax", String(max));
    gauge.setAttribute("aria-valuenow", String(Math.min(window.used, max)));
    gauge.setAttribute("aria-valuetext", words);
    gauge.dataset.level = share >= FULL ? "full" : share >= HIGH ? "high" : "ok";
    part(this.element, ".gauge-fill").style.width = `${(share * 100).toFixed(1)}%`;
  }
}
