/**
 * A query parameter given more than MAX_PARAMETER_REPEATS times is a 422 on every route, before any route reads it:
 * each repeat would otherwise cost the route (the directory bound one SQL variable a value).
 */
import { createMiddleware } from "hono/factory";
import { MAX_PARAMETER_REPEATS } from "../contracts/query-params.ts";
import type { AppEnv } from "./app-env.ts";
import { fail } from "./problem.ts";

export const limitQueryRepeats = createMiddleware<AppEnv>(async (c, next) => {
  // Most requests carry no query at all: nothing to parse.
  if (!c.req.url.includes("?")) return next();
  const counts = new Map<string, number>();
  for (const name of new URL(c.req.url).searchParams.keys()) counts.set(name, (counts.get(name) ?? 0) + 1);
  const repeated = [...counts].filter(([, count]) => count > MAX_PARAMETER_REPEATS);
  if (repeated.length > 0) {
    fail("validation-failed", `A query parameter may be given at most ${MAX_PARAMETER_REPEATS} times.`, {
      errors: repeated.map(([name, count]) => ({ pointer: name, detail: `given ${count} times` })),
    });
  }
  await next();
});
