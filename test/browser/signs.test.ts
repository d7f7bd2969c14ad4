/**
 * What issue 21 added to the dashboard, in a real browser: a stalled session, background tasks, a usage limit's live
 * countdown, a person awaited since a time, and a provider's non-graceful exit with its stderr. Each case waits for
 * what a reader would see, then saves a screenshot (docs/ keeps one of each).
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { row, screenshot, signIn } from "./support/browser.ts";
import { ev, newThreadId, post, sessionPagePath } from "./support/events.ts";
import { browserSuite } from "./support/suite.ts";

const { server, open } = browserSuite();

let counter = 0;
const event = (type: string, payload: Record<string, unknown>, turnId?: string) => ({
  eventId: `sign-${++counter}-${crypto.randomUUID().slice(0, 8)}`,
  type,
  payload,
  ...(turnId === undefined ? {} : { turnId }),
});

const stalledFor = (minutes: number) => event("session.health", { state: "stalled", stalledForMs: minutes * 60_000 });
const tasks = () => [
  event("task.started", { taskId: "task-1", description: "npm test -- --watch" }),
  event("task.updated", { taskId: "task-2", status: "running", isBackgrounded: true }),
];
const usageLimit = (resetsAt: Date) =>
  event("runtime.error", {
    message: "You've hit your usage limit",
    class: "usage_limit",
    detail: { kind: "usage-limit", resetsAt: resetsAt.toISOString() },
  });

/** The text of a field of the session page's card. */
const field = (page: Page, key: string) => page.locator(`[data-field="${key}"]`);
/** Before a screenshot: the page is live and its log shows the session's last entry. */
async function settled(page: Page, lastSeq: number): Promise<void> {
  await page.locator('.connection[data-state="live"]').waitFor();
  await page.locator(`.entry[data-seq="${lastSeq}"]`).waitFor();
}

/** The words of the small badges beside a row's first, without their icons. */
const signs = (page: Page, threadId: string) => row(page, threadId).locator(".signs .badge-label");

describe("the signs of a session", () => {
  it("shows a stalled session as stalled, needing attention, and says since when it has been silent", async () => {
    const [threadId, busy] = [newThreadId("stalled-build"), newThreadId("busy-build")];
    await post(server.origin, busy, [ev.sessionStarted(), ev.turnStarted("t1")]);
    await post(server.origin, threadId, [ev.sessionStarted(), ev.turnStarted("t1"), stalledFor(5)]);
    const page = await open();
    await signIn(page, server.origin);
    await row(page, threadId).locator(".badge").filter({ hasText: "stalled" }).waitFor();
    expect(await row(page, threadId).locator(".badge").first().getAttribute("data-state")).toBe("stalled");
    await row(page, busy).locator(".badge").filter({ hasText: "running" }).waitFor();
    await page.getByLabel(/Needs attention/).check();
    await row(page, busy).waitFor({ state: "detached" });
    expect(await row(page, threadId).isVisible()).toBe(true);

    await page.goto(`${server.origin}${sessionPagePath(threadId)}`);
    await page.locator(".session-title .badge").filter({ hasText: "stalled" }).waitFor();
    await expect
      .poll(() => field(page, "health").textContent())
      .toMatch(/^stalled: no sign of life since .+, 5 min ago \(the provider says\)$/);
    expect(await field(page, "status").textContent()).toBe("running");
    await settled(page, 3);
    await screenshot(page, "stalled");
  });

  it("counts a session's background tasks in the list and on its page", async () => {
    const threadId = newThreadId("tasks-migration");
    await post(server.origin, threadId, [
      ev.sessionStarted(),
      ev.turnStarted("t1"),
      ev.turnCompleted("t1"),
      ...tasks(),
    ]);
    const page = await open();
    await signIn(page, server.origin);
    await signs(page, threadId).filter({ hasText: "2 background tasks" }).waitFor();
    // The turn is over but the tasks run: the session is ready, not stalled, and needs no one.
    expect(await row(page, threadId).locator(".badge").first().textContent()).toContain("ready");

    await page.goto(`${server.origin}${sessionPagePath(threadId)}`);
    await page.locator(".card-signs .badge-label").filter({ hasText: "2 background tasks" }).waitFor();
    await expect
      .poll(() => field(page, "tasks").textContent())
      .toMatch(/^2 background tasks, 1 said to run in the background; the oldest started (just now|\d+ s ago)$/);
    await settled(page, 5);
    await screenshot(page, "background-tasks");
  });

  it("counts down to a usage limit's reset, live", async () => {
    const threadId = newThreadId("usage-limit");
    await post(server.origin, threadId, [ev.sessionStarted(), usageLimit(new Date(Date.now() + 3_600_000))]);
    const page = await open();
    await signIn(page, server.origin);
    const sign = signs(page, threadId).filter({ hasText: "limit resets in" });
    await sign.waitFor();
    const first = await sign.textContent();
    expect(first).toMatch(/^limit resets in (59:[0-5]\d|1:00:00)$/);
    // It moves on its own, once a second, with no event.
    await expect.poll(() => sign.textContent(), { timeout: 3000 }).not.toBe(first);

    await page.goto(`${server.origin}${sessionPagePath(threadId)}`);
    const countdown = page.locator(".card-signs .badge-label").filter({ hasText: "limit resets in" });
    await countdown.waitFor();
    await expect.poll(() => field(page, "limit").textContent()).toMatch(/^limit resets in 59:[0-5]\d \(at .+\)$/);
    expect(await field(page, "status").textContent()).toBe("error");
    expect(await field(page, "error").textContent()).toBe("You've hit your usage limit");
    await settled(page, 2);
    await screenshot(page, "usage-limit");
  });

  it("says since when a person is awaited, and shows a non-graceful exit with the end of its stderr", async () => {
    const [waiting, crashed] = [newThreadId("waiting-review"), newThreadId("crashed-agent")];
    await post(server.origin, waiting, [ev.sessionStarted(), ev.turnStarted("t1"), ev.approvalOpened("t1", "a1")]);
    const stderrTail = "warning: retrying request\nthread 'main' panicked at src/main.rs:42:5:\nout of memory\n";
    await post(server.origin, crashed, [
      ev.sessionStarted(),
      event("session.exited", { exitKind: "error", reason: "crashed", stderrTail }),
    ]);
    const page = await open();
    await signIn(page, server.origin);
    await signs(page, waiting)
      .filter({ hasText: /^since \d/ })
      .waitFor();
    expect(await row(page, waiting).locator(".note").textContent()).toBe("1 approval");

    await page.goto(`${server.origin}${sessionPagePath(waiting)}`);
    await page.locator(".session-title .badge-label").filter({ hasText: "waiting for you" }).waitFor();
    await page
      .locator(".card-signs .badge-label")
      .filter({ hasText: /^since \d/ })
      .waitFor();
    await expect.poll(() => field(page, "waiting").textContent()).toMatch(/^1 approval, since \d/);

    await page.goto(`${server.origin}${sessionPagePath(crashed)}`);
    await expect.poll(() => field(page, "exit").textContent()).toBe("error: the provider exited non-gracefully");
    const tail = page.locator(".stderr-tail");
    await expect.poll(() => tail.textContent()).toBe(stderrTail.trimEnd());
    expect(await page.locator(".stderr").isVisible()).toBe(true);
  });

  it("saves the list with every sign", async () => {
    const ids = ["stalled-build", "tasks-migration", "usage-limit", "waiting-review"].map((label) =>
      newThreadId(`list-${label}`),
    );
    const [stalled, tasked, limited, waiting] = ids as [string, string, string, string];
    await post(server.origin, stalled, [ev.sessionStarted(), ev.turnStarted("t1"), stalledFor(7)]);
    await post(server.origin, tasked, [ev.sessionStarted(), ev.turnStarted("t1"), ...tasks()]);
    await post(server.origin, limited, [
      ev.sessionStarted(),
      usageLimit(new Date(Date.now() + (2 * 3600 + 14 * 60 + 5) * 1000)),
    ]);
    await post(server.origin, waiting, [ev.sessionStarted(), ev.turnStarted("t4"), ev.approvalOpened("t4", "a1")]);
    const page = await open();
    await signIn(page, server.origin);
    await signs(page, tasked).filter({ hasText: "2 background tasks" }).waitFor();
    await signs(page, limited)
      .filter({ hasText: /^limit resets in 2:1[34]:\d\d$/ })
      .waitFor();
    await row(page, stalled).locator(".badge").filter({ hasText: "stalled" }).waitFor();
    await row(page, waiting).locator(".badge").filter({ hasText: "waiting for you" }).waitFor();
    await screenshot(page, "signs-list");
  });
});
