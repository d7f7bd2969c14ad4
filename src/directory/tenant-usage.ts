/**
 * The tenant's usage in its directory object: the rollups (usage-store.ts), and the tenant's daily threshold
 * (TENANT_DAILY_ALERT_USD), whose `usage.threshold` webhooks wait in the directory's own outbox until delivered.
 */
import { parseSessionConfig } from "../config-session.ts";
import { memoizedByEnv } from "../config-source.ts";
import { parseUsageConfig } from "../config-usage.ts";
import { DAY_MS, utcDay } from "../contracts/days.ts";
import type { UsageRow } from "../contracts/usage.ts";
import { recordAttempt, usageThresholdNotification } from "../domain/notification.ts";
import { crossesThreshold } from "../domain/usage-alerts.ts";
import type { UsageBucket } from "../domain/usage-buckets.ts";
import { NOTIFICATIONS_SCHEMA, NotificationTable } from "../session/notification-table.ts";
import { deliverWebhook } from "../session/webhook.ts";
import type { SqlMeter } from "../sql-meter.ts";
import { type UsageQuery, UsageStore } from "./usage-store.ts";

const usageConfig = memoizedByEnv(parseUsageConfig);
const sessionConfig = memoizedByEnv(parseSessionConfig);

export class TenantUsage {
  readonly #store: UsageStore;
  readonly #outbox: NotificationTable;
  readonly #env: object;
  readonly #tenant: () => string;

  constructor(sql: SqlMeter, env: object, tenant: () => string) {
    this.#store = new UsageStore(sql);
    for (const statement of NOTIFICATIONS_SCHEMA) sql.run(statement);
    this.#outbox = new NotificationTable(sql);
    this.#env = env;
    this.#tenant = tenant;
  }

  /**
   * Upserts a session's buckets (inside the caller's transaction); a day they take across TENANT_DAILY_ALERT_USD
   * gets a `usage.threshold` in the outbox, in the same transaction. True when one was queued.
   */
  apply(threadId: string, buckets: readonly UsageBucket[]): boolean {
    if (buckets.length === 0) return false;
    const thresholdUsd = usageConfig(this.#env).tenantDailyAlertUsd;
    const watched = thresholdUsd !== null && sessionConfig(this.#env).webhook !== null;
    const days = [...new Set(buckets.map((bucket) => bucket.day))];
    const before = watched ? this.#store.dayCosts(days) : new Map<string, { knownCostUsd: number }>();
    this.#store.upsert(threadId, buckets);
    if (!watched) return false;
    let queued = false;
    const now = Date.now();
    for (const [day, { knownCostUsd: costUsd, unpricedTokens }] of this.#store.dayCosts(days)) {
      if (!crossesThreshold(before.get(day)?.knownCostUsd ?? 0, costUsd, thresholdUsd)) continue;
      const subject = {
        tenant: this.#tenant(),
        scope: "tenant-day" as const,
        day,
        thresholdUsd,
        costUsd,
        unpricedTokens,
      };
      this.#outbox.insert(usageThresholdNotification(crypto.randomUUID(), subject, now));
      queued = true;
    }
    return queued;
  }

  read(query: UsageQuery): { rows: UsageRow[]; totals: UsageRow } {
    return this.#store.read(query);
  }

  /** Drops the days past USAGE_RETENTION_DAYS. */
  prune(now: number): void {
    this.#store.prune(utcDay(now - usageConfig(this.#env).retentionDays * DAY_MS));
  }

  /** When the outbox's next delivery is due; null when nothing waits. */
  nextDeliveryAt(): number | null {
    return this.#outbox.oldestPending()?.nextAttemptAt ?? null;
  }

  /** Delivers the due notifications in order; a failure waits for its retry time (the object's alarm). */
  async deliverDue(): Promise<void> {
    const { webhook } = sessionConfig(this.#env);
    if (webhook === null) return;
    for (let due = this.#outbox.oldestPending(); due !== null; due = this.#outbox.oldestPending()) {
      if ((due.nextAttemptAt ?? 0) > Date.now()) return;
      const result = await deliverWebhook(webhook, due, Date.now());
      this.#outbox.update(recordAttempt(due, Date.now(), result));
      if (!result.ok) return;
    }
  }
}
