/** The client's `fetch` for tests: the real Worker entry, and a wrapper that injects the faults of a bad network. */
import { exports } from "cloudflare:workers";
import { createClient, type Fetch } from "../../src/client/index.ts";
import { ACME_TOKEN } from "./test-config.ts";

export const ORIGIN = "https://sessions.test";

export const serviceFetch: Fetch = (input, init) => exports.default.fetch(new Request(input, init));

export function testClient(fetch: Fetch = serviceFetch, token = ACME_TOKEN) {
  return createClient({ baseUrl: ORIGIN, token, fetch });
}

/**
 * fail-before: the request never leaves. drop-after: the service stores it, the reply is lost. 503 and 429: answered
 * with Retry-After and nothing stored. timeout: the service stores it, and no reply comes until the caller gives up.
 */
export const FAULTS = ["none", "fail-before", "drop-after", "503", "429", "timeout"] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultLog {
  requests: number;
  faults: Record<Fault, number>;
}

/** Applies `nextFault()` to every POST (until the network heals: "none"); reads pass through untouched. */
export function faultyFetch(nextFault: () => Fault, inner: Fetch = serviceFetch): Fetch & { log: FaultLog } {
  const log: FaultLog = { requests: 0, faults: Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number> };
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    if ((init?.method ?? "GET") !== "POST") return inner(input, init);
    log.requests += 1;
    const fault = nextFault();
    log.faults[fault] += 1;
    switch (fault) {
      case "none":
        // The caller may give up (its timeout); the service, like a real one, goes on with what it received.
        return abandonable(inner(input, unsignalled(init)), init?.signal);
      case "fail-before":
        throw new TypeError("network unreachable");
      case "drop-after": {
        await (await inner(input, unsignalled(init))).arrayBuffer();
        throw new TypeError("connection reset after the request was sent");
      }
      case "503":
      case "429":
        return problemResponse(Number(fault));
      case "timeout": {
        await (await inner(input, unsignalled(init))).arrayBuffer();
        return abandonable(new Promise<Response>(() => {}), init?.signal);
      }
    }
  };
  return Object.assign(fetch, { log });
}

function abandonable(reply: Promise<Response>, signal: AbortSignal | null | undefined): Promise<Response> {
  if (signal === undefined || signal === null) return reply;
  return Promise.race([
    reply,
    new Promise<Response>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    }),
  ]);
}

/** The service side of a lost reply: it stores the request whatever the caller later gives up on. */
function unsignalled(init: RequestInit | undefined): RequestInit {
  const { signal: _ignored, ...rest } = init ?? {};
  return rest;
}

function problemResponse(status: number): Response {
  return new Response(JSON.stringify({ type: "about:blank", title: "Try later", status, detail: "injected" }), {
    status,
    headers: { "content-type": "application/problem+json", "retry-after": "0" },
  });
}

/** Lets the first `bytes` of each of the first `times` matching streams through, then ends them: a dropped connection. */
export function cuttingFetch(match: RegExp, bytes: number, times: number, inner: Fetch = serviceFetch) {
  let cuts = 0;
  const fetch: Fetch = async (input, init) => {
    const response = await inner(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!match.test(url) || response.body === null || cuts >= times) return response;
    cuts += 1;
    const reader = response.body.getReader();
    let left = bytes;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = left <= 0 ? { done: true, value: undefined } : await reader.read();
        if (done) {
          await reader.cancel().catch(() => {});
          return controller.close();
        }
        const part = value.subarray(0, left);
        left -= part.byteLength;
        controller.enqueue(part);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return Object.assign(fetch, { cuts: () => cuts });
}
