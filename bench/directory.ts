/**
 * npm run bench:directory: how far one tenant directory object goes, under `wrangler dev` on loopback. Creates
 * DIRECTORY_SESSIONS sessions (default 10,000), each first event one directory update; measures the updates per
 * second the directory absorbs while sessions ingest, then the latency of listing pages of 50 over all of them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWranglerDev } from "./wrangler-dev.ts";

const SESSIONS = Number(process.env.DIRECTORY_SESSIONS ?? 10_000);
const CONCURRENCY = Number(process.env.DIRECTORY_CONCURRENCY ?? 20);
const PORT = Number(process.env.BENCH_PORT ?? 8798);
const TOKEN = "bench-token-0001";
const HEADERS = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };

const stateDir = mkdtempSync(join(tmpdir(), "directory-bench-"));
const worker = await startWranglerDev({
  configPath: "wrangler.toml",
  port: PORT,
  stateDir,
  env: { API_TOKENS: `bench:${TOKEN}` },
});

async function version(): Promise<number> {
  const response = await fetch(`${worker.origin}/v1/sessions?limit=1`, { headers: HEADERS });
  return ((await response.json()) as { version: number }).version;
}

function event(threadId: string, index: number) {
  const type = index % 3 === 0 ? "turn.started" : "session.started";
  return {
    eventId: `e-${threadId}`,
    type,
    provider: "codex",
    threadId,
    createdAt: new Date().toISOString(),
    turnId: "t1",
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

try {
  const start = await version();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let index = next++; index < SESSIONS; index = next++) {
        const threadId = `dir-${index}`;
        const response = await fetch(`${worker.origin}/v1/sessions/${threadId}/events`, {
          method: "POST",
          headers: HEADERS,
          body: JSON.stringify(event(threadId, index)),
        });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`ingest answered ${response.status}`);
      }
    }),
  );
  const ingested = performance.now();
  while ((await version()) - start < SESSIONS) await new Promise((resolve) => setTimeout(resolve, 50));
  const converged = performance.now();
  const seconds = (converged - started) / 1000;

  const latencies: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 200; page += 1) {
    const query: string = cursor === null ? "?limit=50" : `?limit=50&cursor=${encodeURIComponent(cursor)}`;
    const t0 = performance.now();
    const response = await fetch(`${worker.origin}/v1/sessions${query}`, { headers: HEADERS });
    cursor = ((await response.json()) as { nextCursor: string | null }).nextCursor;
    latencies.push(performance.now() - t0);
  }
  const filtered: number[] = [];
  for (let page = 0; page < 100; page += 1) {
    const t0 = performance.now();
    const response = await fetch(`${worker.origin}/v1/sessions?active=true&limit=50`, { headers: HEADERS });
    await response.json();
    filtered.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  filtered.sort((a, b) => a - b);
  console.log(`directory: ${SESSIONS} sessions, ${CONCURRENCY} concurrent clients, wrangler dev on loopback`);
  console.log(`  ingest of the first events: ${(SESSIONS / ((ingested - started) / 1000)).toFixed(0)} sessions/s`);
  console.log(
    `  directory converged after ${seconds.toFixed(1)} s: ${(SESSIONS / seconds).toFixed(0)} updates/s absorbed`,
  );
  console.log(
    `  list 50 of ${SESSIONS} (pages 1-200 by cursor): p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
  console.log(
    `  list active=true, 50: p50 ${percentile(filtered, 50).toFixed(1)} ms, p99 ${percentile(filtered, 99).toFixed(1)} ms`,
  );
} finally {
  worker.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
