/**
 * The usage panel of a session's page (issue 23), in a real browser: tokens by kind, the context window's gauge and
 * the cost with where it came from, live as reports arrive. Every cost is worked out here by hand from the price
 * table's published rates (docs/usage.md), never by the code under test. Each case waits for what a reader would see
 * before it reads anything else.
 */
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, signIn } from "./support/browser.ts";
import { newThreadId, post, sessionPagePath } from "./support/events.ts";
import { browserSuite } from "./support/suite.ts";

const { server, open } = browserSuite();

/** Long enough for a loaded 2-core machine: a wait that times out says what the page showed instead. */
const WAIT = { timeout: 20_000 };

let counter = 0;
const event = (type: string, payload: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  eventId: `usage-${++counter}-${crypto.randomUUID().slice(0, 8)}`,
  type,
  payload,
  ...extra,
});
const started = (model: string, provider = "codex") => [
  event("session.started", {}, { provider }),
  event("turn.started", { model }, { provider, turnId: "t1" }),
];
/** A T3 Code snapshot of running totals, as the Codex bridge sends Codex's `tokenUsage`. */
const report = (usage: Record<string, unknown>, provider = "codex") =>
  event("thread.token-usage.updated", { usage }, { provider, turnId: "t1" });

/** A figure of the usage panel, by the key the page gives it. */
const figure = (page: Page, key: string) => page.locator(`.usage [data-field="${key}"]`);

/** Waits until each figure reads exactly its text. */
async function shows(page: Page, figures: Record<string, string>): Promise<void> {
  for (const [key, text] of Object.entries(figures)) {
    await expect.poll(() => figure(page, key).textContent(), WAIT).toBe(text);
  }
}

/** The gauge's value, bounds and words, as assistive technology reads them. */
const meter = (gauge: Locator) =>
  gauge.evaluate((element) =>
    ["aria-valuenow", "aria-valuemin", "aria-valuemax", "aria-valuetext"].map((name) => element.getAttribute(name)),
  );

/** How much of the gauge's track its bar fills. */
const filled = (gauge: Locator) =>
  gauge.evaluate((element) => {
    const bar = element.firstElementChild as HTMLElement;
    return bar.getBoundingClientRect().width / element.getBoundingClientRect().width;
  });

/** The price table that priced these figures; a new version may price GPT-5 otherwise, so this is checked by hand. */
const TABLE = "@pydantic/genai-prices@0.1.8";
/** GPT-5, per million tokens: $1.25 uncached input, $0.125 cached input, $10 output (reasoning is inside output). */
const gpt5Usd = (input: number, cached: number, output: number) =>
  ((input - cached) * 1.25 + cached * 0.125 + output * 10) / 1e6;

describe("the usage panel", () => {
  it("shows a Codex session's tokens, context window and cost, and follows new reports without a reload", async () => {
    const threadId = newThreadId("codex-usage");
    const first = { usedTokens: 9_000, maxTokens: 272_000, inputTokens: 12_400, cachedInputTokens: 4_000 };
    await post(server.origin, threadId, [
      ...started("gpt-5"),
      report({ ...first, outputTokens: 2_000, reasoningOutputTokens: 500 }),
    ]);
    const page = await open();
    await signIn(page, server.origin, sessionPagePath(threadId));

    // (8,400 × 1.25 + 4,000 × 0.125 + 2,000 × 10) / 1e6 = (10,500 + 500 + 20,000) / 1e6
    expect(gpt5Usd(12_400, 4_000, 2_000)).toBeCloseTo(0.031, 12);
    await shows(page, { cost: `$0.0310 · priced from ${TABLE} (gpt-5)` });
    await shows(page, { input: "12.4k", cached: "4k", "cache-writes": "0", output: "2k", reasoning: "500" });
    expect(await figure(page, "input").getAttribute("value")).toBe("12400");
    await shows(page, { context: "9k of 272k (3%)" });
    const gauge = page.getByRole("meter", { name: "Context window" });
    await gauge.waitFor(WAIT);
    expect(await meter(gauge)).toEqual(["9000", "0", "272000", "9k of 272k (3%)"]);
    // 9,000 of 272,000 is 3.3 % of the track.
    expect(await filled(gauge)).toBeCloseTo(9_000 / 272_000, 2);
    expect(await page.locator(".usage h2").textContent()).toBe("Usage");

    // The page is left as it is; the next report reaches it through the live stream.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    const second = { usedTokens: 68_000, maxTokens: 272_000, inputTokens: 40_000, cachedInputTokens: 12_000 };
    await post(server.origin, threadId, [report({ ...second, outputTokens: 6_000, reasoningOutputTokens: 1_500 })]);
    // (28,000 × 1.25 + 12,000 × 0.125 + 6,000 × 10) / 1e6 = (35,000 + 1,500 + 60,000) / 1e6; the table priced the
    // difference, and the session's cost is the first figure plus it.
    expect(gpt5Usd(40_000, 12_000, 6_000)).toBeCloseTo(0.0965, 12);
    await shows(page, { cost: `$0.0965 · priced from ${TABLE} (gpt-5)` });
    await shows(page, { input: "40k", cached: "12k", "cache-writes": "0", output: "6k", reasoning: "1.5k" });
    await shows(page, { context: "68k of 272k (25%)" });
    await expect.poll(() => meter(gauge), WAIT).toEqual(["68000", "0", "272000", "68k of 272k (25%)"]);
    expect(await filled(gauge)).toBeCloseTo(68_000 / 272_000, 2);
    expect(await page.evaluate(() => "sameDocument" in window)).toBe(true);

    await page.locator('.entry[data-seq="6"]').waitFor(WAIT);
    await page.locator('.connection[data-state="live"]').waitFor(WAIT);
    await screenshot(page, "usage");
  });

  it("shows a cost the provider reported as the provider's", async () => {
    const threadId = newThreadId("claude-usage");
    const cost = { currency: "USD", totalCostUsd: 0.42, source: "provider", confidence: "exact", components: [] };
    const tokens = { inputTokens: 45_000, cacheReadInputTokens: 40_000, cacheCreationInputTokens: 3_000 };
    await post(server.origin, threadId, [
      ...started("claude-sonnet-4-5", "claude"),
      report({ usedTokens: 20_000, maxTokens: 200_000, ...tokens, outputTokens: 1_200, cost }, "claude"),
    ]);
    const page = await open();
    await signIn(page, server.origin, sessionPagePath(threadId));

    await shows(page, { cost: "$0.42 · reported by the provider" });
    await shows(page, { input: "45k", cached: "40k", "cache-writes": "3k", output: "1.2k", reasoning: "0" });
    await shows(page, { context: "20k of 200k (10%)" });
  });

  it("appears with the first report, and says a cost it cannot price is unknown, not $0", async () => {
    const threadId = newThreadId("unknown-model");
    await post(server.origin, threadId, started("model-z"));
    const page = await open();
    await signIn(page, server.origin, sessionPagePath(threadId));
    await page.locator('.entry[data-seq="2"]').waitFor(WAIT);
    await expect.poll(() => page.locator('[data-field="turn"]').textContent(), WAIT).toBe("t1");
    // No usage reported yet: no panel.
    expect(await page.locator(".usage").isHidden()).toBe(true);

    // No window size in this report: the tokens in use, and no gauge.
    await post(server.origin, threadId, [report({ usedTokens: 3_000, inputTokens: 2_500, outputTokens: 500 })]);
    await shows(page, { cost: "unknown · no price for model-z" });
    await shows(page, { input: "2.5k", cached: "0", output: "500", context: "3k in use" });
    expect(await page.locator(".usage").isVisible()).toBe(true);
    expect(await page.locator(".usage .gauge").isHidden()).toBe(true);
    expect(await figure(page, "cost").textContent()).not.toMatch(/\$/);
  });

  it("fits a phone's width, in dark mode", async () => {
    const threadId = newThreadId("phone-usage");
    const usage = { usedTokens: 250_000, maxTokens: 272_000, inputTokens: 1_200_000, cachedInputTokens: 900_000 };
    await post(server.origin, threadId, [...started("gpt-5"), report({ ...usage, outputTokens: 80_000 })]);
    const page = await open({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      colorScheme: "dark",
    });
    await signIn(page, server.origin, sessionPagePath(threadId));

    // (300,000 × 1.25 + 900,000 × 0.125 + 80,000 × 10) / 1e6 = (375,000 + 112,500 + 800,000) / 1e6
    expect(gpt5Usd(1_200_000, 900_000, 80_000)).toBeCloseTo(1.2875, 12);
    await shows(page, { cost: `$1.29 · priced from ${TABLE} (gpt-5)`, context: "250k of 272k (92%)" });
    const gauge = page.getByRole("meter", { name: "Context window" });
    await gauge.waitFor(WAIT);
    // Past 80 % of the window the bar says so in another colour too (the words already say 92%).
    expect(await gauge.getAttribute("data-level")).toBe("high");
    await page.locator(".usage").scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, "usage-phone-dark");
  });
});

/** A turn's events, as the Codex bridge sends them: its start with the model, a snapshot of running totals, its end. */
const turnStarted = (turnId: string, model: string) => event("turn.started", { model }, { provider: "codex", turnId });
const turnReport = (turnId: string, usage: Record<string, unknown>) =>
  event("thread.token-usage.updated", { usage }, { provider: "codex", turnId });
const turnCompleted = (turnId: string) =>
  event("turn.completed", { state: "completed" }, { provider: "codex", turnId });

/** A row of the turns table, by its turn. */
const turnRow = (page: Page, turnId: string) => page.locator(`.turns tr[data-turn-id="${turnId}"]`);
/** The table's rows as a reader sees them, top to bottom: each cell's text, the start time left out. */
const turnRows = (page: Page) =>
  page
    .locator(".turns tbody tr")
    .evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent)))
    .then((rows) => rows.map(([turnId, , ...rest]) => [turnId, ...rest]));
/** One cell of a turn's row: 0 the turn, 1 started, 2 ended, 3 duration, 4 waiting, 5 in, 6 out, 7 cost. */
const turnCell = (page: Page, turnId: string, column: number) => turnRow(page, turnId).locator("th, td").nth(column);

describe("the turns table", () => {
  it("lists the turns newest first with how each ended, a person's wait, tokens and cost, following new ones live", async () => {
    const threadId = newThreadId("codex-turns");
    const totals = (input: number, cached: number, output: number) => ({
      usedTokens: input + output,
      maxTokens: 272_000,
      inputTokens: input,
      cachedInputTokens: cached,
      outputTokens: output,
    });
    await post(server.origin, threadId, [
      event("session.started", {}, { provider: "codex" }),
      turnStarted("t1", "gpt-5"),
      turnReport("t1", totals(10_000, 4_000, 2_000)),
      turnCompleted("t1"),
    ]);
    const page = await open();
    await signIn(page, server.origin, sessionPagePath(threadId));
    // (6,000 × 1.25 + 4,000 × 0.125 + 2,000 × 10) / 1e6
    expect(gpt5Usd(10_000, 4_000, 2_000)).toBeCloseTo(0.028, 12);
    await expect.poll(() => turnCell(page, "t1", 7).textContent(), WAIT).toBe("$0.0280");

    // A second turn waits for a person's approval, and its duration moves with the page's clock meanwhile.
    await post(server.origin, threadId, [
      turnStarted("t2", "gpt-5"),
      event(
        "request.opened",
        { requestType: "command_execution_approval", detail: "npm test" },
        {
          turnId: "t2",
          requestId: "a1",
        },
      ),
    ]);
    await expect.poll(() => turnCell(page, "t2", 2).textContent(), WAIT).toBe("running");
    await expect.poll(() => turnCell(page, "t2", 3).textContent(), WAIT).toMatch(/^[1-9]\d* s$/);
    await post(server.origin, threadId, [
      event(
        "request.resolved",
        { requestType: "command_execution_approval", decision: "accept" },
        {
          turnId: "t2",
          requestId: "a1",
        },
      ),
      turnReport("t2", totals(18_000, 8_000, 3_000)),
      turnCompleted("t2"),
    ]);
    // What t2 added: 8,000 in of which 4,000 cached, 1,000 out: (4,000 × 1.25 + 4,000 × 0.125 + 1,000 × 10) / 1e6.
    expect(gpt5Usd(8_000, 4_000, 1_000)).toBeCloseTo(0.0155, 12);
    await expect.poll(() => turnCell(page, "t2", 7).textContent(), WAIT).toBe("$0.0155");
    const rows = await turnRows(page);
    expect(
      rows.map(([turnId, state, , waiting, input, output, cost]) => [turnId, state, waiting, input, output, cost]),
    ).toEqual([
      ["t2", "completed", expect.stringMatching(/^[1-9]\d* s$/), "8k", "1k", "$0.0155"],
      ["t1", "completed", "—", "10k", "2k", "$0.0280"],
    ]);
    expect(rows[1]?.[2]).toMatch(/^\d+ (ms|s)$/);
    expect(await turnCell(page, "t1", 1).locator("time").getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await page.locator(".turns .turns-note").textContent()).toBe("2 turns, newest first");

    await page.locator('.connection[data-state="live"]').waitFor(WAIT);
    await page.locator(".turns").scrollIntoViewIfNeeded();
    await screenshot(page, "turns");
  });

  it("is hidden until a turn starts, and says a turn's cost it cannot price is unknown, not $0", async () => {
    const threadId = newThreadId("unknown-turns");
    await post(server.origin, threadId, [event("session.started", {}, { provider: "codex" })]);
    const page = await open();
    const turnsRead = page.waitForResponse((response) => response.url().includes("/turns"), WAIT);
    await signIn(page, server.origin, sessionPagePath(threadId));
    expect((await turnsRead).status()).toBe(200);
    expect(await page.locator(".turns").isHidden()).toBe(true);

    await post(server.origin, threadId, [
      turnStarted("t1", "model-z"),
      turnReport("t1", { usedTokens: 3_000, inputTokens: 2_500, outputTokens: 500 }),
      turnCompleted("t1"),
    ]);
    await expect.poll(() => turnCell(page, "t1", 2).textContent(), WAIT).toBe("completed");
    await expect.poll(() => turnCell(page, "t1", 7).textContent(), WAIT).toBe("unknown");
    expect(await page.locator(".turns").isVisible()).toBe(true);
    expect(await turnRows(page)).toEqual([
      ["t1", "completed", expect.stringMatching(/ms|s$/), "—", "2.5k", "500", "unknown"],
    ]);
    expect(await turnRow(page, "t1").textContent()).not.toMatch(/\$/);
  });
});
