/** Bigger scenes for the browser tests: sessions in every state for the screenshots, a directory of thousands. */
import type { Page } from "playwright-core";
import { ev, newThreadId, post, range } from "./events.ts";

/** Five sessions a reader would meet on a normal day; returns the busiest one's threadId. */
export async function seedShowcase(origin: string): Promise<string> {
  const [running, waiting, ready, failed, question] = [
    "fix-login-redirect",
    "upgrade-zod-4",
    "flaky-e2e-retry",
    "docs-quickstart",
    "refactor-billing",
  ].map((name) => newThreadId(name)) as [string, string, string, string, string];
  await post(origin, ready, [ev.sessionStarted(), ev.turnStarted("t1"), ev.turnCompleted("t1")]);
  await post(origin, failed, [
    ev.sessionStarted(),
    ev.turnStarted("t1"),
    { ...ev.delta("t1", "x"), type: "runtime.error", payload: { message: "model overloaded" } },
  ]);
  await post(origin, question, [
    ev.sessionStarted(),
    ev.turnStarted("t3"),
    { ...ev.delta("t3", "?"), type: "user-input.requested", requestId: "q1", payload: { question: "Which branch?" } },
  ]);
  await post(origin, waiting, [ev.sessionStarted(), ev.turnStarted("t2"), ev.approvalOpened("t2", "a1")]);
  await post(origin, running, [
    ev.sessionStarted(),
    ev.turnStarted("t1"),
    ev.delta("t1", "Reading src/auth/redirect.ts"),
    ev.approvalOpened("t1", "a1"),
    ev.approvalResolved("t1", "a1"),
    ev.turnCompleted("t1"),
    ev.turnStarted("t2"),
    ev.delta("t2", "Running npm test"),
    // A late retry of the first turn's start, refused while t2 runs.
    ev.turnStarted("t1"),
  ]);
  return running;
}

/**
 * Answers the page's directory listing with `total` sessions (every 7th running, every 11th waiting for an
 * approval), and holds its live stream open and silent.
 */
export async function serveDirectory(page: Page, total: number): Promise<void> {
  const summary = (n: number) => ({
    threadId: `bulk-${String(n).padStart(5, "0")}`,
    status: n % 7 === 0 ? "running" : "ready",
    providerName: "codex",
    activeTurnId: n % 7 === 0 ? "t1" : null,
    lastError: null,
    lastEventAt: new Date(Date.UTC(2026, 10, 28) - n * 1000).toISOString(),
    deadline: null,
    pendingRequests: { approvals: n % 11 === 0 ? 1 : 0, userInputs: 0, oldestOpenedAt: null },
    health: null,
    tasks: { running: 0, backgrounded: 0, oldestStartedAt: null },
    limitResetsAt: null,
    attention: n % 11 === 0 ? ["pending-request"] : [],
  });
  await page.route("**/v1/sessions?*", (route) => {
    const url = new URL(route.request().url());
    const from = Number(url.searchParams.get("cursor") ?? 0);
    const to = Math.min(total, from + Number(url.searchParams.get("limit")));
    const sessions = range(from, to - 1).map(summary);
    return route.fulfill({ json: { sessions, nextCursor: to < total ? String(to) : null, version: 1 } });
  });
  await page.route("**/v1/directory/stream*", () => {});
}
