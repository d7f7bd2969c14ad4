/**
 * The tenant's usage page (`/usage?days=30&by=provider`): the range's totals, its cost per day stacked by provider or
 * model, and the costliest sessions, from `GET /v1/usage`. The directory's changes (a turn's end carries the session's
 * usage there) bring a new read once they settle, so the page stays current without a reload.
 */
import type { UsageReply, UsageRow } from "../client/index.ts";
import { ProblemError } from "../client/index.ts";
import { knownCostText, tokenCount, tokensText, unpricedText } from "../client/usage-text.ts";
import { rangeStart, utcDay } from "../contracts/days.ts";
import { MAX_USAGE_ROWS } from "../contracts/limits.ts";
import { DASHBOARD_RETRY } from "./connection.ts";
import { h, part, providerText, setText } from "./dom.ts";
import { Refresher } from "./refresher.ts";
import { sessionPagePath, USAGE_DAYS, USAGE_SERIES, type UsageDays, type UsageSeries, usagePagePath } from "./route.ts";
import { UsageChart } from "./usage-chart.ts";
import { stackByDay } from "./usage-stack.ts";
import { keepFollowing, type View, type ViewContext } from "./view.ts";

/** The service's most rows a report: 90 days × models fit. */
const ROWS = MAX_USAGE_ROWS;
const TOP_SESSIONS = 10;
/** Each session's usage reaches the directory with its changes: read again once they settle. */
const USAGE_REFRESH = { quietMs: 1000, maxWaitMs: 5000 };

export function usageView(initial: { days: UsageDays; by: UsageSeries }, context: ViewContext): View {
  const { client } = context;
  const controller = new AbortController();
  const { signal } = controller;
  const shown = { ...initial };
  const chart = new UsageChart();
  const element = h(
    "div",
    { class: "usage-page" },
    h("a", { href: "/", "data-link": true, class: "back" }, "← All sessions"),
    h("h1", {}, "Usage"),
    h(
      "div",
      { class: "filters" },
      choices(
        "Range",
        "days",
        USAGE_DAYS,
        shown.days,
        (days) => `${days} days`,
        (days) => change({ days }),
      ),
      choices(
        "Stack by",
        "by",
        USAGE_SERIES,
        shown.by,
        (by) => `by ${by}`,
        (by) => change({ by }),
      ),
    ),
    h("p", { class: "hint usage-range", "aria-live": "polite" }),
    h("p", { class: "usage-problem error", role: "status" }),
    h("p", { class: "empty", hidden: true }, "No usage in these days."),
    h(
      "section",
      { class: "card usage-totals", "aria-labelledby": "totals-title", hidden: true },
      h("h2", { id: "totals-title" }, "Totals"),
      h(
        "dl",
        { class: "fields" },
        ...[
          ["cost", "Cost"],
          ["tokens", "Tokens"],
          ["unpriced", "Without a price"],
          ["sessions", "Sessions"],
        ].map(([key, label]) => h("div", { "data-total": key }, h("dt", {}, label), h("dd", {}))),
      ),
    ),
    h(
      "section",
      { class: "card usage-chart", "aria-labelledby": "chart-title", hidden: true },
      h("h2", { id: "chart-title" }),
      chart.element,
    ),
    h(
      "section",
      { class: "card top-sessions", "aria-labelledby": "top-title", hidden: true },
      h("h2", { id: "top-title" }, "Costliest sessions"),
      h(
        "div",
        { class: "table-scroller" },
        h(
          "table",
          { "aria-labelledby": "top-title" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              // The figures' heads aligned as the figures are.
              ...["Session", "Cost", "Tokens in", "Tokens out"].map((label, column) =>
                h("th", { scope: "col", class: column > 0 ? "number" : undefined }, label),
              ),
            ),
          ),
          h("tbody", {}),
        ),
      ),
    ),
  );

  const change = (next: Partial<typeof shown>) => {
    Object.assign(shown, next);
    // Replaced, not pushed, as the list's filters are: Back leaves the page.
    history.replaceState(history.state, "", usagePagePath(shown));
    refresher.now();
  };

  const read = async () => {
    const asked = { ...shown };
    const to = utcDay(Date.now());
    const from = rangeStart(to, asked.days);
    try {
      const range = { from, to, signal };
      const [byDay, top] = await Promise.all([
        client.usage({ ...range, groupBy: ["day", asked.by], limit: ROWS }),
        client.usage({ ...range, groupBy: ["thread"], limit: TOP_SESSIONS }),
      ]);
      // A read for a range or series no longer asked for is dropped: the read after it shows the one that is.
      if (signal.aborted || asked.days !== shown.days || asked.by !== shown.by) return;
      render(byDay, top.rows, asked.by);
      setText(part(element, ".usage-problem"), "");
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ProblemError && error.status === 401) return context.expired();
      // A restarting service: the directory stream's next `synchronized` reads again.
      const problem = error instanceof ProblemError ? `${error.title}: ${error.detail}` : String(error);
      setText(part(element, ".usage-problem"), `Could not read the usage (${problem}).`);
    }
  };
  const refresher = new Refresher(read, USAGE_REFRESH);

  const render = (report: UsageReply, top: UsageRow[], by: UsageSeries) => {
    const { totals } = report;
    setText(part(element, ".usage-range"), `${report.from} to ${report.to} (UTC days)`);
    const empty = totals.inputTokens + totals.outputTokens === 0 && totals.knownCostUsd === 0;
    part(element, ".empty").hidden = !empty;
    for (const section of [".usage-totals", ".usage-chart", ".top-sessions"]) part(element, section).hidden = empty;
    const total = (key: string, text: string) => {
      const row = part(element, `[data-total="${key}"]`);
      row.hidden = text === "";
      setText(part(row, "dd"), text);
    };
    total("cost", knownCostText(totals));
    total("tokens", tokensText(totals));
    total("unpriced", unpricedText(totals));
    total("sessions", String(totals.sessions));
    setText(part(element, "#chart-title"), `Cost per day, by ${by}`);
    chart.update(stackByDay(report.rows, by, report.from, report.to), by);
    part(element, ".top-sessions tbody").replaceChildren(...top.flatMap(topRow));
  };

  const follow = async () => {
    let synchronized = false;
    for await (const message of client.directory({ signal, retry: DASHBOARD_RETRY })) {
      if (message.type === "synchronized") {
        context.connection.set("live");
        // After a reconnect, whatever changed while it was down.
        if (synchronized) refresher.request();
        synchronized = true;
      } else refresher.request();
    }
  };

  refresher.now();
  void keepFollowing(follow, signal, context);
  return {
    element,
    dispose: () => {
      controller.abort();
      refresher.dispose();
    },
  };
}

function topRow(row: UsageRow): HTMLTableRowElement[] {
  if (row.threadId === undefined) return [];
  const cost = knownCostText(row);
  return [
    h(
      "tr",
      { "data-thread-id": row.threadId },
      h(
        "th",
        { scope: "row" },
        h(
          "a",
          { href: sessionPagePath(row.threadId), "data-link": true, class: "thread-id" },
          providerText(row.threadId),
        ),
      ),
      h("td", { class: "number cost", "data-known": String(row.unpricedTokens === 0) }, cost),
      h("td", { class: "number", title: `${row.inputTokens.toLocaleString()} tokens` }, tokenCount(row.inputTokens)),
      h("td", { class: "number", title: `${row.outputTokens.toLocaleString()} tokens` }, tokenCount(row.outputTokens)),
    ),
  ];
}

/** A row of radio chips, as the list's filters are. */
function choices<T extends string | number>(
  legend: string,
  name: string,
  values: readonly T[],
  checked: T,
  label: (value: T) => string,
  chosen: (value: T) => void,
): HTMLElement {
  return h(
    "fieldset",
    { class: "chips" },
    h("legend", { class: "visually-hidden" }, legend),
    ...values.map((value) =>
      h(
        "label",
        { class: "chip" },
        h("input", {
          type: "radio",
          name,
          value: String(value),
          checked: value === checked,
          onchange: () => chosen(value),
        }),
        label(value),
      ),
    ),
  );
}
