/**
 * The dashboard's URLs: `/` the session list, `/session?id=<threadId>` one session, `/usage?days=30&by=provider` the
 * tenant's usage. The threadId rides in a query
 * parameter because the asset layer rewrites an encoded slash in a path (`/sessions/a%2Fb` → 307 `/sessions/a/b`)
 * and the browser resolves `..` in one, while a query reaches the page as it was written.
 */

export type Route =
  | { page: "directory" }
  | { page: "session"; threadId: string }
  | { page: "usage"; days: UsageDays; by: UsageSeries };

/** The usage page's ranges: the last 7, 30 or 90 UTC days, today included. */
export const USAGE_DAYS = [7, 30, 90] as const;
export type UsageDays = (typeof USAGE_DAYS)[number];
/** What the usage page stacks each day's cost by. */
export const USAGE_SERIES = ["provider", "model"] as const;
export type UsageSeries = (typeof USAGE_SERIES)[number];

const DEFAULT_USAGE = { days: 30, by: "provider" } as const;

/** `/usage?days=30&by=provider`; the defaults are written too, so a copied link says what it shows. */
export function usagePagePath({ days, by }: { days: UsageDays; by: UsageSeries } = DEFAULT_USAGE): string {
  return `/usage?days=${days}&by=${by}`;
}

export function sessionPagePath(threadId: string): string {
  return `/session?id=${encodeURIComponent(threadId)}`;
}

/**
 * The page a URL names, and the URL to show in its place when it is an old spelling: `/sessions/<threadId>` (the
 * form before `/session?id=`) still opens its session where the id holds no slash.
 */
export function routeOf(url: Pick<URL, "pathname" | "search">): { route: Route; canonical: string | null } {
  if (url.pathname === "/session") {
    const threadId = new URLSearchParams(url.search).get("id");
    if (threadId !== null && threadId !== "") return { route: { page: "session", threadId }, canonical: null };
  }
  if (url.pathname === "/usage") return { route: usageRoute(new URLSearchParams(url.search)), canonical: null };
  const old = oldSessionId(url.pathname);
  if (old !== null) return { route: { page: "session", threadId: old }, canonical: sessionPagePath(old) };
  return { route: { page: "directory" }, canonical: null };
}

/** A range or a series the page does not offer falls back to the default one. */
function usageRoute(params: URLSearchParams): Route {
  const days = Number(params.get("days"));
  const by = params.get("by");
  return {
    page: "usage",
    days: USAGE_DAYS.find((offered) => offered === days) ?? DEFAULT_USAGE.days,
    by: USAGE_SERIES.find((offered) => offered === by) ?? DEFAULT_USAGE.by,
  };
}

function oldSessionId(pathname: string): string | null {
  const match = /^\/sessions\/([^/]+)\/?$/.exec(pathname);
  if (match?.[1] === undefined) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}
