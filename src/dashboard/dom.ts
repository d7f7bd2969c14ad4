/** The dashboard's one view helper: builds elements (HTML or SVG) from a tag, attributes and children (no framework). */
import { visibleParts } from "./visible-text.ts";

type Child = Node | string | null | undefined | false;
type Attribute = string | number | boolean | undefined;
type Attributes = Record<string, Attribute | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === "function") element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== false && value !== undefined) element.setAttribute(name, String(value));
  }
  element.append(
    ...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false),
  );
  return element;
}

const SVG = "http://www.w3.org/2000/svg";

/** The same for SVG, which the chart of the usage page is drawn in (attributes only: the chart has no handlers). */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | undefined> = {},
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) element.setAttribute(name, String(value));
  }
  element.append(...children);
  return element;
}

/** Sets text only when it changed, so a once-a-second refresh of a row costs no layout when nothing moved. */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** The element the template promised; a missing one is a bug in the template beside it. */
export function part<E extends Element = HTMLElement>(root: ParentNode, selector: string): E {
  const element = root.querySelector<E>(selector);
  if (element === null) throw new Error(`missing ${selector}`);
  return element;
}

/**
 * Text a provider sent, for one line: hidden characters written as escapes (visible-text.ts) and set apart from text
 * that only looks like one, all in a <bdi>, so right-to-left text in it cannot reorder what is around it.
 */
export function providerText(text: string): HTMLElement {
  return h(
    "bdi",
    {},
    ...visibleParts(text).map((part) =>
      part.escaped ? h("span", { class: "escape", title: "a character that does not show" }, part.text) : part.text,
    ),
  );
}

const shownText = new WeakMap<Element, string>();

/** Sets an element to `before` and then `providerText(text)`, only when they changed; nothing else writes to it. */
export function setProviderText(element: Element, text: string, before = ""): void {
  const shown = `${before}\u0000${text}`;
  if (shownText.get(element) === shown) return;
  shownText.set(element, shown);
  element.replaceChildren(...(before === "" ? [] : [before]), providerText(text));
}
