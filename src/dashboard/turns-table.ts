/**
 * A session's turns below its usage, newest first: when each started, how it ended, how long it took, how long a
 * person was waited for, its tokens and its cost (`GET /v1/sessions/{threadId}/turns`). Hidden while there are none.
 */
import type { TurnView } from "../client/index.ts";
import { costAmountText, tokenCount } from "../client/usage-text.ts";
import { h, part, providerText, setText } from "./dom.ts";
import { durationText, timeOfDay } from "./format.ts";

/** As many turns as the route gives unless asked: the latest ones. */
export const TURNS_SHOWN = 50;

/** The columns, and whether each holds a figure (aligned right, so digits line up). */
const COLUMNS = [
  ["Turn", false],
  ["Started", false],
  ["Ended", false],
  ["Duration", true],
  ["Waiting for you", true],
  ["Tokens in", true],
  ["Tokens out", true],
  ["Cost", true],
] as const;

export class TurnsTable {
  readonly element: HTMLElement;
  readonly #body: HTMLTableSectionElement;
  /** The running turns' rows, whose duration moves with the page's clock from the moment the turns were read. */
  #running: { cell: HTMLElement; durationMs: number }[] = [];
  #readAt = 0;

  constructor() {
    this.#body = h("tbody", {});
    this.element = h(
      "section",
      { class: "card turns", "aria-labelledby": "turns-title", hidden: true },
      h("h2", { id: "turns-title" }, "Turns"),
      h("p", { class: "hint turns-note" }),
      h(
        "div",
        { class: "table-scroller" },
        h(
          "table",
          { class: "turns-table", "aria-labelledby": "turns-title" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...COLUMNS.map(([label, figure]) =>
                h("th", { scope: "col", class: figure ? "number" : undefined }, label),
              ),
            ),
          ),
          this.#body,
        ),
      ),
    );
  }

  /** The turns as read (oldest first, as the route gives them), at `readAt` by the page's clock. */
  update(turns: readonly TurnView[] | null, readAt: number): void {
    this.element.hidden = turns === null || turns.length === 0;
    this.#readAt = readAt;
    this.#running = [];
    if (turns === null) {
      this.#body.replaceChildren();
      return;
    }
    const count = turns.length;
    const shown = count < TURNS_SHOWN ? `${count} turn${count === 1 ? "" : "s"}` : `the latest ${count} turns`;
    setText(part(this.element, ".turns-note"), `${shown}, newest first`);
    this.#body.replaceChildren(...[...turns].reverse().map((turn) => this.#row(turn)));
  }

  /** A running turn's duration moves on its own. */
  tick(): void {
    const elapsed = Math.max(0, Date.now() - this.#readAt);
    for (const { cell, durationMs } of this.#running) setText(cell, durationText(durationMs + elapsed));
  }

  #row(turn: TurnView): HTMLTableRowElement {
    const duration = h("td", { class: "number" }, durationText(turn.durationMs));
    if (turn.state === "running") this.#running.push({ cell: duration, durationMs: turn.durationMs });
    const { usage } = turn;
    const cost = costAmountText(usage);
    return h(
      "tr",
      { "data-turn-id": turn.turnId },
      h("th", { scope: "row", class: "turn-id" }, providerText(turn.turnId)),
      h(
        "td",
        {},
        h(
          "time",
          { datetime: turn.startedAt, title: new Date(turn.startedAt).toLocaleString() },
          timeOfDay(turn.startedAt),
        ),
      ),
      h("td", {}, h("span", { class: "turn-state", "data-state": turn.state }, turn.state)),
      duration,
      h("td", { class: "number" }, turn.waitingMs === 0 ? "—" : durationText(turn.waitingMs)),
      tokensCell(usage.inputTokens),
      tokensCell(usage.outputTokens),
      h("td", { class: "number cost", "data-known": String(usage.costUsd !== null) }, cost),
    );
  }
}

function tokensCell(count: number): HTMLElement {
  return h("td", { class: "number", title: `${count.toLocaleString()} tokens` }, tokenCount(count));
}
