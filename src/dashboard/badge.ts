/** A status badge: colour from its state, and an icon and a label, so it never speaks in colour alone. */
import { h, setText } from "./dom.ts";
import type { Badge } from "./format.ts";

export function badge(value: Badge): HTMLElement {
  const element = h(
    "span",
    { class: "badge" },
    h("span", { class: "badge-icon", "aria-hidden": "true" }),
    h("span", { class: "badge-label" }),
  );
  updateBadge(element, value);
  return element;
}

export function updateBadge(element: HTMLElement, { state, icon, label }: Badge): void {
  if (element.dataset.state !== state) element.dataset.state = state;
  const [iconElement, labelElement] = element.children;
  if (iconElement !== undefined) setText(iconElement, icon);
  if (labelElement !== undefined) setText(labelElement, label);
}

/** A row of small badges (a session's signs), each element reused in place so a ticking countdown only sets text. */
export function updateBadges(container: HTMLElement, values: readonly Badge[]): void {
  while (container.children.length > values.length) container.lastElementChild?.remove();
  for (const [index, value] of values.entries()) {
    const existing = container.children[index];
    if (existing instanceof HTMLElement) updateBadge(existing, value);
    else container.append(badge(value));
  }
}
