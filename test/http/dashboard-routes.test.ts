/**
 * The dashboard and the API share one origin. Inside the test runtime a request to the Worker skips the asset
 * router, so pages are checked through the ASSETS binding (the same files, the same single-page fallback); that
 * `run_worker_first` keeps /v1, /openapi.json and /healthz away from the pages is checked in a real browser
 * against `wrangler dev` (test/browser).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { request } from "../support/api.ts";

const navigate = (path: string) =>
  env.ASSETS.fetch(`https://sessions.test${path}`, { headers: { "sec-fetch-mode": "navigate", accept: "text/html" } });

describe("the dashboard's pages", () => {
  it("serves the page at /", async () => {
    const response = await navigate("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain('<script type="module" src="/app.js">');
  });

  it("serves the same page at a session's URL, so it can be linked, and at the old form of one", async () => {
    for (const path of ["/session?id=thread%2F42", "/session?id=..%2F..%2Fv1%2Fsessions", "/sessions/thread-42"]) {
      const response = await navigate(path);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(await response.text()).toContain('<div id="app">');
    }
  });

  it("serves the bundle and the stylesheet, built before the tests", async () => {
    const script = await env.ASSETS.fetch("https://sessions.test/app.js");
    expect(script.headers.get("content-type")).toContain("javascript");
    expect(await script.text()).toContain("provider-sessions:read-token");
    const styles = await env.ASSETS.fetch("https://sessions.test/styles.css");
    expect(styles.headers.get("content-type")).toContain("text/css");
    await styles.body?.cancel();
  });
});

describe("the Worker beside the pages", () => {
  it("answers /v1 with the API, a navigation included", async () => {
    const response = await request("GET", "/v1/sessions", undefined, {
      token: null,
      headers: { "sec-fetch-mode": "navigate" },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  it("serves the dashboard's page through the Worker at / and at a session's URL", async () => {
    for (const path of ["/", "/session?id=thread%2F42", "/sessions/thread-42"]) {
      const response = await request("GET", path, undefined, { token: null, headers: { accept: "text/html" } });
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(await response.text()).toContain('<div id="app">');
    }
  });

  it("answers every path under the API's names with a JSON 404 problem, never the page", async () => {
    for (const path of ["/v1", "/v1/", "/V1/sessions", "/v1/nothing", "/healthz/", "/HEALTHZ", "/openapi.json/x"]) {
      const response = await request("GET", path, undefined, { headers: { accept: "text/html" } });
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect({ path, type: response.headers.get("content-type") }).toEqual({ path, type: "application/problem+json" });
      await response.body?.cancel();
    }
  });

  it("answers /openapi.json and /healthz", async () => {
    const openapi = await request("GET", "/openapi.json", undefined, { token: null });
    expect(((await openapi.json()) as { openapi: string }).openapi).toBe("3.1.0");
    const health = await request("GET", "/healthz", undefined, { token: null });
    expect(await health.json()).toEqual({ ok: true });
  });
});
