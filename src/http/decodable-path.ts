/**
 * A path whose percent sequences all decode. Hono keeps an undecodable one as it is, so `%zz` would name the
 * session `%25zz` names: refusing it leaves one spelling per threadId.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./app-env.ts";
import { fail } from "./problem.ts";

export const requireDecodablePath = createMiddleware<AppEnv>(async (c, next) => {
  // Most paths hold no % at all: they need no parsing.
  const url = c.req.url;
  if (url.includes("%") && !decodes(new URL(url).pathname)) {
    fail(
      "malformed-request",
      "The path holds a % that does not start a percent-encoded UTF-8 sequence; send a literal % as %25.",
    );
  }
  await next();
});

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
