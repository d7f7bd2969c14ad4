/**
 * What each browser test file sets up alike: one `wrangler dev` and one Chromium for the file, and the pages a case
 * opens, checked for page and console errors and closed after it. Call it once at the top of the file.
 */
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { launchChromium, openPage, type WatchedPage } from "./browser.ts";
import { type DevServer, startDevServer } from "./dev-server.ts";

export interface BrowserSuite {
  /** The file's dev server, once `beforeAll` has started it. */
  server: DevServer;
  /** A new page in its own context; its errors fail the case that opened it. */
  open(options?: BrowserContextOptions): Promise<Page>;
  /** The same, with the page's problems and its closing at hand. */
  openWatched(options?: BrowserContextOptions): Promise<WatchedPage>;
}

export function browserSuite(): BrowserSuite {
  let started: DevServer | undefined;
  let browser: Browser | undefined;
  const pages: WatchedPage[] = [];
  const running = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${what} is not started yet: use it inside a hook or a case`);
    return value;
  };
  beforeAll(async () => {
    [started, browser] = await Promise.all([startDevServer(), launchChromium()]);
  });
  afterEach(async () => {
    const problems = pages.flatMap((watched) => watched.problems());
    await Promise.all(pages.splice(0).map((watched) => watched.close()));
    expect(problems).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await started?.stop();
  });
  const openWatched = async (options: BrowserContextOptions = {}) => {
    const watched = await openPage(running(browser, "browser"), options);
    pages.push(watched);
    return watched;
  };
  return {
    server: {
      get origin() {
        return running(started, "dev server").origin;
      },
      restart: () => running(started, "dev server").restart(),
      stop: () => running(started, "dev server").stop(),
    },
    open: async (options) => (await openWatched(options)).page,
    openWatched,
  };
}
