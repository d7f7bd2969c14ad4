/**
 * The dashboard's URLs: `/` the session list, `/session?id=<threadId>` one session. The threadId rides in a query
 * parameter because the asset layer rewrites an encoded slash in a path (`/sessions/a%2Fb` → 307 `/sessions/a/b`)
 * and the browser resolves `..` in one, while a query reaches the page as it was written.
 */

export type Route = { page: "directory" } | { page: "session"; threadId: string };

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
  const old = oldSessionId(url.pathname);
  if (old !== null) return { route: { page: "session", threadId: old }, canonical: sessionPagePath(old) };
  return { route: { page: "directory" }, canonical: null };
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
