/**
 * The dashboard in a real browser: sign-in, the live list, its filters, a session's live log, and a restart of
 * the service in the middle of it all. Every case also checks that the page raised no error of its own.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { row, screenshot, shownSeqs, signIn } from "./support/browser.ts";
import { API_TOKEN } from "./support/dev-server.ts";
import { ev, mintReadToken, newThreadId, post, range, sessionPagePath } from "./support/events.ts";
import { seedShowcase, serveDirectory } from "./support/fixtures.ts";
import { browserSuite } from "./support/suite.ts";

const { server, openWatched: open } = browserSuite();

describe("sign-in", () => {
  it("refuses a wrong token with a clear message, then keeps only a read token", async () => {
    const { page } = await open();
    await page.goto(`${server.origin}/`);
    await page.getByLabel("API token").fill("not-a-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("That token was not accepted");

    await page.getByLabel("API token").fill(API_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator('.connection[data-state="live"]').waitFor();
    const stored = await page.evaluate(() => JSON.stringify(sessionStorage));
    expect(stored).toContain("rt1.");
    expect(stored).not.toContain(API_TOKEN);
    expect(page.url()).toBe(`${server.origin}/`);
  });

  it("returns to sign-in, saying so, when the read token has expired or is refused", async () => {
    const { page } = await open();
    await page.goto(`${server.origin}/`);
    const keep = (token: string, expiresAt: number) =>
      page.evaluate(
        ([value]) => sessionStorage.setItem("provider-sessions:read-token", value as string),
        [JSON.stringify({ token, expiresAt })],
      );
    await keep("rt1.expired", Date.now() - 1000);
    await page.reload();
    await expect.poll(() => page.locator(".notice").textContent()).toContain("expired");

    await keep("rt1.not-signed-by-this-service", Date.now() + 3_600_000);
    await page.reload();
    await expect.poll(() => page.locator(".notice").textContent()).toContain("no longer accepted");
    await page.getByLabel("API token").waitFor();
  });

  it("leaves a live page for sign-in when the read token expires, by its own clock or by the service's", async () => {
    const threadId = newThreadId("expiry");
    await post(server.origin, threadId, [ev.sessionStarted(), ev.turnStarted("t1")]);
    // A read token living `ttlSeconds`, kept as the dashboard keeps it but with the expiry the browser believes.
    const liveWithToken = async (ttlSeconds: number, believedLifetimeMs: number) => {
      const { page } = await open();
      const minted = await mintReadToken(server.origin, ttlSeconds);
      await page.goto(`${server.origin}/`);
      await page.evaluate(
        ([value]) => sessionStorage.setItem("provider-sessions:read-token", value as string),
        [JSON.stringify({ token: minted.token, expiresAt: Date.now() + believedLifetimeMs })],
      );
      await page.goto(`${server.origin}${sessionPagePath(threadId)}`);
      await page.locator('.connection[data-state="live"]').waitFor();
      await expect.poll(() => shownSeqs(page)).toEqual([1, 2]);
      return page;
    };
    // Only the page's own timer can act within the wait: the service would accept the token for a minute more.
    const byTimer = await liveWithToken(60, 2_000);
    // Only the service can: it ends the stream at the real expiry and refuses the reconnect; the clock is an hour off.
    const byService = await liveWithToken(3, 3_600_000);
    for (const page of [byTimer, byService]) {
      await expect.poll(() => page.locator(".notice").textContent(), { timeout: 15_000 }).toContain("expired");
      await page.getByLabel("API token").waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem("provider-sessions:read-token"))).toBeNull();
    }
  });
});

describe("the session list", () => {
  it("shows a new session live, its badge going running → waiting for you → ready", async () => {
    const { page } = await open();
    await signIn(page, server.origin);
    const threadId = newThreadId("badge");
    const badge = row(page, threadId).locator(".badge");

    const posted = Date.now();
    await post(server.origin, threadId, [ev.sessionStarted(), ev.turnStarted("t1")]);
    await badge.filter({ hasText: "running" }).waitFor({ timeout: 1000 });
    const appearedMs = Date.now() - posted;

    await post(server.origin, threadId, [ev.approvalOpened("t1", "approval-1")]);
    await badge.filter({ hasText: "waiting for you" }).waitFor({ timeout: 1000 });
    await expect.poll(() => row(page, threadId).locator(".note").textContent()).toBe("1 approval");

    await post(server.origin, threadId, [ev.approvalResolved("t1", "approval-1"), ev.turnCompleted("t1")]);
    await badge.filter({ hasText: "ready" }).waitFor({ timeout: 1000 });
    expect(await badge.getAttribute("data-state")).toBe("ready");
    console.info(`a new session appeared in the list ${appearedMs} ms after its POST returned`);
  });

  it("filters to the sessions that need attention, and searches by threadId", async () => {
    const waiting = newThreadId("attention");
    const busy = newThreadId("busy");
    await post(server.origin, waiting, [ev.sessionStarted(), ev.turnStarted("t1"), ev.approvalOpened("t1", "a1")]);
    await post(server.origin, busy, [ev.sessionStarted(), ev.turnStarted("t1")]);
    const { page } = await open();
    await signIn(page, server.origin);
    await row(page, busy).waitFor();
    await row(page, waiting).waitFor();

    await page.getByLabel(/Needs attention/).check();
    await row(page, busy).waitFor({ state: "detached" });
    await expect.poll(() => row(page, waiting).isVisible()).toBe(true);
    expect(new URL(page.url()).searchParams.get("show")).toBe("attention");

    await page.getByLabel(/^All/).check();
    await page.getByLabel("Search").fill(busy);
    await row(page, waiting).waitFor({ state: "detached" });
    await expect.poll(() => row(page, busy).isVisible()).toBe(true);
  });

  it("renders only the visible rows of 5,000 sessions, and scrolls to the last", async () => {
    const { page } = await open();
    // The listing is served from the page's side of the wire; the live stream stays open and silent.
    await serveDirectory(page, 5000);
    await signIn(page, server.origin, "/", { live: false });
    await page.locator('.row[data-thread-id="bulk-00000"]').waitFor();
    await expect.poll(() => page.locator(".directory-count").textContent()).toBe("5000 of 5000 sessions");
    expect(await page.locator(".row").count()).toBeLessThan(40);

    await page.locator(".virtual-viewport").evaluate((element) => element.scrollTo(0, element.scrollHeight));
    await page.locator('.row[data-thread-id="bulk-04999"]').waitFor();
    expect(await page.locator(".row").count()).toBeLessThan(40);
    await page.getByLabel(/Needs attention/).check();
    await expect.poll(() => page.locator(".directory-count").textContent()).toBe("455 of 5000 sessions");
  });

  it("is keyboard navigable: Tab reaches the rows, arrows move between them, Enter opens one", async () => {
    const prefix = newThreadId("keyboard");
    await post(server.origin, `${prefix}-older`, [ev.sessionStarted()]);
    await post(server.origin, `${prefix}-newer`, [ev.sessionStarted()]);
    const { page } = await open();
    await signIn(page, server.origin);
    await page.getByLabel("Search").fill(prefix);
    await row(page, `${prefix}-older`).waitFor();
    const focusedRow = () =>
      page.evaluate(() => document.activeElement?.closest(".row")?.getAttribute("data-thread-id") ?? null);

    await page.getByLabel("Search").press("Tab");
    await expect.poll(focusedRow).toBe(`${prefix}-newer`);
    await page.keyboard.press("ArrowDown");
    await expect.poll(focusedRow).toBe(`${prefix}-older`);
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === "/session" && url.searchParams.get("id") === `${prefix}-older`);
    await page.locator(".entry").first().waitFor();
  });
});

describe("a session's page", () => {
  it("shows the card and the log growing live, with where the turn started and how it ended", async () => {
    const threadId = newThreadId("log");
    await post(server.origin, threadId, [ev.sessionStarted(), ev.turnStarted("t1"), ev.delta("t1", "hello")]);
    const { page } = await open();
    await signIn(page, server.origin, sessionPagePath(threadId));
    await expect.poll(() => shownSeqs(page)).toEqual([1, 2, 3]);
    await expect.poll(() => page.locator('[data-field="turn"]').textContent()).toBe("t1");
    expect(await page.locator(".turn-start").textContent()).toBe("Turn t1 started");

    await post(server.origin, threadId, [ev.delta("t1", " world"), ev.turnCompleted("t1")]);
    await expect.poll(() => shownSeqs(page), { timeout: 2000 }).toEqual([1, 2, 3, 4, 5]);
    expect(await page.locator(".turn-end").textContent()).toBe("Turn t1 ended: completed");
    await expect.poll(() => page.locator(".session-title .badge").textContent()).toContain("ready");

    const last = page.locator('.entry[data-seq="5"]');
    await last.getByText("raw JSON").click();
    // The details element fills its JSON on "toggle", an event the browser queues after the click.
    const raw = last.locator(".raw");
    await expect.poll(() => raw.textContent()).not.toBe("");
    expect(JSON.parse((await raw.textContent()) ?? "")).toMatchObject({
      seq: 5,
      outcome: "applied",
      event: { type: "turn.completed", turnId: "t1" },
    });
  });

  it("pages a long log in from the events route when scrolled up, and stops following until asked", async () => {
    const threadId = newThreadId("long");
    const deltas = range(1, 450).map((n) => ev.delta("t1", `chunk ${n}`));
    await post(server.origin, threadId, [ev.sessionStarted(), ev.turnStarted("t1"), ...deltas]);
    const { page } = await open();
    await signIn(page, server.origin, sessionPagePath(threadId));
    // The last page only, newest at the bottom and in view.
    await expect.poll(() => shownSeqs(page)).toEqual(range(253, 452));
    await expect.poll(() => page.locator('.entry[data-seq="452"]').isVisible()).toBe(true);

    const scroller = page.locator(".log-scroller");
    await scroller.evaluate((element) => element.scrollTo(0, 0));
    await expect.poll(() => shownSeqs(page)).toEqual(range(53, 452));
    await scroller.evaluate((element) => element.scrollTo(0, 0));
    await expect.poll(() => shownSeqs(page)).toEqual(range(1, 452));
    await expect.poll(() => page.getByRole("button", { name: "Load older entries" }).isHidden()).toBe(true);

    // Scrolled up, a new entry does not pull the reader down; the jump button says it arrived.
    const before = await scroller.evaluate((element) => element.scrollTop);
    await post(server.origin, threadId, [ev.turnCompleted("t1")]);
    await page.getByRole("button", { name: "1 new ↓" }).waitFor();
    expect(await scroller.evaluate((element) => element.scrollTop)).toBe(before);
    await page.getByRole("button", { name: "1 new ↓" }).click();
    await expect.poll(() => page.locator('.entry[data-seq="453"]').isVisible()).toBe(true);
  });
});

describe("a session's link", () => {
  /** The session page shows `threadId` (as the page writes it) and its log, read from the service. */
  const showsSession = async (page: Page, shownId: string, seqs: number[]) => {
    await expect
      .poll(() => page.locator(".session-title > :last-child").textContent(), { timeout: 5000 })
      .toBe(shownId);
    await expect.poll(() => shownSeqs(page), { timeout: 5000 }).toEqual(seqs);
  };

  it("opens a session whose threadId holds /, .., ?, # or %, from the list, after a reload and in a fresh page", async () => {
    const threadIds = ["a/b", "../../v1/sessions", "x?y#z %", "100% 🧪 a%2Fb"];
    for (const threadId of threadIds) await post(server.origin, threadId, [ev.sessionStarted(), ev.turnStarted("t1")]);
    const { page } = await open();
    await signIn(page, server.origin);
    for (const threadId of threadIds) {
      await row(page, threadId).locator(".row-link").click();
      await showsSession(page, threadId, [1, 2]);
      await page.reload();
      await showsSession(page, threadId, [1, 2]);
      // The link as a reader would share it: the address bar, opened in a browser that has not signed in.
      const shared = await open();
      await signIn(shared.page, server.origin, page.url().slice(server.origin.length));
      await showsSession(shared.page, threadId, [1, 2]);
      await page.getByRole("link", { name: "← All sessions" }).click();
    }
  });

  it("keeps an old /sessions/<threadId> link working, rewritten to the form that survives any threadId", async () => {
    const threadId = newThreadId("old-link");
    await post(server.origin, threadId, [ev.sessionStarted()]);
    const { page } = await open();
    await signIn(page, server.origin, `/sessions/${threadId}`);
    await showsSession(page, threadId, [1]);
    expect(page.url()).toBe(`${server.origin}${sessionPagePath(threadId)}`);
  });
});

describe("provider-sent text", () => {
  it("shows bidi controls and invisible characters as escapes, isolated from the text around them", async () => {
    // Shown as it arrives, "\u202Etxt.exe" reads "exe.txt".
    const threadId = "\u202Etxt.exe";
    await post(server.origin, threadId, [
      { ...ev.sessionStarted(), provider: "\u200Bcodex" },
      ev.turnStarted("t\u20661"),
    ]);
    const { page } = await open();
    await signIn(page, server.origin);
    const listed = row(page, threadId);
    await expect.poll(() => listed.locator(".thread-id").textContent()).toBe(String.raw`\u202Etxt.exe`);
    await expect.poll(() => listed.locator(".provider").textContent()).toBe(String.raw`\u200Bcodex`);
    await expect.poll(() => listed.locator(".turn").textContent()).toBe(String.raw`turn t\u20661`);
    expect(await listed.locator(".thread-id bdi").count()).toBe(1);
    await screenshot(page, "invisible-characters-list");

    await listed.locator(".row-link").click();
    await page.locator('.connection[data-state="live"]').waitFor();
    await expect.poll(() => page.locator(".session-title > :last-child").textContent()).toBe(String.raw`\u202Etxt.exe`);
    await expect.poll(() => page.locator('[data-field="provider"]').textContent()).toBe(String.raw`\u200Bcodex`);
    await expect.poll(() => page.locator('[data-field="turn"]').textContent()).toBe(String.raw`t\u20661`);
    await expect.poll(() => page.locator(".turn-start").textContent()).toBe(String.raw`Turn t\u20661 started`);
    expect(await page.title()).toBe(String.raw`\u202Etxt.exe · provider-sessions`);
    await screenshot(page, "invisible-characters-session");
  });
});

describe("a dropped connection", () => {
  it("shows reconnecting while the service restarts, then catches up without duplicate rows", async () => {
    const threadId = newThreadId("restart");
    await post(server.origin, threadId, [ev.sessionStarted(), ev.turnStarted("t1"), ev.delta("t1", "before")]);
    const list = await open();
    const session = await open();
    await signIn(list.page, server.origin);
    await signIn(session.page, server.origin, sessionPagePath(threadId));
    await expect.poll(() => shownSeqs(session.page)).toEqual([1, 2, 3]);
    await row(list.page, threadId).locator(".badge", { hasText: "running" }).waitFor();

    const restarted = server.restart();
    for (const { page } of [list, session]) {
      await page.locator('.connection[data-state="reconnecting"]').waitFor({ timeout: 15_000 });
    }
    await restarted;
    // Posted as soon as the service is back, most likely before the pages have reconnected: they catch up.
    await post(server.origin, threadId, [ev.delta("t1", "after"), ev.approvalOpened("t1", "a1")]);
    for (const { page } of [list, session]) await page.locator('.connection[data-state="live"]').waitFor();
    await expect.poll(() => shownSeqs(session.page), { timeout: 2000 }).toEqual([1, 2, 3, 4, 5]);
    await row(list.page, threadId).locator(".badge", { hasText: "waiting for you" }).waitFor({ timeout: 2000 });
    expect(await list.page.locator(`.row[data-thread-id="${threadId}"]`).count()).toBe(1);
  });

  it("says offline while the browser is, and is live again after", async () => {
    const threadId = newThreadId("offline");
    await post(server.origin, threadId, [ev.sessionStarted()]);
    const { page } = await open();
    await signIn(page, server.origin, sessionPagePath(threadId));
    await page.context().setOffline(true);
    await page.locator('.connection[data-state="offline"]').waitFor();
    await page.context().setOffline(false);
    await page.locator('.connection[data-state="live"]').waitFor({ timeout: 10_000 });
    await post(server.origin, threadId, [ev.turnStarted("t1")]);
    await expect.poll(() => shownSeqs(page), { timeout: 2000 }).toEqual([1, 2]);
  });
});

describe("one origin for pages and API", () => {
  it("never lets a page shadow /v1, /openapi.json or /healthz, in any case, and links a session's page", async () => {
    const { page } = await open();
    const openapi = await page.goto(`${server.origin}/openapi.json`);
    expect(openapi?.headers()["content-type"]).toContain("application/json");
    const health = await page.goto(`${server.origin}/healthz`);
    expect(await health?.json()).toEqual({ ok: true });
    const api = await page.goto(`${server.origin}/v1/sessions`);
    expect(api?.status()).toBe(401);
    expect(api?.headers()["content-type"]).toBe("application/problem+json");
    // A typo under the API's names is the API's JSON 404, never the dashboard's page (the asset layer's fallback).
    for (const path of ["/v1", "/V1/sessions", "/healthz/", "/OPENAPI.json"]) {
      const typo = await page.goto(`${server.origin}${path}`);
      expect({ path, type: typo?.headers()["content-type"] }).toEqual({ path, type: "application/problem+json" });
    }
    // A session's page, its threadId holding a slash: the page itself, not a redirect to another path.
    const linked = await page.goto(`${server.origin}${sessionPagePath("some/thread")}`);
    expect(linked?.status()).toBe(200);
    expect(linked?.request().redirectedFrom()).toBeNull();
    expect(linked?.headers()["content-type"]).toContain("text/html");
  });
});

describe("source maps", () => {
  it("are served under wrangler dev, which builds them (a deploy does not: deploy-assets.test.ts)", async () => {
    const script = await fetch(`${server.origin}/app.js`);
    expect(await script.text()).toContain("sourceMappingURL=app.js.map");
    const map = await fetch(`${server.origin}/app.js.map`);
    expect(((await map.json()) as { sources: string[] }).sources).toContain("../../src/dashboard/main.ts");
  });
});

describe("screenshots", () => {
  it("saves the list, a session, phone width and dark mode", async () => {
    const running = await seedShowcase(server.origin);
    const desktop = await open();
    await signIn(desktop.page, server.origin);
    await row(desktop.page, running).waitFor();
    await screenshot(desktop.page, "list");
    await desktop.page.goto(`${server.origin}${sessionPagePath(running)}`);
    await desktop.page.locator('.entry[data-seq="9"]').waitFor();
    await desktop.page.locator('.entry[data-seq="9"]').getByText("raw JSON").click();
    await screenshot(desktop.page, "session");

    const phone = await open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await signIn(phone.page, server.origin);
    await row(phone.page, running).waitFor();
    await screenshot(phone.page, "phone");
    // Phone width has no horizontal scrolling.
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    const dark = await open({ colorScheme: "dark" });
    await signIn(dark.page, server.origin);
    await row(dark.page, running).waitFor();
    expect(await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(17, 19, 23)");
    await screenshot(dark.page, "dark");
  });
});
