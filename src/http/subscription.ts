/** Hands a live subscription (WebSocket or SSE) to the object that serves it, and passes its answer back. */
import type { Context } from "hono";
import {
  EVENT_STREAM_HEADERS,
  MAX_SUBSCRIBERS,
  MAX_SUBSCRIBERS_PER_READ_TOKEN,
  type SubscriberCap,
} from "../session/live-hub.ts";
import { writeGrant } from "../session/subscription-grant.ts";
import type { AppEnv } from "./app-env.ts";
import { fail } from "./problem.ts";

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
  /** What the server is, for the problem a refusal over its cap gets. */
  place: "session" | "directory",
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
  if (response.status === 429) refuseOverCap((await response.text()) as SubscriberCap, place);
  // A copy: the object's response has immutable headers, and the app's middleware adds its own.
  return new Response(response.body, {
    status: response.status,
    headers: response.headers,
    webSocket: response.webSocket,
  });
}

/** A cap refuses the subscriber: the object's for everyone, or the one a read token has on one object. */
function refuseOverCap(cap: SubscriberCap, place: "session" | "directory"): never {
  if (cap === "read-token") {
    fail(
      "too-many-subscribers",
      `This read token holds ${MAX_SUBSCRIBERS_PER_READ_TOKEN} subscriptions on this ${place}; close one first.`,
      {},
      { "retry-after": "5" },
    );
  }
  fail("too-many-subscribers", `This ${place} has ${MAX_SUBSCRIBERS} subscribers; close one or try again later.`);
}
