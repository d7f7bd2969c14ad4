/**
 * A session's log, newest at the bottom. It follows new entries while the reader is at the bottom, and stops
 * (offering a jump back) once they scroll up; scrolled to the top, it pages older entries in. Turns are marked
 * where they start and where (and how) they end.
 */
import type { LogEntryView } from "../client/index.ts";
import { h, providerText, setText } from "./dom.ts";
import { timeOfDay } from "./format.ts";
import { visibleText } from "./visible-text.ts";

/** Entries with a seq below `beforeSeq`, the newest of them, oldest first. */
export type OlderPages = (beforeSeq: number) => Promise<LogEntryView[]>;

const NEAR_EDGE_PX = 32;

export class SessionLog {
  readonly element: HTMLElement;
  readonly #scroller: HTMLElement;
  readonly #list: HTMLOListElement;
  readonly #jump: HTMLButtonElement;
  readonly #older: HTMLButtonElement;
  #firstSeq: number | null = null;
  #lastSeq: number | null = null;
  #following = true;
  #unseen = 0;
  #loading = false;

  readonly #olderPages: OlderPages;

  constructor(olderPages: OlderPages) {
    this.#olderPages = olderPages;
    this.#older = h(
      "button",
      { type: "button", class: "log-older", hidden: true, onclick: () => void this.loadOlder() },
      "Load older entries",
    );
    this.#list = h("ol", { class: "log", "aria-label": "Event log" });
    this.#scroller = h("div", { class: "log-scroller", tabindex: 0 }, this.#older, this.#list);
    this.#jump = h("button", { type: "button", class: "log-jump", hidden: true, onclick: () => this.#toBottom() });
    this.element = h(
      "section",
      { class: "log-section", "aria-labelledby": "log-title" },
      h("h2", { id: "log-title" }, "Event log"),
      this.#scroller,
      this.#jump,
    );
    this.#scroller.addEventListener("scroll", () => this.#onScroll(), { passive: true });
  }

  get lastSeq(): number | null {
    return this.#lastSeq;
  }

  /** Where the log starts: entries before `seq` are paged in on demand. */
  startAt(seq: number): void {
    this.#firstSeq = seq;
    this.#older.hidden = seq <= 1;
  }

  clear(): void {
    this.#list.replaceChildren();
    this.#firstSeq = null;
    this.#lastSeq = null;
    this.#older.hidden = true;
  }

  append(entry: LogEntryView): void {
    if (this.#lastSeq !== null && entry.seq <= this.#lastSeq) return;
    const follow = this.#following;
    this.#list.append(entryItem(entry));
    this.#lastSeq = entry.seq;
    this.#firstSeq ??= entry.seq;
    if (follow) this.#scroller.scrollTop = this.#scroller.scrollHeight;
    else this.#unseen++;
    this.#renderJump();
  }

  async loadOlder(): Promise<void> {
    const first = this.#firstSeq;
    if (this.#loading || first === null || first <= 1) return;
    this.#loading = true;
    this.#older.disabled = true;
    try {
      const entries = await this.#olderPages(first);
      const height = this.#scroller.scrollHeight;
      this.#list.prepend(...entries.filter((entry) => entry.seq < first).map(entryItem));
      // The reader keeps looking at the same entry while older ones appear above it.
      this.#scroller.scrollTop += this.#scroller.scrollHeight - height;
      this.startAt(entries[0]?.seq ?? 1);
    } finally {
      this.#loading = false;
      this.#older.disabled = false;
    }
  }

  #onScroll(): void {
    const scroller = this.#scroller;
    this.#following = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_EDGE_PX;
    if (this.#following) this.#unseen = 0;
    this.#renderJump();
    if (scroller.scrollTop < NEAR_EDGE_PX && scroller.scrollHeight > scroller.clientHeight) void this.loadOlder();
  }

  #toBottom(): void {
    this.#scroller.scrollTop = this.#scroller.scrollHeight;
    this.#following = true;
    this.#unseen = 0;
    this.#renderJump();
  }

  #renderJump(): void {
    this.#jump.hidden = this.#following;
    setText(this.#jump, this.#unseen > 0 ? `${this.#unseen} new ↓` : "Newest ↓");
  }
}

function entryItem(entry: LogEntryView): HTMLLIElement {
  const { event } = entry;
  const turnId = event.turnId ?? null;
  const raw = h("pre", { class: "raw" });
  const details = h("details", {}, h("summary", {}, "raw JSON"), raw);
  details.addEventListener("toggle", () => {
    // Escaped as the lines are (still JSON, and equal): a bidi control in a payload cannot reorder the view.
    if (details.open && raw.textContent === "") raw.textContent = visibleText(JSON.stringify(entry, null, 2));
  });
  const start = turnStart(entry);
  const end = turnEnd(entry);
  return h(
    "li",
    { class: turnId === null ? "entry" : "entry in-turn", "data-seq": entry.seq, "data-outcome": entry.outcome },
    start === null ? null : h("div", { class: "turn-mark turn-start" }, ...start),
    h(
      "div",
      { class: "entry-line" },
      h("span", { class: "seq" }, `#${entry.seq}`),
      h("time", { datetime: entry.receivedAt, title: entry.receivedAt }, timeOfDay(entry.receivedAt)),
      h("span", { class: "type" }, providerText(event.type)),
      h("span", { class: "outcome", "data-outcome": entry.outcome }, entry.outcome),
      entry.reason === undefined ? null : h("span", { class: "reason" }, entry.reason),
      turnId === null ? null : h("span", { class: "turn-id" }, providerText(turnId)),
      entry.origin === "service" ? h("span", { class: "origin" }, "by the service") : null,
    ),
    details,
    end === null ? null : h("div", { class: "turn-mark turn-end" }, ...end),
  );
}

/** A turn mark's words, with what the provider sent (the turn id, a state, a reason, a message) as providerText. */
type Mark = (string | Node)[];

function turnStart({ event, outcome }: LogEntryView): Mark | null {
  return event.type === "turn.started" && outcome === "applied" ? [...turnName(event.turnId), " started"] : null;
}

/** How a turn ended, as the entry that ended it says; only applied entries end anything. */
function turnEnd({ event, outcome }: LogEntryView): Mark | null {
  if (outcome !== "applied") return null;
  const turn = turnName(event.turnId);
  const payload = event.payload ?? {};
  switch (event.type) {
    case "turn.completed":
      return [...turn, " ended: ", providerText(String(payload.state ?? "completed"))];
    case "turn.aborted":
      return [...turn, " aborted: ", providerText(String(payload.reason ?? ""))];
    case "turn.expired":
      return [...turn, ` expired: no provider event for ${String(payload.silentForSeconds ?? "?")} s`];
    case "runtime.error":
      return event.turnId ? [...turn, " failed: ", providerText(String(payload.message ?? ""))] : null;
    default:
      return null;
  }
}

function turnName(turnId: string | null | undefined): Mark {
  return turnId ? ["Turn ", providerText(turnId)] : ["Turn"];
}
