/**
 * `GET /v1/usage` through the Worker: each session's buckets reach its tenant's directory once its outbox drains,
 * and the rollups sum them by day, provider, model or thread, as JSON or CSV; they outlive a session's purge. A tenant
 * of its own (initech), so no other test's sessions add to its totals. Expected figures are worked out by hand.
 */
import { describe, expect, it, vi } from "vitest";
import type { UsageReply } from "../../src/contracts/usage.ts";
import { json, newThreadId, request, sessionPath } from "../support/api.ts";
import { runtimeEvent } from "../support/events.ts";
import { INITECH_TOKEN } from "../support/test-config.ts";

const asInitech = { token: INITECH_TOKEN };
const post = (threadId: string, body: unknown) => request("POST", `${sessionPath(threadId)}/events`, body, asInitech);
const usage = (query = "") => request("GET", `/v1/usage${query}`, undefined, asInitech);

/** A session of `provider` on `model` that reports one snapshot of running totals (and the provider's cost, if any). */
async function sessionWithUsage(provider: string, model: string, totals: Record<string, unknown>): Promise<string> {
  const threadId = newThreadId();
  const o = { threadId, provider };
  const response = await post(threadId, [
    runtimeEvent("session.started", {}, o),
    runtimeEvent("turn.started", { model }, { ...o, turnId: "t1" }),
    runtimeEvent("thread.token-usage.updated", { usage: { usedTokens: 1, ...totals } }, { ...o, turnId: "t1" }),
    runtimeEvent("turn.completed", { state: "completed" }, { ...o, turnId: "t1" }),
  ]);
  expect(response.status).toBe(200);
  return threadId;
}

describe("GET /v1/usage", () => {
  it("sums the tenant's sessions by provider and by thread, knows which costs are unknown, and keeps a purged session's", async () => {
    // GPT-5 at $1.25 a million uncached input, $0.125 cached, $10 output: 6,000 + 4,000 cached + 2,000 out.
    const priced = await sessionWithUsage("codex", "gpt-5", {
      inputTokens: 10_000,
      cachedInputTokens: 4_000,
      outputTokens: 2_000,
    });
    const pricedUsd = (6_000 * 1.25 + 4_000 * 0.125 + 2_000 * 10) / 1e6;
    const cost = { currency: "USD", totalCostUsd: 0.5, source: "provider", confidence: "exact", components: [] };
    const reported = await sessionWithUsage("claude", "claude-sonnet-4-5", {
      inputTokens: 1_000,
      outputTokens: 100,
      cost,
    });
    const unknown = await sessionWithUsage("codex", "model-z", { inputTokens: 500, outputTokens: 50 });

    const byProvider = async () => json<UsageReply>(await usage("?groupBy=provider"));
    await vi.waitUntil(async () => (await byProvider()).totals.sessions === 3, { timeout: 10_000, interval: 100 });
    const report = await byProvider();
    expect(report.groupBy).toEqual(["provider"]);
    expect(
      report.rows.map((row) => [row.provider, row.inputTokens, row.outputTokens, row.unpricedTokens, row.sessions]),
    ).toEqual([
      ["claude", 1_000, 100, 0, 1],
      ["codex", 10_500, 2_050, 550, 2],
    ]);
    expect(report.rows[0]?.costUsd).toBe(0.5);
    // Part of codex's cost is unknown: no figure, never 0, but the known part is there.
    expect(report.rows[1]?.costUsd).toBeNull();
    expect(report.rows[1]?.knownCostUsd).toBeCloseTo(pricedUsd, 10);
    expect(report.totals).toMatchObject({ inputTokens: 11_500, unpricedTokens: 550, sessions: 3, costUsd: null });

    const byThread = await json<UsageReply>(await usage("?groupBy=thread"));
    expect(byThread.rows.map((row) => row.threadId)).toEqual([reported, priced, unknown]);

    // The rollups outlive the session's purge.
    expect((await request("DELETE", sessionPath(priced), undefined, asInitech)).status).toBe(204);
    expect((await byProvider()).totals.sessions).toBe(3);

    const csv = await usage("?groupBy=day,provider&format=csv");
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const lines = (await csv.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "day,provider,inputTokens,cachedInputTokens,cacheCreationInputTokens,outputTokens,reasoningOutputTokens,costUsd,knownCostUsd,unpricedTokens,sessions",
    );
    const today = new Date().toISOString().slice(0, 10);
    expect(lines.slice(1)).toEqual([
      `${today},claude,1000,0,0,100,0,0.5,0.5,0,1`,
      `${today},codex,10500,4000,0,2050,0,,${report.rows[1]?.knownCostUsd},550,2`,
    ]);
  });

  it("refuses a malformed or backwards range, an unknown dimension, format or limit, as problems", async () => {
    for (const query of [
      "?from=2026-13-01",
      "?from=2026-12-06&to=2026-12-01",
      "?groupBy=week",
      "?format=xml",
      "?limit=0",
    ]) {
      const response = await usage(query);
      expect(response.status, query).toBeGreaterThanOrEqual(400);
      expect(response.status, query).toBeLessThan(500);
      expect(response.headers.get("content-type"), query).toContain("application/problem+json");
    }
  });
});
