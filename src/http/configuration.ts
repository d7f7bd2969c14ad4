/**
 * The one rule for configuration: a bad value answers 500 `misconfigured` on /v1 routes, a missing required
 * secret 503 `not-configured`; /healthz answers 503 with the same problem. Problems name variables, never values,
 * and keep the token list's diagnostics for the Worker's logs: the caller has not authenticated.
 */
import { createMiddleware } from "hono/factory";
import { configIssuesOf } from "../config.ts";
import type { ConfigIssue } from "../config-source.ts";
import type { AppEnv } from "./app-env.ts";
import { problemResponse } from "./problem.ts";

export function configurationProblem(env: object, route: "api" | "health"): Response | null {
  const issues = configIssuesOf(env);
  if (issues.length === 0) return null;
  const invalid = issues.filter((issue) => issue.kind === "invalid");
  const kind = invalid.length > 0 ? "misconfigured" : "not-configured";
  const shown = invalid.length > 0 ? invalid : issues;
  const messages = [...new Set(shown.map(publicMessage))];
  const variables = [...new Set(shown.map((issue) => issue.variable))];
  const detail = `The service cannot serve requests until its configuration is fixed: ${messages.join("; ")}.`;
  return problemResponse(kind, detail, { variables }, {}, route === "health" ? 503 : undefined);
}

function publicMessage(issue: ConfigIssue): string {
  return issue.variable === "API_TOKENS" && issue.kind === "invalid"
    ? "API_TOKENS is invalid (the Worker's logs say why)"
    : issue.message;
}

const reported = new WeakSet<object>();

/** Logs the full issues once per env, token-list details included, for the operator. */
function report(env: object): void {
  if (reported.has(env)) return;
  reported.add(env);
  console.error(JSON.stringify({ message: "invalid configuration", issues: configIssuesOf(env) }));
}

export const requireConfiguration = createMiddleware<AppEnv>(async (c, next) => {
  const problem = configurationProblem(c.env, "api");
  if (problem === null) return next();
  report(c.env);
  return problem;
});
