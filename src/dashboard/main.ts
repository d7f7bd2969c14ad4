/**
 * The dashboard: a header that always shows the connection, and one page at a time, picked from the URL
 * (`/` the session list, `/session?id=<threadId>` one session: route.ts). Links inside the page navigate without a
 * reload.
 */
import { createClient } from "../client/index.ts";
import { signOut, storedAccess } from "./auth.ts";
import { Connection } from "./connection.ts";
import { directoryView } from "./directory-view.ts";
import { h } from "./dom.ts";
import { routeOf } from "./route.ts";
import { sessionView } from "./session-view.ts";
import { signInView } from "./sign-in.ts";
import type { View, ViewContext } from "./view.ts";
import { visibleText } from "./visible-text.ts";

const EXPIRED = "Your read token has expired or is no longer accepted. Sign in again.";

const connection = new Connection();
const signOutButton = h("button", { type: "button", class: "sign-out", onclick: () => leave(null) }, "Sign out");
const banner = h("p", { class: "banner", role: "alert", hidden: true });
const outlet = h("div", { class: "outlet" });
const header = h(
  "header",
  { class: "top" },
  h("a", { href: "/", "data-link": true, class: "brand" }, "provider-sessions"),
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
    show(signInView(stored.kind === "expired" ? EXPIRED : signInReason, () => render()));
    return;
  }
  connection.element.hidden = false;
  signOutButton.hidden = false;
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
  show(route.page === "session" ? sessionView(route.threadId, context) : directoryView(context));
  document.title =
    route.page === "session" ? `${visibleText(route.threadId)} · provider-sessions` : "Sessions · provider-sessions";
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
