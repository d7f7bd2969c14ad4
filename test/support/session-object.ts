/** Direct handles on a session object for tests that drive alarms and time. */
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import type { EventPage, SessionView } from "../../src/domain/replies.ts";
import { sessionObjectName } from "../../src/session/session-key.ts";
import { api, json } from "./api.ts";
import type { ReceivedDelivery } from "./webhook-receiver.ts";

export function sessionStub(threadId: string, tenant = "acme") {
  return env.SESSIONS.getByName(sessionObjectName({ tenant, threadId }));
}

/** Only Date is faked: it reaches the object's code in this isolate, while the real alarm scheduler stays out of it. */
export function useFakeClock() {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now());
}

export function advance(ms: number) {
  vi.setSystemTime(Date.now() + ms);
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

export async function readSession(threadId: string): Promise<SessionView> {
  const response = await api.get(threadId);
  if (response.status !== 200) throw new Error(`GET session answered ${response.status}`);
  return json<SessionView>(response);
}

export async function readLog(threadId: string): Promise<EventPage["events"]> {
  return (await json<EventPage>(await api.events(threadId, "?limit=1000"))).events;
}

export async function deliveriesFor(threadId: string): Promise<ReceivedDelivery[]> {
  const response = await fetch(`${env.WEBHOOK_RECEIVER}/received?threadId=${encodeURIComponent(threadId)}`);
  return (await response.json()) as ReceivedDelivery[];
}

export async function failNextDeliveries(threadId: string, times: number) {
  await fetch(`${env.WEBHOOK_RECEIVER}/control/fail`, { method: "POST", body: JSON.stringify({ threadId, times }) });
}
