/** The one validation hook: a failed schema becomes a 422 problem listing every failing field. */
import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env.ts";
import { fail, fieldErrors } from "./problem.ts";

// biome-ignore lint/suspicious/noExplicitAny: the default hook serves every route, whatever its input type.
export const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (result.success) return;
  schemaProblem(result.target === "json" ? "body" : result.target, result.error.issues);
};

/** The 422 of a part of the request (`body`, `param`, `query`) that failed its schema, listing every failing field. */
export function schemaProblem(where: string, issues: Parameters<typeof fieldErrors>[0]): never {
  fail("validation-failed", `The request ${where} does not match the schema.`, { errors: fieldErrors(issues) });
}
