/**
 * The dashboard: a header that always shows the connection, and one page at a time, picked from the URL
 * (`/` the session list, `/session?id=<threadId>` one session, `/usage` the tenant's usage: route.ts). Links inside
 * the page navigate without a reload.
 */
import { createClient } from "../client/index.ts";
import { signOut, storedAccess } from "./auth.ts";
import { Connection } from "./connection.ts";
import { directoryView } from "./directory-view.ts";
import { h } from "./dom.ts";
import { type Route, routeOf, usagePagePath } from "./route.ts";
import { sessionView } from "./session-view.ts";
import { signInView } from "./sign-in.ts";
import { usageView } from "./usage-view.ts";
import type { View, ViewContext } from "./view.ts";
import { visibleText } from "./visible-text.ts";

const EXPIRED = "Your read token has expired or is no longer accepted. Sign in again.";

const connection = new Connection();
const signOutButton = h("button", { type: "button", class: "sign-out", onclick: () => leave(null) }, "Sign out");
const usageLink = h("a", { href: usagePagePath(), "data-link": true, class: "top-link" }, "Usage");
const banner = h("p", { class: "banner", role: "alert", hidden: true });
const outlet = h("div", { class: "outlet" });
const header = h(
  "header",
  { class: "top" },
  h("a", { href: "/", "data-link": true, class: "brand" }, "provider-sessions"),
  usageLink,
  connection.element,
  signOutButton,
);

let current: View | null = null;
let expiryTimer: ReturnType<typeof setTimeout> | undefined;

function leave(reason: string | null): void {
  signOut();
  render(reason);
}

function show(view: View): void {
  current?.dispose();
  current = view;
  outlet.replaceChildren(view.element);
}

/** Renders the page the URL names, or sign-in when there is no usable read token. */
function render(signInReason: string | null = null): void {
  clearTimeout(expiryTimer);
  banner.hidden = true;
  const { route, canonical } = routeOf(location);
  if (canonical !== null) history.replaceState(history.state, "", canonical);
  const stored = storedAccess(Date.now());
  if (stored.kind !== "signed-in") {
    connection.element.hidden = true;
    signOutButton.hidden = true;
    usageLink.hidden = true;
    show(signInView(stored.kind === "expired" ? EXPIRED : signInReason, () => render()));
    return;
  }
  connection.element.hidden = false;
  signOutButton.hidden = false;
  usageLink.hidden = false;
  if (route.page === "usage") usageLink.setAttribute("aria-current", "page");
  else usageLink.removeAttribute("aria-current");
  connection.set("connecting");
  expiryTimer = setTimeout(() => leave(EXPIRED), Math.min(stored.access.expiresAt - Date.now(), 2 ** 31 - 1));
  const context: ViewContext = {
    client: createClient({ baseUrl: location.origin, token: stored.access.token, fetch: connection.fetch }),
    connection,
    expired: () => leave(EXPIRED),
    fail: (message) => {
      banner.textContent = message;
      banner.hidden = false;
    },
  };
  show(pageOf(route, context));
  document.title = `${titleOf(route)} · provider-sessions`;
}

function pageOf(route: Route, context: ViewContext): View {
  switch (route.page) {
    case "directory":
      return directoryView(context);
    case "session":
      return sessionView(route.threadId, context);
    case "usage":
      return usageView(route, context);
    default:
      return route satisfies never;
  }
}

function titleOf(route: Route): string {
  switch (route.page) {
    case "directory":
      return "Sessions";
    case "session":
      return visibleText(route.threadId);
    case "usage":
      return "Usage";
    default:
      return route satisfies never;
  }
}

document.addEventListener("click", (event) => {
  const link = (event.target as Element).closest<HTMLAnchorElement>("a[data-link]");
  if (link === null || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  if (link.pathname + link.search !== location.pathname + location.search) history.pushState(null, "", link.href);
  render();
});
window.addEventListener("popstate", () => render());

document.getElementById("app")?.replaceChildren(header, banner, outlet);
render();
