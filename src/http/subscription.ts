/** Hands a live read (WebSocket, SSE, or a Durable Streams read of a log) to the object that serves it. */
import type { Context } from "hono";
import { MAX_SUBSCRIBERS, MAX_SUBSCRIBERS_PER_READ_TOKEN, type SubscriberCap } from "../live/caps.ts";
import { EVENT_STREAM_HEADERS } from "../live/event-stream.ts";
import { type SubscriptionRequest, subscriptionInit } from "../live/subscription-request.ts";
import type { AppEnv } from "./app-env.ts";
import { fail } from "./problem.ts";

interface SubscriptionServer {
  fetch(url: string, init: RequestInit): Promise<Response>;
}

/** What the object serves: named in the problems its refusals get. */
export type Place = "session" | "directory";

/** HEAD of an event stream: its headers, without taking one of the server's subscriber places. */
export function eventStreamHead(): Response {
  return new Response(null, { status: 200, headers: EVENT_STREAM_HEADERS });
}

/** The subscription without its read token: the caller's access adds it, so it ends when the token does. */
export type Subscription<R, P> =
  SubscriptionRequest<R, P> extends infer S ? (S extends unknown ? Omit<S, "grant"> : never) : never;

export async function forwardSubscription<R, P>(
  c: Context<AppEnv>,
  server: SubscriptionServer,
  subscription: Subscription<R, P>,
  place: Place,
  headers: HeadersInit = {},
): Promise<Response> {
  const access = c.get("access");
  const request = { ...subscription, grant: access.kind === "read" ? access.grant : null } as SubscriptionRequest<R, P>;
  const response = await server.fetch("https://subscription/", subscriptionInit(request, headers));
  if (response.status >= 400) await refuse(response, place);
  // A copy: the object's response has immutable headers, and the app's middleware adds its own.
  return new Response(response.body, {
    status: response.status,
    headers: response.headers,
    webSocket: response.webSocket,
  });
}

/** The object's refusals, as problems: it answers a bare status and a word, the Worker words them. */
async function refuse(response: Response, place: Place): Promise<never> {
  const reason = await response.text();
  switch (response.status) {
    case 429:
      return refuseOverCap(reason as SubscriberCap, place);
    case 404:
      return fail("session-not-found", "No such session for this tenant: it was never written, or it was deleted.");
    case 410:
      return fail(
        "offset-gone",
        place === "session"
          ? "This offset is of an earlier life of the session (it was deleted and begun again): read from offset=-1."
          : "The directory no longer keeps changes this old: list the sessions again, then read from offset=now.",
      );
    case 400:
      return fail("malformed-offset", "This offset is beyond the end of the log: pass an offset the log gave you.");
    default:
      throw new Error(`the ${place} object answered ${response.status}: ${reason}`);
  }
}

/** A cap refuses the subscriber: the object's for everyone, or the one a read token has on one object. */
function refuseOverCap(cap: SubscriberCap, place: Place): never {
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
