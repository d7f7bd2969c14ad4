/**
 * The tenant's sessions, live: listed once page by page, then kept current from the directory stream (resumed
 * after the listing's version). Filters and search run in the page over what is held, and only visible rows render.
 */
import type { SessionSummary } from "../client/index.ts";
import { isActive, needsAttention } from "../contracts/summary-signs.ts";
import { SESSION_STATUSES, type SessionStatus } from "../contracts/vocabulary.ts";
import { DASHBOARD_RETRY } from "./connection.ts";
import { h, part } from "./dom.ts";
import { sessionRows } from "./session-row.ts";
import { keepFollowing, type View, type ViewContext } from "./view.ts";
import { VirtualList } from "./virtual-list.ts";
import { visibleText } from "./visible-text.ts";

const SHOW = { all: "All", active: "Active", attention: "Needs attention" } as const;
type Show = keyof typeof SHOW;

interface Filters {
  show: Show;
  status: SessionStatus | null;
  query: string;
}

export function directoryView(context: ViewContext): View {
  const sessions = new Map<string, SessionSummary>();
  const filters = filtersFromUrl();
  const list = new VirtualList(sessionRows(), "Sessions");
  const element = h(
    "section",
    { class: "directory", "aria-labelledby": "directory-title" },
    h("h1", { id: "directory-title", class: "visually-hidden" }, "Sessions"),
    filterBar(filters, () => apply()),
    h("p", { class: "directory-count", "aria-live": "polite" }),
    list.element,
    h("p", { class: "empty", hidden: true }),
  );
  const count = part(element, ".directory-count");
  const empty = part(element, ".empty");

  const apply = () => {
    const query = filters.query.trim().toLowerCase();
    const shown = [...sessions.values()].filter((session) => matches(session, filters, query)).sort(newestFirst);
    list.setItems(shown);
    count.textContent = `${shown.length} of ${sessions.size} session${sessions.size === 1 ? "" : "s"}`;
    empty.hidden = shown.length > 0;
    empty.textContent = sessions.size === 0 ? "No sessions yet. POST an event and it appears here." : "No match.";
    for (const show of Object.keys(SHOW) as Show[]) {
      const label = element.querySelector(`[data-show-count="${show}"]`);
      if (label !== null) label.textContent = String([...sessions.values()].filter(showFilter(show)).length);
    }
    saveFiltersToUrl(filters);
  };

  /** Once per frame at most: a replay of a thousand changes sorts once, not a thousand times. */
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      apply();
    });
  };

  const controller = new AbortController();
  const { signal } = controller;

  /** The whole listing, page by page; its first page's version is where the stream resumes. */
  const listAll = async (): Promise<number> => {
    let version: number | null = null;
    let cursor: string | undefined;
    const fresh = new Map<string, SessionSummary>();
    do {
      const page = await context.client.listPage({ limit: 200, signal, ...(cursor === undefined ? {} : { cursor }) });
      version ??= page.version;
      for (const session of page.sessions) fresh.set(session.threadId, session);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    sessions.clear();
    for (const [threadId, session] of fresh) sessions.set(threadId, session);
    schedule();
    return version;
  };

  const follow = async () => {
    let after = await listAll();
    for await (const message of context.client.directory({ after, signal, retry: DASHBOARD_RETRY })) {
      switch (message.type) {
        case "upsert":
          sessions.set(message.session.threadId, message.session);
          break;
        case "remove":
          sessions.delete(message.threadId);
          break;
        case "synchronized":
          context.connection.set("live");
          break;
        case "reset":
          after = await listAll();
          break;
        default:
          message satisfies never;
      }
      schedule();
    }
  };

  const ticker = setInterval(() => list.refresh(), 1000);
  apply();
  void keepFollowing(follow, signal, context);
  return {
    element,
    dispose: () => {
      controller.abort();
      clearInterval(ticker);
    },
  };
}

function newestFirst(a: SessionSummary, b: SessionSummary): number {
  const at = (a.lastEventAt ?? "").localeCompare(b.lastEventAt ?? "");
  return at !== 0 ? -at : a.threadId.localeCompare(b.threadId);
}

function showFilter(show: Show): (session: SessionSummary) => boolean {
  switch (show) {
    case "all":
      return () => true;
    case "active":
      return isActive;
    case "attention":
      return needsAttention;
    default:
      return show satisfies never;
  }
}

function matches(session: SessionSummary, filters: Filters, query: string): boolean {
  if (!showFilter(filters.show)(session)) return false;
  if (filters.status !== null && session.status !== filters.status) return false;
  if (query === "") return true;
  // What the row shows counts too: `\u202e` finds the id that holds that character.
  return [session.threadId, visibleText(session.threadId)].some((text) => text.toLowerCase().includes(query));
}

function filterBar(filters: Filters, changed: () => void): HTMLElement {
  const radios = (Object.entries(SHOW) as [Show, string][]).map(([show, label]) =>
    h(
      "label",
      { class: "chip" },
      h("input", {
        type: "radio",
        name: "show",
        value: show,
        checked: filters.show === show,
        onchange: () => {
          filters.show = show;
          changed();
        },
      }),
      `${label} `,
      h("span", { class: "chip-count", "data-show-count": show }),
    ),
  );
  const status = h(
    "select",
    {
      id: "status-filter",
      onchange: (event) => {
        const value = (event.target as HTMLSelectElement).value;
        filters.status = isStatus(value) ? value : null;
        changed();
      },
    },
    h("option", { value: "" }, "any status"),
    ...SESSION_STATUSES.map((value) => h("option", { value, selected: filters.status === value }, value)),
  );
  const search = h("input", {
    id: "search",
    type: "search",
    placeholder: "threadId contains…",
    value: filters.query,
    autocomplete: "off",
    oninput: (event) => {
      filters.query = (event.target as HTMLInputElement).value;
      changed();
    },
  });
  return h(
    "div",
    { class: "filters" },
    h("fieldset", { class: "chips" }, h("legend", { class: "visually-hidden" }, "Show"), ...radios),
    h("label", { class: "field" }, "Status ", status),
    h("label", { class: "field search-field" }, "Search ", search),
  );
}

function isStatus(value: string): value is SessionStatus {
  return (SESSION_STATUSES as readonly string[]).includes(value);
}

function filtersFromUrl(): Filters {
  const params = new URLSearchParams(location.search);
  const show = params.get("show");
  const status = params.get("status") ?? "";
  return {
    show: show !== null && show in SHOW ? (show as Show) : "all",
    status: isStatus(status) ? status : null,
    query: params.get("q") ?? "",
  };
}

/** Filters live in the URL, so a filtered view is a link too; replaced, not pushed, so Back leaves the page. */
function saveFiltersToUrl(filters: Filters): void {
  const params = new URLSearchParams();
  if (filters.show !== "all") params.set("show", filters.show);
  if (filters.status !== null) params.set("status", filters.status);
  if (filters.query !== "") params.set("q", filters.query);
  const search = params.size === 0 ? "" : `?${params}`;
  if (search !== location.search) history.replaceState(history.state, "", `${location.pathname}${search}`);
}
