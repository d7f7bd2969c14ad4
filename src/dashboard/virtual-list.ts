/**
 * A list that renders only the rows in view (fixed row height, read from the CSS variable `--row-height`), so
 * thousands of sessions scroll as smoothly as ten. Rows are kept by key while visible: a refresh updates them in
 * place, and focus stays where it was. Arrow keys, Home and End move between rows.
 */
import { h } from "./dom.ts";

export interface RowRenderer<T> {
  key(item: T): string;
  create(item: T): HTMLElement;
  update(row: HTMLElement, item: T): void;
  /** The element inside a row that takes focus (a link). */
  focusTarget(row: HTMLElement): HTMLElement | null;
}

const OVERSCAN = 6;

export class VirtualList<T> {
  readonly element: HTMLElement;
  readonly #spacer: HTMLElement;
  readonly #rows = new Map<string, HTMLElement>();
  #items: readonly T[] = [];
  #frame: number | null = null;

  constructor(
    readonly renderer: RowRenderer<T>,
    label: string,
  ) {
    this.#spacer = h("div", { class: "virtual-spacer", role: "list", "aria-label": label });
    this.element = h("div", { class: "virtual-viewport" }, this.#spacer);
    this.element.addEventListener("scroll", () => this.refresh(), { passive: true });
    this.element.addEventListener("keydown", (event) => this.#onKey(event));
    new ResizeObserver(() => this.refresh()).observe(this.element);
  }

  get items(): readonly T[] {
    return this.#items;
  }

  setItems(items: readonly T[]): void {
    this.#items = items;
    this.refresh();
  }

  /** Renders on the next frame; many calls in one frame render once. */
  refresh(): void {
    if (this.#frame !== null) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = null;
      this.#render();
    });
  }

  #rowHeight(): number {
    return Number.parseFloat(getComputedStyle(this.element).getPropertyValue("--row-height")) || 48;
  }

  #render(): void {
    const rowHeight = this.#rowHeight();
    this.#spacer.style.height = `${this.#items.length * rowHeight}px`;
    const first = Math.max(0, Math.floor(this.element.scrollTop / rowHeight) - OVERSCAN);
    const last = Math.min(
      this.#items.length,
      Math.ceil((this.element.scrollTop + this.element.clientHeight) / rowHeight) + OVERSCAN,
    );
    const shown = new Set<string>();
    for (let index = first; index < last; index++) {
      const item = this.#items[index];
      if (item === undefined) continue;
      const key = this.renderer.key(item);
      shown.add(key);
      let row = this.#rows.get(key);
      if (row === undefined) {
        row = this.renderer.create(item);
        row.setAttribute("role", "listitem");
        this.#rows.set(key, row);
        this.#spacer.append(row);
      }
      row.dataset.index = String(index);
      row.setAttribute("aria-posinset", String(index + 1));
      row.setAttribute("aria-setsize", String(this.#items.length));
      row.style.transform = `translateY(${index * rowHeight}px)`;
      this.renderer.update(row, item);
    }
    for (const [key, row] of this.#rows) {
      if (shown.has(key)) continue;
      row.remove();
      this.#rows.delete(key);
    }
  }

  #onKey(event: KeyboardEvent): void {
    const current = (event.target as HTMLElement).closest<HTMLElement>("[data-index]");
    if (current === null) return;
    const index = Number(current.dataset.index);
    const target =
      event.key === "ArrowDown"
        ? index + 1
        : event.key === "ArrowUp"
          ? index - 1
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? this.#items.length - 1
              : null;
    if (target === null || target < 0 || target >= this.#items.length) return;
    event.preventDefault();
    this.#focusIndex(target);
  }

  #focusIndex(index: number): void {
    const rowHeight = this.#rowHeight();
    const top = index * rowHeight;
    if (top < this.element.scrollTop) this.element.scrollTop = top;
    else if (top + rowHeight > this.element.scrollTop + this.element.clientHeight) {
      this.element.scrollTop = top + rowHeight - this.element.clientHeight;
    }
    this.#render();
    const item = this.#items[index];
    const row = item === undefined ? undefined : this.#rows.get(this.renderer.key(item));
    if (row !== undefined) this.renderer.focusTarget(row)?.focus();
  }
}
