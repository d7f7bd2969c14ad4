/**
 * Which methods a path has, from the app's own route table: a known path asked with another method is a 405 that
 * names them in `Allow` (RFC 9110), not a 404. HEAD is a read: it is allowed wherever GET is.
 */
import type { RouterRoute } from "hono/types";

/** Reads: a read token may use them, and `?access_token=` is taken with them. */
export function isReadMethod(method: string): boolean {
  return method === "GET" || method === "HEAD";
}

const ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/** The methods of the routes whose pattern matches `path`, in a fixed order; empty when no route has the path. */
export function allowedMethods(routes: readonly RouterRoute[], path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    if (route.method === "ALL" || !patternOf(route.path).test(path)) continue;
    methods.add(route.method);
    if (route.method === "GET") methods.add("HEAD");
  }
  return ORDER.filter((method) => methods.has(method));
}

const patterns = new Map<string, RegExp>();

/** Hono's `/v1/sessions/:threadId` as a whole-path pattern; a parameter is one non-empty segment. */
function patternOf(routePath: string): RegExp {
  let pattern = patterns.get(routePath);
  if (pattern === undefined) {
    const segments = routePath.split("/").map((segment) => (segment.startsWith(":") ? "[^/]+" : escapeRegExp(segment)));
    pattern = new RegExp(`^${segments.join("/")}$`);
    patterns.set(routePath, pattern);
  }
  return pattern;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
