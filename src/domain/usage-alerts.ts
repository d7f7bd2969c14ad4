/**
 * USAGE_ALERT_USD: a session whose cost crosses the threshold sends a signed `usage.threshold` notification, once
 * per crossing (a cost that falls back below it, when a provider's own figure replaces an estimate, and crosses again
 * sends another). The cost compared is the known part: tokens without a price only make it more.
 */
import type { Change } from "./change.ts";
import type { Notification } from "./notification.ts";
import { usageThresholdNotification } from "./notification.ts";
import { ledgerFigures } from "./usage.ts";

export function crossesThreshold(before: number, after: number, thresholdUsd: number): boolean {
  return before < thresholdUsd && after >= thresholdUsd;
}

export interface UsageAlertContext {
  tenant: string;
  threadId: string;
  notificationId: string;
  thresholdUsd: number | null;
  now: number;
}

/** The change with a `usage.threshold` notification when its usage crosses the session's threshold. */
export function withUsageThresholdNotice(change: Change, context: UsageAlertContext): Change {
  const { thresholdUsd } = context;
  if (thresholdUsd === null || change.state.usage === change.before.usage) return change;
  const before = ledgerFigures(change.before.usage).knownCostUsd;
  const { knownCostUsd: after, unpricedTokens } = ledgerFigures(change.state.usage);
  if (!crossesThreshold(before, after, thresholdUsd)) return change;
  const notification: Notification = usageThresholdNotification(
    context.notificationId,
    {
      tenant: context.tenant,
      scope: "session",
      threadId: context.threadId,
      seq: change.state.lastSeq,
      thresholdUsd,
      costUsd: after,
      unpricedTokens,
      model: change.state.usage.model,
      provider: change.state.providerName,
    },
    context.now,
  );
  return { ...change, notifications: [...change.notifications, notification] };
}
