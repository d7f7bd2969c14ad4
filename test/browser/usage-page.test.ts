/**
 * The tenant's usage page (issue 23), in a real browser: each day's cost stacked by provider or by model, each
 * segment named by its day, series and cost, the range's totals and the costliest sessions with links to them, a range
 * picker and a toggle kept in the URL, and a cost some tokens of which have no price shown as "at least" its known part.
 * Every cost is worked out here by hand from the price table's published rates or the provider's own figure, never by
 * the code under test. Each case waits for what a reader would see before it reads anything else.
 */
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { screenshot, signIn } from "./support/browser.ts";
import { newThreadId, post, sessionPagePath } from "./support/events.ts";
import { browserSuite } from "./support/suite.ts";

const { server, open } = browserSuite();

/** Long enough for a loaded 2-core machine: a wait that times out says what the page showed instead. */
const WAIT = { timeout: 20_000 };

let counter = 0;
const event = (type: string, payload: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  eventId: `usage-page-${++counter}-${crypto.randomUUID().slice(0, 8)}`,
  type,
  payload,
  ...extra,
});

/**
 * A session of one turn that reports `usage` (a T3 Code snapshot of running totals) and ends, so its usage reaches
 * the directory with the turn's end.
 */
async function spend(threadId: string, provider: string, model: string, usage: Record<string, unknown>) {
  await post(server.origin, threadId, [
    event("session.started", {}, { provider }),
    event("turn.started", { model }, { provider, turnId: "t1" }),
    event("thread.token-usage.updated", { usage }, { provider, turnId: "t1" }),
    event("turn.completed", { state: "completed" }, { provider, turnId: "t1" }),
  ]);
}

/** GPT-5, per million tokens: $1.25 uncached input, $0.125 cached input, $10 output (reasoning is inside output). */
const gpt5Usd = (uncached: number, cached: number, output: number) =>
  (uncached * 1.25 + cached * 0.125 + output * 10) / 1e6;

const codexThread = newThreadId("usage-codex");
const claudeThread = newThreadId("usage-claude");
/** Today as the service counts days: in UTC. */
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  // 6,000 uncached and 4,000 cached of 10,000 input, 2,000 output: (6,000 × 1.25 + 4,000 × 0.125 + 2,000 × 10) / 1e6.
  expect(gpt5Usd(6_000, 4_000, 2_000)).toBeCloseTo(0.028, 12);
  await spend(codexThread, "codex", "gpt-5", {
    usedTokens: 12_000,
    maxTokens: 272_000,
    inputTokens: 10_000,
    cachedInputTokens: 4_000,
    outputTokens: 2_000,
  });
  // Claude's own figure: $0.50, whatever the table would say.
  const cost = { currency: "USD", totalCostUsd: 0.5, source: "provider", confidence: "exact", components: [] };
  await spend(claudeThread, "claude", "claude-sonnet-4-5", {
    usedTokens: 31_500,
    maxTokens: 200_000,
    inputTokens: 30_000,
    cacheReadInputTokens: 20_000,
    outputTokens: 1_500,
    cost,
  });
});

/** A segment of the chart, by the name a screen reader reads for it. */
const segment = (page: Page, name: string) => page.getByRole("img", { name, exact: true });
/** A figure of the totals, by its key. */
const total = (page: Page, key: string) => page.locator(`[data-total="${key}"] dd`);
/** A session's row among the costliest. */
const topRow = (page: Page, threadId: string) => page.locator(`.top-sessions tr[data-thread-id="${threadId}"]`);

/** Where a segment is drawn, without its outline. */
const box = (locator: Locator) =>
  locator.evaluate((element) => {
    const { x, y, width, height } = (element as SVGRectElement).getBBox();
    return { x, y, width, height };
  });
/** One of the page's radio chips: a range or a series. */
const choice = (page: Page, name: string) => page.getByRole("radio", { name, exact: true });

describe("the usage page", () => {
  it("stacks today's cost by provider, with the range's totals and the costliest sessions linked", async () => {
    const page = await open();
    await signIn(page, server.origin);
    await page.getByRole("link", { name: "Usage", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/usage" && url.search === "?days=30&by=provider", WAIT);

    const claude = segment(page, `${today}, claude: $0.50`);
    const codex = segment(page, `${today}, codex: $0.0280`);
    await claude.waitFor(WAIT);
    await codex.waitFor(WAIT);
    // The costlier provider at the bottom, the other on top of it, each as tall as its cost: $0.50 against $0.028.
    const [bottom, top] = [await box(claude), await box(codex)];
    expect(top.y + top.height).toBeCloseTo(bottom.y, 1);
    expect(bottom.height / top.height).toBeCloseTo(0.5 / 0.028, 1);
    expect(top.x).toBeCloseTo(bottom.x, 1);
    // Today is the last day of the range, the rightmost bar.
    expect(await page.locator(".chart-day").count()).toBe(30);
    expect(await page.locator(".chart-day").last().getAttribute("data-day")).toBe(today);
    expect(await page.locator("#chart-title").textContent()).toBe("Cost per day, by provider");

    // $0.50 + $0.028; 10,000 + 30,000 in, of which 4,000 + 20,000 cached; 2,000 + 1,500 out.
    await expect.poll(() => total(page, "cost").textContent(), WAIT).toBe("$0.5280");
    expect(await total(page, "tokens").textContent()).toBe("40k in (24k cached), 3.5k out");
    expect(await total(page, "sessions").textContent()).toBe("2");
    expect(await page.locator('[data-total="unpriced"]').isHidden()).toBe(true);
    const legend = await page.locator(".legend li").allTextContents();
    expect(legend).toEqual(["claude$0.50", "codex$0.0280"]);

    await topRow(page, codexThread).waitFor(WAIT);
    const rows = await page
      .locator(".top-sessions tbody tr")
      .evaluateAll((items) => items.map((item) => [...item.children].map((cell) => cell.textContent)));
    expect(rows).toEqual([
      [claudeThread, "$0.50", "30k", "1.5k"],
      [codexThread, "$0.0280", "10k", "2k"],
    ]);
    const link = topRow(page, claudeThread).getByRole("link");
    expect(await link.getAttribute("href")).toBe(sessionPagePath(claudeThread));

    await choice(page, "7 days").check();
    await page.waitForURL((url) => url.search === "?days=7&by=provider", WAIT);
    await expect.poll(() => page.locator(".chart-day").count(), WAIT).toBe(7);
    await claude.waitFor(WAIT);
    await screenshot(page, "usage-page");

    // A session's link opens its page; Back returns to the usage page as it was.
    await link.click();
    await page.waitForURL((url) => url.pathname === "/session", WAIT);
    await expect.poll(() => page.locator('[data-field="provider"]').textContent(), WAIT).toBe("claude");
    await page.goBack();
    await page.waitForURL((url) => url.pathname === "/usage" && url.search === "?days=7&by=provider", WAIT);
    await claude.waitFor(WAIT);
    await page.getByRole("link", { name: "← All sessions" }).click();
    await page.waitForURL((url) => url.pathname === "/", WAIT);
  });

  it("stacks by model when asked, over 90 days, and keeps both in a link that survives a reload", async () => {
    const page = await open();
    await signIn(page, server.origin, "/usage?days=90&by=model");
    await segment(page, `${today}, claude-sonnet-4-5: $0.50`).waitFor(WAIT);
    await segment(page, `${today}, gpt-5: $0.0280`).waitFor(WAIT);
    expect(await page.locator(".chart-day").count()).toBe(90);
    expect(await choice(page, "90 days").isChecked()).toBe(true);
    expect(await page.locator("#chart-title").textContent()).toBe("Cost per day, by model");

    await choice(page, "by provider").check();
    await page.waitForURL((url) => url.search === "?days=90&by=provider", WAIT);
    await segment(page, `${today}, codex: $0.0280`).waitFor(WAIT);
    await page.reload();
    await segment(page, `${today}, codex: $0.0280`).waitFor(WAIT);
    expect(await choice(page, "by provider").isChecked()).toBe(true);
    expect(await page.locator(".chart-day").count()).toBe(90);
  });

  it("follows new usage without a reload, and says a cost some tokens of which have no price is at least its known part", async () => {
    const page = await open();
    await signIn(page, server.origin, "/usage?days=7&by=provider");
    await segment(page, `${today}, codex: $0.0280`).waitFor(WAIT);
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));

    // A Codex model the table has no price for: 2,500 in and 500 out, none of it priced.
    const unknownThread = newThreadId("usage-model-z");
    await spend(unknownThread, "codex", "model-z", { usedTokens: 3_000, inputTokens: 2_500, outputTokens: 500 });
    await segment(page, `${today}, codex: at least $0.0280, 3k tokens without a price`).waitFor(WAIT);
    await segment(page, `${today}, claude: $0.50`).waitFor(WAIT);
    expect(await page.evaluate(() => "sameDocument" in window)).toBe(true);
    await expect.poll(() => total(page, "cost").textContent(), WAIT).toBe("at least $0.5280");
    expect(await total(page, "unpriced").textContent()).toBe("3k tokens without a price");
    expect(await total(page, "sessions").textContent()).toBe("3");
    // The day's mark says more was spent than the bar shows.
    expect(await page.locator(`.chart-day[data-day="${today}"] .unpriced-mark`).count()).toBe(1);

    await topRow(page, unknownThread).waitFor(WAIT);
    expect(await topRow(page, unknownThread).locator(".cost").textContent()).toBe("unknown");
    expect(await topRow(page, unknownThread).textContent()).not.toMatch(/\$/);
    expect(await page.locator(".legend li").allTextContents()).toEqual(["claude$0.50", "codexat least $0.0280"]);
  });

  it("fits a phone's width, in dark mode", async () => {
    const page = await open({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      colorScheme: "dark",
    });
    await signIn(page, server.origin, "/usage?days=30&by=provider");
    await segment(page, `${today}, claude: $0.50`).waitFor(WAIT);
    await topRow(page, claudeThread).waitFor(WAIT);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // Drawn to the phone's width: the chart's words stay at their size rather than shrink with it.
    const svgWidth = await page.locator(".chart-svg").evaluate((element) => element.getBoundingClientRect().width);
    expect(svgWidth).toBeLessThanOrEqual(390);
    await screenshot(page, "usage-page-phone-dark");
  });
});
