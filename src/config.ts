/**
 * Worker configuration: env → typed config, parsed once per env. Errors name the variable and the rule, never
 * the value (a URL or a token list may carry credentials).
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  DEFAULT_PENDING_REQUEST_TIMEOUT_MS,
  DEFAULT_STALE_TASK_TIMEOUT_MS,
  DEFAULT_STALL_AFTER_MS,
  type ReapingPolicy,
} from "./domain/reaping.ts";

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

export interface TenantToken {
  tenant: string;
  token: string;
}

export interface WebhookConfig {
  url: string;
  /** The decoded bytes of a Standard Webhooks `whsec_` secret. */
  secret: Uint8Array;
}

export interface SessionConfig {
  policy: ReapingPolicy;
  webhook: WebhookConfig | null;
  /** USAGE_ALERT_USD: a session whose cost crosses it sends `usage.threshold` (null: no alert). */
  usageAlertUsd: number | null;
}

/** The variables this service reads; a plain record so tests and `wrangler dev --var` can set any of them. */
export type ConfigSource = Partial<Record<string, unknown>>;

const TENANT = /^[A-Za-z0-9_.-]{1,64}$/;
/** What read tokens start with: a bearer token of this shape is checked as one. */
export const READ_TOKEN_PREFIX = "rt1.";
/** RFC 6750 token characters; the same set Hono's bearer auth accepts. */
const TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;

const seconds = z.coerce
  .number({ error: "must be a number of seconds" })
  .int({ error: "must be a whole number of seconds" })
  .min(1, { error: "must be at least 1 second" })
  .max(365 * 24 * 3600, { error: "must be at most one year" });

/** null when API_TOKENS is unset or empty: the service then fails closed. */
export function parseTenantTokens(source: ConfigSource): TenantToken[] | null {
  const raw = text(source.API_TOKENS);
  if (raw === "") return null;
  const issues: ConfigIssue[] = [];
  const invalid = (message: string) => issues.push({ variable: "API_TOKENS", kind: "invalid", message });
  const tokens: TenantToken[] = [];
  raw.split(",").forEach((pair, index) => {
    const separator = pair.indexOf(":");
    const tenant = pair.slice(0, separator).trim();
    const token = pair.slice(separator + 1).trim();
    if (separator < 0 || !TENANT.test(tenant) || !TOKEN.test(token) || token.length < 8) {
      invalid(
        `API_TOKENS entry ${index + 1} must be tenant:token (tenant: 1-64 of A-Z a-z 0-9 _ . -; token: at least 8 bearer-token characters)`,
      );
      return;
    }
    if (token.startsWith(READ_TOKEN_PREFIX)) {
      invalid(
        `API_TOKENS entry ${index + 1} starts with ${READ_TOKEN_PREFIX}, which marks a read token: it could never work`,
      );
      return;
    }
    if (tokens.some((known) => known.token === token)) {
      invalid(`API_TOKENS entry ${index + 1} reuses a token: each token must name one tenant`);
    }
    tokens.push({ tenant, token });
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return tokens;
}

export function parseSessionConfig(source: ConfigSource): SessionConfig {
  const issues: ConfigIssue[] = [];
  const duration = (name: string, fallback: number): number => {
    const value = text(source[name]);
    if (value === "") return fallback * 1000;
    const parsed = seconds.safeParse(value);
    if (parsed.success) return parsed.data * 1000;
    issues.push({ variable: name, kind: "invalid", message: `${name} ${parsed.error.issues[0]?.message}` });
    return fallback * 1000;
  };
  const policy: ReapingPolicy = {
    idleTimeoutMs: duration("IDLE_TIMEOUT_SECONDS", 1800),
    staleTurnTimeoutMs: duration("STALE_TURN_TIMEOUT_SECONDS", 7200),
    retentionMs: duration("RETENTION_SECONDS", 86400),
    stallAfterMs: duration("STALL_AFTER_SECONDS", DEFAULT_STALL_AFTER_MS / 1000),
    staleTaskTimeoutMs: duration("STALE_TASK_TIMEOUT_SECONDS", DEFAULT_STALE_TASK_TIMEOUT_MS / 1000),
    pendingRequestTimeoutMs: duration("PENDING_REQUEST_TIMEOUT_SECONDS", DEFAULT_PENDING_REQUEST_TIMEOUT_MS / 1000),
  };
  const webhook = parseWebhook(source, issues);
  const usageAlertUsd = parseDollars(source, "USAGE_ALERT_USD", issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return { policy, webhook, usageAlertUsd };
}

/** A positive amount of US dollars (`12.5`), or null when unset. */
function parseDollars(source: ConfigSource, name: string, issues: ConfigIssue[]): number | null {
  const value = text(source[name]);
  if (value === "") return null;
  const amount = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(amount > 0)) {
    issues.push({
      variable: name,
      kind: "invalid",
      message: `${name} must be a positive amount of US dollars, like 25 or 2.5`,
    });
    return null;
  }
  return amount;
}

function parseWebhook(source: ConfigSource, issues: ConfigIssue[]): WebhookConfig | null {
  if (text(source.REAP_WEBHOOK_URL) !== "") {
    // Renamed in 0.2: ignoring the old name would silently stop every notification.
    issues.push({ variable: "REAP_WEBHOOK_URL", kind: "invalid", message: "REAP_WEBHOOK_URL is now WEBHOOK_URL" });
  }
  const url = text(source.WEBHOOK_URL);
  if (url === "") return null;
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    issues.push({ variable: "WEBHOOK_URL", kind: "invalid", message: "WEBHOOK_URL must be an http(s) URL" });
  }
  const rawSecret = text(source.WEBHOOK_SECRET);
  if (rawSecret === "") {
    issues.push({
      variable: "WEBHOOK_SECRET",
      kind: "missing",
      message: "WEBHOOK_SECRET must be set when WEBHOOK_URL is (wrangler secret put WEBHOOK_SECRET)",
    });
    return null;
  }
  const secret = decodeWebhookSecret(rawSecret);
  if (secret === null) {
    issues.push({
      variable: "WEBHOOK_SECRET",
      kind: "invalid",
      message: "WEBHOOK_SECRET must be a Standard Webhooks secret (whsec_ + base64 of 24 to 64 bytes)",
    });
    return null;
  }
  return { url, secret };
}

function decodeWebhookSecret(value: string): Uint8Array | null {
  if (!value.startsWith("whsec_")) return null;
  try {
    const bytes = Uint8Array.from(atob(value.slice("whsec_".length)), (char) => char.charCodeAt(0));
    return bytes.length >= 24 && bytes.length <= 64 ? bytes : null;
  } catch {
    return null;
  }
}

function text(value: unknown): string {
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

/** At least this many characters: the HMAC key of read tokens must not be guessable. */
const MIN_READ_TOKEN_SECRET_LENGTH = 32;

/** One secret of READ_TOKEN_SECRET: its HMAC key, and the id a token names it by. */
export interface ReadTokenKey {
  kid: string;
  secret: Uint8Array;
}

/** The newest secret signs; every configured one verifies, so removing one revokes what it signed. */
export interface ReadTokenKeys {
  signing: ReadTokenKey;
  all: readonly ReadTokenKey[];
}

/**
 * The keys of READ_TOKEN_SECRET, comma-separated, newest first; null when it is unset (the read-token route then
 * answers 503).
 */
export function parseReadTokenSecret(source: ConfigSource): ReadTokenKeys | null {
  const raw = text(source.READ_TOKEN_SECRET);
  if (raw === "") return null;
  const secrets = raw.split(",").map((secret) => secret.trim());
  if (secrets.some((secret) => secret.length < MIN_READ_TOKEN_SECRET_LENGTH)) {
    throw new ConfigError([
      {
        variable: "READ_TOKEN_SECRET",
        kind: "invalid",
        message: `READ_TOKEN_SECRET must be one or more comma-separated secrets of at least ${MIN_READ_TOKEN_SECRET_LENGTH} characters`,
      },
    ]);
  }
  const keys = secrets.map((secret) => ({ kid: keyIdOf(secret), secret: new TextEncoder().encode(secret) }));
  return { signing: keys[0] as ReadTokenKey, all: keys };
}

/** A short public id of a secret: a hash prefix, which says nothing usable about the secret itself. */
function keyIdOf(secret: string): string {
  return createHash("sha256").update(`provider-sessions read-token key ${secret}`).digest("hex").slice(0, 12);
}

/**
 * Which other origins may call the API from a browser: none (the default: same origin only), a list of exact
 * origins, or any origin, and then with read tokens only.
 */
export type CorsPolicy = { kind: "same-origin" } | { kind: "listed"; origins: ReadonlySet<string> } | { kind: "any" };

export function parseCorsOrigins(source: ConfigSource): CorsPolicy {
  const raw = text(source.CORS_ORIGINS);
  if (raw === "") return { kind: "same-origin" };
  if (raw === "*") return { kind: "any" };
  const origins = raw.split(",").map((origin) => origin.trim());
  const invalid = origins.filter((origin) => !isOrigin(origin));
  if (invalid.length > 0) {
    throw new ConfigError([
      {
        variable: "CORS_ORIGINS",
        kind: "invalid",
        message: `CORS_ORIGINS must be *, or a comma-separated list of origins such as https://app.example.com (scheme, host and port only); ${invalid.length} entr${invalid.length === 1 ? "y is" : "ies are"} not`,
      },
    ]);
  }
  return { kind: "listed", origins: new Set(origins) };
}

/** What the tenant's usage rollups keep: USAGE_RETENTION_DAYS (default 400, 1 to 3,650). */
export interface UsageConfig {
  retentionDays: number;
  /** TENANT_DAILY_ALERT_USD: a tenant's day whose cost crosses it sends `usage.threshold` (null: no alert). */
  tenantDailyAlertUsd: number | null;
}

export function parseUsageConfig(source: ConfigSource): UsageConfig {
  const issues: ConfigIssue[] = [];
  const value = text(source.USAGE_RETENTION_DAYS);
  const days = value === "" ? 400 : Number(value);
  if (value !== "" && (!/^\d+$/.test(value) || days < 1 || days > 3650)) {
    issues.push({
      variable: "USAGE_RETENTION_DAYS",
      kind: "invalid",
      message: "USAGE_RETENTION_DAYS must be a whole number of days from 1 to 3650",
    });
  }
  const tenantDailyAlertUsd = parseDollars(source, "TENANT_DAILY_ALERT_USD", issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return { retentionDays: days, tenantDailyAlertUsd };
}

/** An origin as a browser sends it: scheme://host[:port], lower case, nothing after. */
function isOrigin(value: string): boolean {
  if (!/^https?:\/\//.test(value) || !URL.canParse(value)) return false;
  return new URL(value).origin === value;
}

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
  if (text(source.API_TOKENS) === "") {
    issues.push({ variable: "API_TOKENS", kind: "missing", message: "API_TOKENS is not set" });
  }
  return issues;
}

export const configIssuesOf = memoizedByEnv(configIssues);
