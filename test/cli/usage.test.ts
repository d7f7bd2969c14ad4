/** `provider-sessions usage` and the COST column of `ls` against the real Worker. */
import { describe, expect, it, vi } from "vitest";
import type { UsageReply } from "../../src/contracts/usage.ts";
import { newThreadId } from "../support/api.ts";
import { CLI_ENV, cli } from "../support/cli.ts";
import { testClient } from "../support/client-fetch.ts";
import { runtimeEvent } from "../support/events.ts";

const client = testClient();

/** GPT-5: 6,000 uncached input at $1.25 a million, 4,000 cached at $0.125, 2,000 output at $10. */
const GPT5_USD = (6_000 * 1.25 + 4_000 * 0.125 + 2_000 * 10) / 1e6;

async function pricedSession(): Promise<string> {
  const threadId = newThreadId();
  const o = { threadId, turnId: "t1" };
  await client.ingest(threadId, [
    runtimeEvent("session.started", {}, { threadId }),
    runtimeEvent("turn.started", { model: "gpt-5" }, o),
    runtimeEvent(
      "thread.token-usage.updated",
      { usage: { usedTokens: 9_000, inputTokens: 10_000, cachedInputTokens: 4_000, outputTokens: 2_000 } },
      o,
    ),
    runtimeEvent("turn.completed", { state: "completed" }, o),
  ]);
  return threadId;
}

describe("usage", () => {
  it("reports the tenant's usage by thread as JSON, a table with totals and CSV", async () => {
    const threadId = await pricedSession();
    const byThread = async () => JSON.parse((await cli(["usage", "--by", "thread", "--json"])).stdout) as UsageReply;
    await vi.waitUntil(async () => (await byThread()).rows.some((row) => row.threadId === threadId), {
      timeout: 10_000,
      interval: 100,
    });
    const row = (await byThread()).rows.find((candidate) => candidate.threadId === threadId);
    expect(row).toMatchObject({ inputTokens: 10_000, cachedInputTokens: 4_000, outputTokens: 2_000, sessions: 1 });
    expect(row?.costUsd).toBeCloseTo(GPT5_USD, 10);

    const text = await cli(["usage", "--by", "day,provider", "--since", "2d"]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^DAY +PROVIDER +INPUT +CACHED +OUTPUT +COST +KNOWN COST +SESSIONS$/m);
    expect(text.stdout).toMatch(/^total +/m);

    const csv = await cli(["usage", "--by", "thread", "--csv"]);
    expect(csv.stdout.split("\r\n")[0]).toBe(
      "threadId,inputTokens,cachedInputTokens,cacheCreationInputTokens,outputTokens,reasoningOutputTokens,costUsd,knownCostUsd,unpricedTokens,sessions",
    );
    expect(csv.stdout).toContain(`${threadId},10000,4000,0,2000,0,`);
  });

  it("shows the session's cost in ls once the directory has it", async () => {
    const threadId = await pricedSession();
    const costShown = async () => {
      const run = await cli(["ls", "--limit", "50"], { env: { ...CLI_ENV, COLUMNS: "400" } });
      return run.stdout.split("\n").find((line) => line.startsWith(threadId)) ?? "";
    };
    await vi.waitUntil(async () => (await costShown()).includes(`$${GPT5_USD.toFixed(4)}`), {
      timeout: 10_000,
      interval: 100,
    });
    expect((await cli(["ls", "--limit", "1"])).stdout.split("\n")[0]).toMatch(/ COST /);
  });

  it("refuses a dimension or a --since it cannot read", async () => {
    expect((await cli(["usage", "--by", "week"])).status).toBe(2);
    expect((await cli(["usage", "--since", "last tuesday"])).status).toBe(2);
    expect((await cli(["usage", "--json", "--csv"])).status).toBe(2);
  });
});
