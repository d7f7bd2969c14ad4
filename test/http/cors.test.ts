/**
 * CORS: same origin only by default; a list of exact origins; or any origin for reads with read tokens only. It runs
 * before authentication, so a preflight needs no token and a page can read its 401.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ReadToken } from "../../src/contracts/read-tokens.ts";
import { app } from "../../src/http/app.ts";
import { api, json, newThreadId, request, sessionPath } from "../support/api.ts";
import { ev } from "../support/events.ts";
import { expectProblem } from "../support/problems.ts";
import { ACME_TOKEN } from "../support/test-config.ts";

const PAGE = "https://app.example.com";
const STRANGER = "https://evil.example.net";

function worker(corsOrigins: string) {
  const configured = { ...env, CORS_ORIGINS: corsOrigins };
  return (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    app.request(path, init, configured);
}

const preflight = (origin: string, method = "GET", headers = "authorization") => ({
  method: "OPTIONS",
  headers: { origin, "access-control-request-method": method, "access-control-request-headers": headers },
});

async function startedSession(): Promise<string> {
  const threadId = newThreadId();
  expect((await api.post(threadId, ev.sessionStarted({ threadId }))).status).toBe(200);
  return threadId;
}

async function readToken(): Promise<string> {
  return (await json<ReadToken>(await request("POST", "/v1/read-tokens"))).token;
}

describe("CORS_ORIGINS empty (the default): same origin only", () => {
  it("sends no CORS header, and a preflight is not let through without a token", async () => {
    const call = worker("");
    const response = await call("/v1/sessions", preflight(PAGE));
    expect(response.status).toBe(401);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const read = await call("/v1/sessions", { headers: { origin: PAGE, authorization: `Bearer ${ACME_TOKEN}` } });
    expect(read.status).toBe(200);
    expect(read.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CORS_ORIGINS as a list of origins", () => {
  const call = worker(`${PAGE}, http://localhost:5173`);

  it("answers a preflight 204 without a token, for the listed origin, with every method and the four headers", async () => {
    const response = await call(`${sessionPath("t-1")}/events`, preflight(PAGE, "POST", "authorization,content-type"));
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(response.headers.get("access-control-allow-methods")?.split(",")).toEqual(["GET", "HEAD", "POST", "DELETE"]);
    expect(response.headers.get("access-control-allow-headers")?.split(",")).toEqual([
      "authorization",
      "content-type",
      "last-event-id",
      "if-none-match",
    ]);
    expect(response.headers.get("vary")).toContain("Origin");
  });

  it("never reflects an origin that is not listed", async () => {
    const response = await call("/v1/sessions", preflight(STRANGER));
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const read = await call("/v1/sessions", { headers: { origin: STRANGER, authorization: `Bearer ${ACME_TOKEN}` } });
    expect(read.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("lets the page read its 401, and its answers with the exposed headers", async () => {
    const unauthorized = await call("/v1/sessions", { headers: { origin: PAGE } });
    await expectProblem(unauthorized.clone(), 401, "unauthorized");
    expect(unauthorized.headers.get("access-control-allow-origin")).toBe(PAGE);
    const threadId = await startedSession();
    const read = await call(sessionPath(threadId), {
      headers: { origin: PAGE, authorization: `Bearer ${ACME_TOKEN}` },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(read.headers.get("access-control-expose-headers")?.split(",")).toEqual(
      expect.arrayContaining(["retry-after", "etag", "allow", "x-accel-buffering"]),
    );
  });
});

describe("a page reading a log by offset", () => {
  it("may read its Stream-* headers and ETag across origins", async () => {
    const call = worker(PAGE);
    const threadId = await startedSession();
    const read = await call(`${sessionPath(threadId)}/log?offset=-1`, {
      headers: { origin: PAGE, authorization: `Bearer ${ACME_TOKEN}` },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get("stream-next-offset")).not.toBeNull();
    expect(read.headers.get("access-control-expose-headers")?.split(",")).toEqual(
      expect.arrayContaining(["stream-next-offset", "stream-up-to-date", "stream-cursor", "stream-closed", "etag"]),
    );
    const ask = await call(`${sessionPath(threadId)}/log`, preflight(PAGE, "GET", "authorization,if-none-match"));
    expect(ask.headers.get("access-control-allow-headers")?.split(",")).toEqual(
      expect.arrayContaining(["authorization", "if-none-match"]),
    );
  });
});

describe("CORS_ORIGINS=*", () => {
  const call = worker("*");

  it("allows any origin to preflight reads only: GET and HEAD", async () => {
    const response = await call("/v1/sessions", preflight(STRANGER, "POST"));
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")?.split(",")).toEqual(["GET", "HEAD"]);
  });

  it("lets a page read with a read token, in the header or the URL", async () => {
    const threadId = await startedSession();
    const token = await readToken();
    const viaHeader = await call(sessionPath(threadId), {
      headers: { origin: STRANGER, authorization: `Bearer ${token}` },
    });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.headers.get("access-control-allow-origin")).toBe("*");
    const viaQuery = await call(`${sessionPath(threadId)}?access_token=${encodeURIComponent(token)}`, {
      headers: { origin: STRANGER },
    });
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("never lets a page read what an API token answers, nor write with one", async () => {
    const threadId = await startedSession();
    const read = await call(sessionPath(threadId), {
      headers: { origin: STRANGER, authorization: `Bearer ${ACME_TOKEN}` },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get("access-control-allow-origin")).toBeNull();
    const write = await call(`${sessionPath(threadId)}/events`, {
      method: "POST",
      headers: { origin: STRANGER, authorization: `Bearer ${ACME_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(ev.health({ threadId })),
    });
    expect(write.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("a CORS_ORIGINS that is not a list of origins", () => {
  it.each(["https://app.example.com/", "app.example.com", "https://a.example.com,*", "ftp://files.example.com"])(
    "is refused as misconfigured: %s",
    async (value) => {
      const response = await worker(value)("/healthz");
      const problem = await expectProblem(response, 503, "misconfigured");
      expect(problem.variables).toEqual(["CORS_ORIGINS"]);
    },
  );
});
