/** The usage settings: how long the tenant's rollups are kept, and the dollar amounts that send `usage.threshold`. */
import { ConfigError, type ConfigIssue, type ConfigSource, variableText } from "./config-source.ts";

/** What the tenant's usage rollups keep: USAGE_RETENTION_DAYS (default 400, 1 to 3,650). */
export interface UsageConfig {
  retentionDays: number;
  /** TENANT_DAILY_ALERT_USD: a tenant's day whose cost crosses it sends `usage.threshold` (null: no alert). */
  tenantDailyAlertUsd: number | null;
}

export function parseUsageConfig(source: ConfigSource): UsageConfig {
  const issues: ConfigIssue[] = [];
  const value = variableText(source.USAGE_RETENTION_DAYS);
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

/** A positive amount of US dollars (`12.5`), or null when unset: a usage alert's threshold. */
export function parseDollars(source: ConfigSource, name: string, issues: ConfigIssue[]): number | null {
  const value = variableText(source[name]);
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
