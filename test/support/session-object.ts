/** Direct handles on a session object for tests that drive alarms and time. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { parseSessionConfig } from "../../src/config-session.ts";
import type { EventPage, SessionView } from "../../src/contracts/replies.ts";
import type { ReapingPolicy } from "../../src/domain/reaping.ts";
import { sessionObjectName } from "../../src/session/session-key.ts";
import type { SessionObject } from "../../src/session/session-object.ts";
import { api, json, newThreadId } from "./api.ts";
import { ev } from "./events.ts";
import type { ReceivedDelivery } from "./webhook-delivery.ts";

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

/** The reaping timings the test Worker runs with (wrangler.toml [vars]). */
export function sessionPolicy(): ReapingPolicy {
  return parseSessionConfig({ ...env }).policy;
}

export function alarmAt(threadId: string): Promise<number | null> {
  return runInDurableObject(sessionStub(threadId), (_, state) => state.storage.getAlarm());
}

/**
 * Tells the webhook receiver the object's clock before anything can deliver: the receiver checks `webhook-timestamp`
 * against it, and the tests fake it hours ahead of the receiver's own. Every helper that runs the alarm calls it.
 */
export async function shareClockWithReceiver(threadId: string): Promise<void> {
  const now = Date.now();
  await fetch(`${env.WEBHOOK_RECEIVER}/control/clock`, { method: "POST", body: JSON.stringify({ threadId, now }) });
}

/** Runs the alarm the way the scheduler does; false when none was set. */
export async function runAlarm(threadId: string): Promise<boolean> {
  await shareClockWithReceiver(threadId);
  return runDurableObjectAlarm(sessionStub(threadId));
}

/** Calls alarm() on the instance whether or not one is due, as an at-least-once scheduler may deliver it again. */
export async function deliverAlarmAgain(threadId: string): Promise<void> {
  await shareClockWithReceiver(threadId);
  await runInDurableObject(sessionStub(threadId), (instance: SessionObject) => instance.alarm());
}

/** A storage method that fails once, or the first SQL statement matching a pattern. */
export type StorageFault = "setAlarm" | "deleteAll" | "transactionSync" | { sql: RegExp };

/**
 * Runs `act` inside the object while one storage call fails, and returns what it threw (or null). The failure is
 * caught here, inside the object, because an RPC that rejects leaks an unhandled rejection in the test runtime.
 */
export async function withStorageFault(
  threadId: string,
  fault: StorageFault,
  act: (instance: SessionObject) => Promise<unknown>,
): Promise<string | null> {
  await shareClockWithReceiver(threadId);
  return runInDurableObject(sessionStub(threadId), async (instance: SessionObject, state) => {
    const restore = injectFault(state.storage, fault);
    try {
      await act(instance);
      return null;
    } catch (error) {
      return String(error);
    } finally {
      restore();
    }
  });
}

function injectFault(storage: DurableObjectStorage, fault: StorageFault): () => void {
  const target = (typeof fault === "string" ? storage : storage.sql) as unknown as Record<string, unknown>;
  const name = typeof fault === "string" ? fault : "exec";
  const original = target[name] as (...args: unknown[]) => unknown;
  const own = Object.getOwnPropertyDescriptor(target, name);
  let failed = false;
  target[name] = function (this: unknown, ...args: unknown[]) {
    const matches = typeof fault === "string" || fault.sql.test(String(args[0]));
    if (!failed && matches) {
      failed = true;
      throw new Error(`injected storage failure in ${name}`);
    }
    return original.apply(this, args);
  };
  return () => {
    if (own === undefined) delete target[name];
    else Object.defineProperty(target, name, own);
  };
}

/** A new session whose one turn has completed: ready, holding no turn, due for the idle reap later. */
export async function readySession(): Promise<string> {
  const threadId = newThreadId();
  await api.post(threadId, [
    ev.sessionStarted({ threadId }),
    ev.turnStarted("t1", { threadId }),
    ev.turnCompleted("t1", "completed", { threadId }),
  ]);
  return threadId;
}

export async function readSession(threadId: string): Promise<SessionView> {
  const response = await api.get(threadId);
  if (response.status !== 200) throw new Error(`GET session answered ${response.status}`);
  return json<SessionView>(response);
}

export async function readLog(threadId: string): Promise<EventPage["events"]> {
  return (await json<EventPage>(await api.events(threadId, "?limit=1000"))).events;
}

/** The whole log, page by page. */
export async function readWholeLog(threadId: string): Promise<EventPage["events"]> {
  const events: EventPage["events"] = [];
  for (let after: number | null = 0; after !== null; ) {
    const page: EventPage = await json<EventPage>(await api.events(threadId, `?after=${after}&limit=1000`));
    events.push(...page.events);
    after = page.nextAfter;
  }
  return events;
}

export async function deliveriesFor(threadId: string): Promise<ReceivedDelivery[]> {
  const response = await fetch(`${env.WEBHOOK_RECEIVER}/received?threadId=${encodeURIComponent(threadId)}`);
  return (await response.json()) as ReceivedDelivery[];
}

export async function failNextDeliveries(threadId: string, times: number) {
  await fetch(`${env.WEBHOOK_RECEIVER}/control/fail`, { method: "POST", body: JSON.stringify({ threadId, times }) });
}
