/** One rule for configuration: a bad value is 500 `misconfigured`, a missing secret 503 `not-configured`, /healthz 503. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Problem } from "../../src/contracts/problem.ts";
import { app } from "../../src/http/app.ts";
import { ev } from "../support/events.ts";
import { ACME_TOKEN } from "../support/test-config.ts";

const auth = { authorization: `Bearer ${ACME_TOKEN}` };

function withEnv(overrides: Record<string, string>) {
  const configured = { ...env, ...overrides };
  return {
    get: (path: string, headers: Record<string, string> = auth) => app.request(path, { headers }, configured),
    post: (path: string, body: unknown) =>
      app.request(
        path,
        { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) },
        configured,
      ),
  };
}

async function problemOf(response: Response, status: number, kind: string): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const problem = (await response.json()) as Problem;
  expect(problem).toMatchObject({ status, type: `urn:provider-sessions:problem:${kind}` });
  return problem;
}

describe("a bad configuration value", () => {
  const worker = withEnv({ IDLE_TIMEOUT_SECONDS: "abc" });

  it("answers every /v1 request 500 misconfigured, naming the variable", async () => {
    for (const response of [
      await worker.get("/v1/sessions/t-1"),
      await worker.get("/v1/sessions/t-1/events"),
      await worker.post("/v1/sessions/t-1/events", ev.sessionStarted({ threadId: "t-1" })),
    ]) {
      const problem = await problemOf(response, 500, "misconfigured");
      expect(problem.detail).toContain("IDLE_TIMEOUT_SECONDS");
      expect(problem.variables).toEqual(["IDLE_TIMEOUT_SECONDS"]);
    }
  });

  it("answers /healthz 503 misconfigured when an API token starts with rt1.", async () => {
    const problem = await problemOf(
      await withEnv({ API_TOKENS: "acme:rt1.abcdefgh" }).get("/healthz", {}),
      503,
      "misconfigured",
    );
    expect(problem.variables).toEqual(["API_TOKENS"]);
  });

  it("answers /healthz 503 with the same problem", async () => {
    const problem = await problemOf(await worker.get("/healthz", {}), 503, "misconfigured");
    expect(problem.detail).toContain("IDLE_TIMEOUT_SECONDS");
  });

  it("never shows the value, which may carry credentials", async () => {
    const leaky = withEnv({ WEBHOOK_URL: "ftp://user:hunter2@example.com/hook" });
    const problem = await problemOf(await leaky.get("/v1/sessions/t-1"), 500, "misconfigured");
    expect(problem.variables).toEqual(["WEBHOOK_URL"]);
    expect(JSON.stringify(problem)).not.toContain("hunter2");
  });
});

describe("a missing required secret", () => {
  it("answers 503 not-configured naming WEBHOOK_SECRET when WEBHOOK_URL is set without it", async () => {
    const worker = withEnv({ WEBHOOK_URL: "https://orchestrator.example/hooks", WEBHOOK_SECRET: "" });
    const problem = await problemOf(await worker.get("/v1/sessions/t-1"), 503, "not-configured");
    expect(problem.variables).toEqual(["WEBHOOK_SECRET"]);
    await problemOf(await worker.get("/healthz", {}), 503, "not-configured");
  });
});

describe("the token list", () => {
  it("keeps its diagnostics from a caller who has not authenticated", async () => {
    const worker = withEnv({ API_TOKENS: "acme:acme-token-0001,globex:acme-token-0001" });
    const problem = await problemOf(await worker.get("/v1/sessions/t-1", {}), 500, "misconfigured");
    expect(problem.variables).toEqual(["API_TOKENS"]);
    expect(problem.detail).not.toMatch(/entry|reuses|acme/);
  });
});

describe("a good configuration", () => {
  it("answers /healthz 200", async () => {
    const response = await withEnv({}).get("/healthz", {});
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });
});
