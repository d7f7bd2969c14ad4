/** Standard Webhooks delivery: HMAC-SHA256 over `id.timestamp.body`, sent as `webhook-signature: v1,<base64>`. */
import type { WebhookConfig } from "../config-session.ts";
import { type AttemptResult, type Notification, recordAttempt } from "../domain/notification.ts";
import { dueDelivery } from "../domain/wake.ts";

const DELIVERY_TIMEOUT_MS = 10_000;

async function signWebhook(secret: Uint8Array, id: string, timestampSeconds: number, body: string) {
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestampSeconds}.${body}`));
  return `v1,${btoa(String.fromCharCode(...new Uint8Array(mac)))}`;
}

export async function deliverWebhook(
  config: WebhookConfig,
  notification: Notification,
  now: number,
): Promise<AttemptResult> {
  const timestamp = Math.floor(now / 1000);
  // Cleared when the attempt settles: a pending AbortSignal.timeout() kept the object busy, so it could not be
  // evicted, for the full 10 s after every delivery.
  const controller = new AbortController();
  const timeout = setTimeout(
    () => controller.abort(new DOMException("The delivery timed out.", "TimeoutError")),
    DELIVERY_TIMEOUT_MS,
  );
  try {
    const response = await fetch(config.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "provider-sessions",
        "webhook-id": notification.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": await signWebhook(config.secret, notification.id, timestamp, notification.body),
      },
      body: notification.body,
      signal: controller.signal,
    });
    await response.body?.cancel();
    return response.ok ? { ok: true } : { ok: false, error: `receiver answered HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  } finally {
    clearTimeout(timeout);
  }
}

/**
 * Delivers what is due, oldest first. Only the oldest pending notification is ever due, so a failed one holds the
 * later ones back. `record` stores each attempt and says whether to go on (false: the session is gone meanwhile).
 */
export async function deliverDueNotifications(
  webhook: WebhookConfig,
  oldestPending: () => Notification | null,
  record: (attempt: Notification) => Promise<boolean>,
): Promise<void> {
  for (
    let due = dueDelivery(oldestPending(), Date.now());
    due !== null;
    due = dueDelivery(oldestPending(), Date.now())
  ) {
    const result = await deliverWebhook(webhook, due, Date.now());
    if (!(await record(recordAttempt(due, Date.now(), result)))) return;
  }
}
