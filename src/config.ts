/**
 * The whole configuration check: every issue of an env at once, which /v1 routes and /healthz consult before
 * serving (src/http/configuration.ts). Each group of variables has its own parser beside this file.
 */
import { parseCorsOrigins, parseReadTokenSecret, parseTenantTokens } from "./config-access.ts";
import { parseSessionConfig } from "./config-session.ts";
import { ConfigError, type ConfigIssue, type ConfigSource, memoizedByEnv, variableText } from "./config-source.ts";
import { parseUsageConfig } from "./config-usage.ts";

/** Every configuration issue of an env at once, token list included; empty when the service can run. */
export function configIssues(source: ConfigSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const parse of [
    parseTenantTokens,
    parseSessionConfig,
    parseReadTokenSecret,
    parseCorsOrigins,
    parseUsageConfig,
  ]) {
    try {
      parse(source);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (variableText(source.API_TOKENS) === "") {
    issues.push({ variable: "API_TOKENS", kind: "missing", message: "API_TOKENS is not set" });
  }
  return issues;
}

export const configIssuesOf = memoizedByEnv(configIssues);
