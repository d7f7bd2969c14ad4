/**
 * What every configuration parser shares: the env as it reads it, how it fails, and parsing once per env. Errors
 * name the variable and the rule, never the value (a URL or a token list may carry credentials).
 */

/** The variables this service reads; a plain record so tests and `wrangler dev --var` can set any of them. */
export type ConfigSource = Partial<Record<string, unknown>>;

/** `invalid`: a value is set but unusable. `missing`: a required secret is not set. */
export interface ConfigIssue {
  variable: string;
  kind: "invalid" | "missing";
  message: string;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(`invalid configuration: ${issues.map((issue) => issue.message).join("; ")}`);
    this.name = "ConfigError";
    this.issues = issues;
  }

  /** The messages, one per issue. */
  get problems(): string[] {
    return this.issues.map((issue) => issue.message);
  }
}

/** A variable's value, trimmed; "" when it is unset or not a string, which every parser reads as unset. */
export function variableText(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}

/** Parses once per env object: env is fixed for an isolate's life. */
export function memoizedByEnv<T>(parse: (source: ConfigSource) => T): (env: object) => T {
  const cache = new WeakMap<object, { value: T } | { error: unknown }>();
  return (env) => {
    let entry = cache.get(env);
    if (entry === undefined) {
      try {
        entry = { value: parse(env as ConfigSource) };
      } catch (error) {
        entry = { error };
      }
      cache.set(env, entry);
    }
    if ("error" in entry) throw entry.error;
    return entry.value;
  };
}
