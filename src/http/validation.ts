/** The one validation hook: a failed schema becomes a 422 problem listing every failing field. */
import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env.ts";
import { fail, fieldErrors } from "./problem.ts";

// biome-ignore lint/suspicious/noExplicitAny: the default hook serves every route, whatever its input type.
export const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (result.success) return;
  const where = result.target === "json" ? "body" : result.target;
  fail("validation-failed", `The request ${where} does not match the schema.`, {
    errors: fieldErrors(result.error.issues),
  });
};
