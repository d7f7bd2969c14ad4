/**
 * What each session object runs by: its reaping policy (the *_SECONDS timeouts), where its webhooks go
 * (WEBHOOK_URL, WEBHOOK_SECRET), and the cost that sends its `usage.threshold` (USAGE_ALERT_USD).
 */
import { z } from "zod";
import { ConfigError, type ConfigIssue, type ConfigSource, variableText } from "./config-source.ts";
import { parseDollars } from "./config-usage.ts";
import {
  DEFAULT_PENDING_REQUEST_TIMEOUT_MS,
  DEFAULT_STALE_TASK_TIMEOUT_MS,
  DEFAULT_STALL_AFTER_MS,
  type ReapingPolicy,
} from "./domain/reaping.ts";

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

const seconds = z.coerce
  .number({ error: "must be a number of seconds" })
  .int({ error: "must be a whole number of seconds" })
  .min(1, { error: "must be at least 1 second" })
  .max(365 * 24 * 3600, { error: "must be at most one year" });

export function parseSessionConfig(source: ConfigSource): SessionConfig {
  const issues: ConfigIssue[] = [];
  const duration = (name: string, fallback: number): number => {
    const value = variableText(source[name]);
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

function parseWebhook(source: ConfigSource, issues: ConfigIssue[]): WebhookConfig | null {
  if (variableText(source.REAP_WEBHOOK_URL) !== "") {
    // Renamed in 0.2: ignoring the old name would silently stop every notification.
    issues.push({ variable: "REAP_WEBHOOK_URL", kind: "invalid", message: "REAP_WEBHOOK_URL is now WEBHOOK_URL" });
  }
  const url = variableText(source.WEBHOOK_URL);
  if (url === "") return null;
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    issues.push({ variable: "WEBHOOK_URL", kind: "invalid", message: "WEBHOOK_URL must be an http(s) URL" });
  }
  const rawSecret = variableText(source.WEBHOOK_SECRET);
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
