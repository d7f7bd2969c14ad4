/**
 * Headless Chromium (Debian's `chromium`, driven by playwright-core: nothing downloads a browser), pages that
 * record their own errors, and the steps every case shares: sign in, post events, save a screenshot.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { API_TOKEN } from "./dev-server.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(import.meta.dirname, "..", "..", "..", ".screenshots");

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

export interface WatchedPage {
  page: Page;
  /** Uncaught page errors, and console errors that are not the browser's own lines about failed requests. */
  problems(): string[];
  close(): Promise<void>;
}

/**
 * The browser logs a failed request itself ("Failed to load resource …", "GET … net::ERR_…"): the deliberate 401
 * of a bad token and the refused connections of a restart are expected. Anything else on console.error is a bug.
 */
const NETWORK_LINE = /^Failed to load resource|net::ERR_|^(GET|POST) https?:\/\/\S+ \d{3}/;

export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !NETWORK_LINE.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return { page, problems: () => problems, close: () => context.close() };
}

/** Signs in at `path`, and waits until the page says it is live unless told not to. */
export async function signIn(page: Page, origin: string, path = "/", { live = true } = {}): Promise<void> {
  await page.goto(`${origin}${path}`);
  await page.getByLabel("API token").fill(API_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (live) await page.locator('.connection[data-state="live"]').waitFor();
  else await page.getByLabel("API token").waitFor({ state: "detached" });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** The row of one session in the list. */
export const row = (page: Page, threadId: string) => page.locator(`.row[data-thread-id="${threadId}"]`);

/** A session's log entries, by seq, as the page shows them. */
export async function shownSeqs(page: Page): Promise<number[]> {
  return page.locator(".entry").evaluateAll((items) => items.map((item) => Number((item as HTMLElement).dataset.seq)));
}
