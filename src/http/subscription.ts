/** Hands a live subscription (WebSocket or SSE) to the object that serves it, and passes its answer back. */
import type { Context } from "hono";
import { EVENT_STREAM_HEADERS } from "../session/live-hub.ts";
import { writeGrant } from "../session/subscription-grant.ts";
import type { AppEnv } from "./app-env.ts";

interface SubscriptionServer {
  fetch(url: URL, init: { headers: HeadersInit }): Promise<Response>;
}

/** HEAD of an event stream: its headers, without taking one of the server's subscriber places. */
export function eventStreamHead(): Response {
  return new Response(null, { status: 200, headers: EVENT_STREAM_HEADERS });
}

export async function forwardSubscription(
  c: Context<AppEnv>,
  server: SubscriptionServer,
  path: string,
  after: string | undefined,
  headers: HeadersInit,
  /** Options the server reads as they are (checked by the route), e.g. a socket's framing. */
  options: Record<string, string> = {},
): Promise<Response> {
  const url = new URL(`https://subscription${path}`);
  if (after !== undefined) url.searchParams.set("after", after);
  for (const [name, value] of Object.entries(options)) url.searchParams.set(name, value);
  const access = c.get("access");
  // A subscription opened with a read token ends when the token does.
  if (access.kind === "read") writeGrant(url.searchParams, access.grant);
  const response = await server.fetch(url, { headers });
  // A copy: the object's response has immutable headers, and the app's middleware adds its own.
  return new Response(response.body, {
    status: response.status,
    headers: response.headers,
    webSocket: response.webSocket,
  });
}
