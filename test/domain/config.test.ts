import { describe, expect, it } from "vitest";
import { configIssues } from "../../src/config.ts";
import { parseTenantTokens } from "../../src/config-access.ts";
import { parseSessionConfig } from "../../src/config-session.ts";
import { ConfigError } from "../../src/config-source.ts";

const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;

function problemsOf(parse: () => unknown): readonly string[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("session configuration", () => {
  it("defaults to 30 min idle, 2 h stale turn, 1 day retention, 5 min stall, 2 h stale task, 1 day request timeout, no webhook and no usage alert", () => {
    expect(parseSessionConfig({})).toEqual({
      policy: {
        idleTimeoutMs: 1_800_000,
        staleTurnTimeoutMs: 7_200_000,
        retentionMs: 86_400_000,
        stallAfterMs: 300_000,
        staleTaskTimeoutMs: 7_200_000,
        pendingRequestTimeoutMs: 86_400_000,
      },
      webhook: null,
      usageAlertUsd: null,
    });
  });

  it("reads durations in seconds", () => {
    const config = parseSessionConfig({
      IDLE_TIMEOUT_SECONDS: "2",
      STALE_TURN_TIMEOUT_SECONDS: "3",
      RETENTION_SECONDS: "4",
      STALL_AFTER_SECONDS: "5",
      STALE_TASK_TIMEOUT_SECONDS: "6",
      PENDING_REQUEST_TIMEOUT_SECONDS: "7",
    });
    expect(config.policy).toEqual({
      idleTimeoutMs: 2000,
      staleTurnTimeoutMs: 3000,
      retentionMs: 4000,
      stallAfterMs: 5000,
      staleTaskTimeoutMs: 6000,
      pendingRequestTimeoutMs: 7000,
    });
  });

  it.each([
    ["abc", "must be a number of seconds"],
    ["1.5", "must be a whole number of seconds"],
    ["0", "must be at least 1 second"],
    ["-5", "must be at least 1 second"],
  ])("refuses IDLE_TIMEOUT_SECONDS=%s with a message naming it", (value, message) => {
    expect(problemsOf(() => parseSessionConfig({ IDLE_TIMEOUT_SECONDS: value }))).toEqual([
      `IDLE_TIMEOUT_SECONDS ${message}`,
    ]);
  });

  it("requires a whsec_ secret when a webhook URL is set", () => {
    expect(problemsOf(() => parseSessionConfig({ WEBHOOK_URL: "https://orchestrator.example/hooks" }))).toEqual([
      expect.stringContaining("WEBHOOK_SECRET"),
    ]);
    expect(
      problemsOf(() => parseSessionConfig({ WEBHOOK_URL: "https://o.example/h", WEBHOOK_SECRET: "plain" })),
    ).toHaveLength(1);
  });

  it("refuses a webhook URL that is not http(s)", () => {
    expect(problemsOf(() => parseSessionConfig({ WEBHOOK_URL: "ftp://x", WEBHOOK_SECRET: secret }))).toEqual([
      "WEBHOOK_URL must be an http(s) URL",
    ]);
  });

  it("decodes the webhook secret", () => {
    const config = parseSessionConfig({ WEBHOOK_URL: "http://127.0.0.1:9000/hook", WEBHOOK_SECRET: secret });
    expect(config.webhook?.url).toBe("http://127.0.0.1:9000/hook");
    expect(Buffer.from(config.webhook?.secret ?? []).toString()).toBe("0123456789abcdef0123456789abcdef");
  });

  it("never repeats a value in a message, since a URL may carry credentials", () => {
    const issues = configIssues({
      API_TOKENS: "acme:acme-token-1",
      WEBHOOK_URL: "ftp://user:hunter2@example.com",
      WEBHOOK_SECRET: "whsec_hunter2",
      IDLE_TIMEOUT_SECONDS: "hunter2",
    });
    expect(issues.map((issue) => issue.variable).sort()).toEqual([
      "IDLE_TIMEOUT_SECONDS",
      "WEBHOOK_SECRET",
      "WEBHOOK_URL",
    ]);
    expect(JSON.stringify(issues)).not.toContain("hunter2");
  });

  it("tells a missing webhook secret (not configured) from a bad one (misconfigured)", () => {
    const base = { API_TOKENS: "acme:acme-token-1", WEBHOOK_URL: "https://o.example/h" };
    expect(configIssues(base)).toEqual([expect.objectContaining({ variable: "WEBHOOK_SECRET", kind: "missing" })]);
    expect(configIssues({ ...base, WEBHOOK_SECRET: "plain" })).toEqual([
      expect.objectContaining({ variable: "WEBHOOK_SECRET", kind: "invalid" }),
    ]);
  });

  it("refuses the pre-0.2 name REAP_WEBHOOK_URL instead of silently sending nothing", () => {
    expect(configIssues({ API_TOKENS: "acme:acme-token-1", REAP_WEBHOOK_URL: "https://o.example/h" })).toEqual([
      expect.objectContaining({ variable: "REAP_WEBHOOK_URL", kind: "invalid" }),
    ]);
  });

  it("reports every bad variable at once", () => {
    expect(problemsOf(() => parseSessionConfig({ IDLE_TIMEOUT_SECONDS: "x", RETENTION_SECONDS: "y" }))).toHaveLength(2);
  });
});

describe("API_TOKENS", () => {
  it("is null when unset, so the service fails closed", () => {
    expect(parseTenantTokens({})).toBeNull();
    expect(parseTenantTokens({ API_TOKENS: "  " })).toBeNull();
  });

  it("parses tenant:token pairs", () => {
    expect(parseTenantTokens({ API_TOKENS: "local:dev-token, acme:s3cr3t-t0ken" })).toEqual([
      { tenant: "local", token: "dev-token" },
      { tenant: "acme", token: "s3cr3t-t0ken" },
    ]);
  });

  it.each(["no-colon-here", "bad tenant:token-12345", "acme:short", "a/b:token-12345"])("refuses %s", (value) => {
    expect(problemsOf(() => parseTenantTokens({ API_TOKENS: value }))).toHaveLength(1);
  });

  it("refuses an API token that starts as a read token does: it would be checked as one and never work", () => {
    expect(
      problemsOf(() => parseTenantTokens({ API_TOKENS: "acme:ok-token-123,ops:rt1.looks-like-a-read-token" })),
    ).toEqual([expect.stringContaining("entry 2 starts with rt1.")]);
  });

  it("refuses one token for two tenants", () => {
    expect(problemsOf(() => parseTenantTokens({ API_TOKENS: "a:same-token-1,b:same-token-1" }))).toEqual([
      expect.stringContaining("reuses a token"),
    ]);
  });
});
