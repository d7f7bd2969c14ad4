/**
 * CORS, before authentication (a preflight carries no credentials, and a page must be able to read its 401).
 * CORS_ORIGINS empty: same origin only, no CORS headers. A list: those exact origins, with every method. `*`: any
 * origin, but reads only (the preflight allows GET and HEAD) and `Access-Control-Allow-Origin: *` only on answers to
 * requests that carry a read token, so an API token is never usable from another origin.
 */
import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { type CorsPolicy, parseCorsOrigins, READ_TOKEN_PREFIX } from "../config-access.ts";
import { memoizedByEnv } from "../config-source.ts";
import { EXPOSED_LOG_HEADERS } from "../live/durable-streams.ts";
import type { AppEnv } from "./app-env.ts";

const ALLOW_HEADERS = ["authorization", "content-type", "last-event-id", "if-none-match"];
/** What a page may read besides the safelisted headers: retries, 405's Allow, the streams', the log's offsets and ETag. */
const EXPOSE_HEADERS = [
  "retry-after",
  "allow",
  "content-type",
  "cache-control",
  "x-accel-buffering",
  ...EXPOSED_LOG_HEADERS.map((name) => name.toLowerCase()),
];
const MAX_AGE_SECONDS = 600;

/** Whether the request presents a read token, valid or not: its answer (a 401 included) may be read by any page. */
function carriesReadToken(c: Context): boolean {
  const header = c.req.header("authorization");
  if (header !== undefined)
    return /^bearer\s+/i.test(header) && header.replace(/^bearer\s+/i, "").startsWith(READ_TOKEN_PREFIX);
  return c.req.query("access_token")?.startsWith(READ_TOKEN_PREFIX) ?? false;
}

function middlewareFor(policy: CorsPolicy): MiddlewareHandler | null {
  switch (policy.kind) {
    case "same-origin":
      return null;
    case "listed":
      return cors({
        origin: (origin) => (policy.origins.has(origin) ? origin : null),
        allowMethods: ["GET", "HEAD", "POST", "DELETE"],
        allowHeaders: ALLOW_HEADERS,
        exposeHeaders: EXPOSE_HEADERS,
        maxAge: MAX_AGE_SECONDS,
      });
    case "any":
      return cors({
        origin: (_origin, c) => (c.req.method === "OPTIONS" || carriesReadToken(c) ? "*" : null),
        allowMethods: ["GET", "HEAD"],
        allowHeaders: ALLOW_HEADERS,
        exposeHeaders: EXPOSE_HEADERS,
        maxAge: MAX_AGE_SECONDS,
      });
    default:
      return policy satisfies never;
  }
}

const corsOf = memoizedByEnv((source) => middlewareFor(parseCorsOrigins(source)));

export const crossOrigin = createMiddleware<AppEnv>(async (c, next) => {
  let middleware: MiddlewareHandler | null;
  try {
    middleware = corsOf(c.env);
  } catch {
    // A bad CORS_ORIGINS is answered by the configuration check: nothing is allowed meanwhile.
    middleware = null;
  }
  if (middleware === null) return next();
  return middleware(c, next);
});
