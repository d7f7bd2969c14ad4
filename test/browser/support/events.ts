/** Events the browser tests post, as an orchestrator would, with the API token. */
import { API_TOKEN } from "./dev-server.ts";

type Event = Record<string, unknown>;

export function newThreadId(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/** A session's page: its threadId in a query parameter, where the asset layer leaves an encoded slash alone. */
export function sessionPagePath(threadId: string): string {
  return `/session?id=${encodeURIComponent(threadId)}`;
}

export async function post(origin: string, threadId: string, events: Event[]): Promise<void> {
  const response = await fetch(`${origin}/v1/sessions/${encodeURIComponent(threadId)}/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(
      events.map((event) => ({ provider: "codex", threadId, createdAt: new Date().toISOString(), ...event })),
    ),
  });
  if (!response.ok) throw new Error(`POST events for ${threadId}: ${response.status} ${await response.text()}`);
  await response.body?.cancel();
}

/** A read token for every session of the tenant, as the dashboard's sign-in mints one, but living `ttlSeconds`. */
export async function mintReadToken(origin: string, ttlSeconds: number): Promise<{ token: string; expiresAt: string }> {
  const response = await fetch(`${origin}/v1/read-tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ ttlSeconds }),
  });
  if (!response.ok) throw new Error(`POST read-tokens: ${response.status} ${await response.text()}`);
  return (await response.json()) as { token: string; expiresAt: string };
}

let counter = 0;
const id = () => `e${++counter}-${crypto.randomUUID().slice(0, 8)}`;

export const ev = {
  sessionStarted: (): Event => ({ eventId: id(), type: "session.started", payload: {} }),
  turnStarted: (turnId: string): Event => ({ eventId: id(), type: "turn.started", turnId }),
  delta: (turnId: string, text: string): Event => ({
    eventId: id(),
    type: "content.delta",
    turnId,
    payload: { delta: text },
  }),
  approvalOpened: (turnId: string, requestId: string): Event => ({
    eventId: id(),
    type: "request.opened",
    turnId,
    requestId,
    payload: { requestType: "command_execution_approval", detail: "npm test" },
  }),
  approvalResolved: (turnId: string, requestId: string): Event => ({
    eventId: id(),
    type: "request.resolved",
    turnId,
    requestId,
    payload: { requestType: "command_execution_approval", decision: "accept" },
  }),
  turnCompleted: (turnId: string): Event => ({
    eventId: id(),
    type: "turn.completed",
    turnId,
    payload: { state: "completed" },
  }),
};

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);
