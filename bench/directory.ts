/**
 * How far one tenant's directory object goes: DIRECTORY_SESSIONS sessions (default 10,000) are created by
 * DIRECTORY_CONCURRENCY clients, each one request (a turn that reports its usage and ends: one directory update,
 * with the usage's bucket); the updates per second the directory absorbs (until its version has counted them all),
 * the latency of listing pages of 50 over all of them, and of `GET /v1/usage` over all their usage.
 */
import { percentile, round } from "./load.ts";
import { DIRECTORY_TOKEN, pool, post, run } from "./scenarios.ts";
import type { RunningWorker } from "./wrangler-dev.ts";

export interface DirectorySettings {
  sessions: number;
  concurrency: number;
}

export interface DirectoryFigures {
  sessions: number;
  concurrency: number;
  sessionsCreatedPerSecond: number;
  /** Updates the directory absorbed per second, from the first ingest until its version counted them all. */
  updatesPerSecond: number;
  /** Time from the last ingest's answer until the directory had every update. */
  convergenceLagMs: number;
  listP50Ms: number;
  listP99Ms: number;
  listActiveP50Ms: number;
  listActiveP99Ms: number;
  /** `GET /v1/usage` over every session's usage, by grouping: p50 and p99 of 50 requests each. */
  usage: Record<string, { p50Ms: number; p99Ms: number; rows: number }>;
}

/** Providers and models the sessions report, so each grouping has rows to sum. */
const MODELS = [
  ["codex", "gpt-5"],
  ["codex", "gpt-5.1-codex"],
  ["claude", "claude-sonnet-4-5"],
  ["gemini", "gemini-2.5-pro"],
] as const;

const HEADERS = { authorization: `Bearer ${DIRECTORY_TOKEN}`, "content-type": "application/json" };

async function version(origin: string): Promise<number> {
  const response = await fetch(`${origin}/v1/sessions?limit=1`, { headers: HEADERS });
  return ((await response.json()) as { version: number }).version;
}

/** A turn that reports usage and ends; a third of the sessions' turns stay open (an active session). */
function events(threadId: string, index: number) {
  const [provider, model] = MODELS[index % MODELS.length] ?? MODELS[0];
  const envelope = (type: string, payload: Record<string, unknown>) => ({
    eventId: `${type}-${threadId}`,
    type,
    provider,
    threadId,
    createdAt: new Date().toISOString(),
    turnId: "t1",
    payload,
  });
  const usage = { usedTokens: 9_000, inputTokens: 10_000 + index, cachedInputTokens: 4_000, outputTokens: 2_000 };
  return [
    envelope("session.started", {}),
    envelope("turn.started", { model }),
    envelope("thread.token-usage.updated", { usage }),
    ...(index % 3 === 0 ? [] : [envelope("turn.completed", { state: "completed" })]),
  ];
}

async function timed(origin: string, query: string): Promise<{ ms: number; nextCursor: string | null }> {
  const started = performance.now();
  const response = await fetch(`${origin}/v1/sessions${query}`, { headers: HEADERS });
  const { nextCursor } = (await response.json()) as { nextCursor: string | null };
  return { ms: performance.now() - started, nextCursor };
}

export async function measureDirectory(worker: RunningWorker, settings: DirectorySettings): Promise<DirectoryFigures> {
  const start = await version(worker.origin);
  const started = performance.now();
  await pool(settings.sessions, settings.concurrency, async (index) => {
    const threadId = `dir-${run}-${worker.path}-${index}`;
    await post(worker.origin, threadId, events(threadId, index), HEADERS);
  });
  const ingested = performance.now();
  const deadline = ingested + 120_000;
  while ((await version(worker.origin)) - start < settings.sessions && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const converged = performance.now();

  const pages: number[] = [];
  let cursor: string | null = null;
  // Every page of the listing once, by cursor, newest first (at most 200 pages of 50).
  for (let page = 0; page < Math.min(200, Math.ceil(settings.sessions / 50)); page += 1) {
    const query: string = cursor === null ? "?limit=50" : `?limit=50&cursor=${encodeURIComponent(cursor)}`;
    const listed = await timed(worker.origin, query);
    pages.push(listed.ms);
    cursor = listed.nextCursor;
    if (cursor === null) break;
  }
  const active: number[] = [];
  for (let page = 0; page < 100; page += 1) active.push((await timed(worker.origin, "?active=true&limit=50")).ms);
  pages.sort((a, b) => a - b);
  active.sort((a, b) => a - b);
  const usage: DirectoryFigures["usage"] = {};
  // The groupings, then the top threads as the dashboard asks for them, then every thread's row (10,000 rows).
  for (const query of [
    "groupBy=day",
    "groupBy=provider",
    "groupBy=model",
    "groupBy=day,provider",
    "groupBy=thread&limit=10",
    "groupBy=thread&limit=10000",
  ]) {
    const times: number[] = [];
    let rows = 0;
    for (let request = 0; request < 50; request += 1) {
      const started = performance.now();
      const response = await fetch(`${worker.origin}/v1/usage?${query}`, { headers: HEADERS });
      rows = ((await response.json()) as { rows: unknown[] }).rows.length;
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    usage[query] = { p50Ms: round(percentile(times, 50)), p99Ms: round(percentile(times, 99)), rows };
  }
  return {
    sessions: settings.sessions,
    concurrency: settings.concurrency,
    sessionsCreatedPerSecond: round(settings.sessions / ((ingested - started) / 1000)),
    updatesPerSecond: round(settings.sessions / ((converged - started) / 1000)),
    convergenceLagMs: round(converged - ingested),
    listP50Ms: round(percentile(pages, 50)),
    listP99Ms: round(percentile(pages, 99)),
    listActiveP50Ms: round(percentile(active, 50)),
    listActiveP99Ms: round(percentile(active, 99)),
    usage,
  };
}
