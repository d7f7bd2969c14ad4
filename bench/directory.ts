/**
 * How far one tenant's directory object goes: DIRECTORY_SESSIONS sessions (default 10,000) are created by
 * DIRECTORY_CONCURRENCY clients, each first event one directory update; the updates per second the directory
 * absorbs (until its version has counted them all), then the latency of listing pages of 50 over all of them.
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
}

const HEADERS = { authorization: `Bearer ${DIRECTORY_TOKEN}`, "content-type": "application/json" };

async function version(origin: string): Promise<number> {
  const response = await fetch(`${origin}/v1/sessions?limit=1`, { headers: HEADERS });
  return ((await response.json()) as { version: number }).version;
}

function event(threadId: string, index: number) {
  return {
    eventId: `e-${threadId}`,
    type: index % 3 === 0 ? "turn.started" : "session.started",
    provider: "codex",
    threadId,
    createdAt: new Date().toISOString(),
    turnId: "t1",
  };
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
    await post(worker.origin, threadId, event(threadId, index), HEADERS);
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
  };
}
