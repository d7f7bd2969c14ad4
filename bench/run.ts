/**
 * npm run bench: starts the Worker under `wrangler dev` (workerd with its real SQLite storage), drives it from
 * this process over loopback with autocannon, and prints a table plus bench/results.json. Bounded: each load
 * scenario runs BENCH_SECONDS (default 6) at BENCH_CONNECTIONS (default 10) connections; loopback only.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { foldLog, type LogEntry } from "../src/domain/event-log.ts";
import { realisticEvents } from "./event-mix.ts";
import { formatTable, type LoadOptions, load, type NextRequest, round } from "./load.ts";
import { startWranglerDev } from "./wrangler-dev.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const PORT = Number(process.env.BENCH_PORT ?? 8797);
const GROWTH_EVENTS = Number(process.env.BENCH_GROWTH_EVENTS ?? 100_000);
const TOKEN = "bench-token-0001";
const HEADERS = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };

const run = Date.now().toString(36);

function ingest(threadId: () => string, batchSize: number): () => NextRequest {
  return () => {
    const id = threadId();
    return {
      path: `/v1/sessions/${id}/events`,
      body: JSON.stringify(realisticEvents(id, batchSize)),
      events: batchSize,
    };
  };
}

async function post(origin: string, threadId: string, events: unknown[]) {
  const response = await fetch(`${origin}/v1/sessions/${threadId}/events`, {
    method: "POST",
    headers: HEADERS,
    body: JSON.stringify(events),
  });
  if (!response.ok) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { session: { storageBytes: number } };
}

/** Bytes of SQLite storage that 10,000 events of the realistic mix add to a fresh session, per 1,000. */
async function storageBytesPer1000Events(origin: string): Promise<number> {
  const threadId = `storage-${run}`;
  const empty = (await post(origin, threadId, realisticEvents(threadId, 1))).session.storageBytes;
  let full = empty;
  for (let batch = 0; batch < 20; batch += 1) {
    full = (await post(origin, threadId, realisticEvents(threadId, 500))).session.storageBytes;
  }
  return Math.round((full - empty) / 10);
}

async function preload(origin: string, threadId: string, total: number): Promise<number> {
  const started = performance.now();
  for (let sent = 0; sent < total; sent += 500) {
    await post(origin, threadId, realisticEvents(threadId, Math.min(500, total - sent)));
  }
  return total / ((performance.now() - started) / 1000);
}

/** The pure fold in this Node process, no I/O: the best of three passes over a million events. */
function foldEventsPerSecond(events = 1_000_000): number {
  const log: LogEntry[] = realisticEvents("fold", events).map((event, index) => ({
    seq: index + 1,
    receivedAt: 1_795_000_000_000 + index,
    origin: "provider",
    event,
  }));
  foldLog(log.slice(0, 50_000));
  let best = 0;
  for (let pass = 0; pass < 3; pass += 1) {
    const started = performance.now();
    foldLog(log);
    best = Math.max(best, events / ((performance.now() - started) / 1000));
  }
  return Math.round(best);
}

function bundleSize(): { bytes: number; gzipBytes: number } {
  const outdir = mkdtempSync(join(tmpdir(), "ps-bundle-"));
  try {
    execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], {
      stdio: "ignore",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    const code = Buffer.concat(
      readdirSync(outdir)
        .filter((file) => file.endsWith(".js"))
        .map((file) => readFileSync(join(outdir, file))),
    );
    return { bytes: code.length, gzipBytes: gzipSync(code).length };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function machine(): string {
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.+)/)?.[1] ?? "unknown CPU";
  return `${cpu}, ${cpus().length} cores, Node ${process.version}`;
}

async function main() {
  const stateDir = mkdtempSync(join(tmpdir(), "ps-bench-state-"));
  const service = await startWranglerDev({
    configPath: "wrangler.toml",
    port: PORT,
    stateDir: join(stateDir, "service"),
    env: { API_TOKENS: `bench:${TOKEN}` },
  });
  const referenceWorker = await startWranglerDev({
    configPath: join(import.meta.dirname, "reference", "wrangler.toml"),
    port: PORT + 1,
    stateDir: join(stateDir, "reference"),
  });
  try {
    console.error(`bench: ${CONNECTIONS} connections, ${SECONDS} s per scenario, ${machine()}`);
    const on = (origin: string, method: LoadOptions["method"], next: () => NextRequest): LoadOptions => ({
      origin,
      connections: CONNECTIONS,
      seconds: SECONDS,
      method,
      headers: method === "POST" ? HEADERS : { authorization: HEADERS.authorization },
      next,
    });
    const healthz = () => ({ path: "/healthz", events: 0 });
    const ingestLoad = (scenario: string, threadId: () => string, batchSize: number) =>
      load(scenario, on(service.origin, "POST", ingest(threadId, batchSize)));

    const bytesPer1000 = await storageBytesPer1000Events(service.origin);
    await load("warm-up", on(service.origin, "GET", healthz));

    const floor = await load("floor: GET /healthz (no Durable Object)", on(service.origin, "GET", healthz));
    const single = await ingestLoad("ingest 1 event/request, one session", () => `single-${run}`, 1);
    const batched = await ingestLoad("ingest 100 events/request, one session", () => `batched-${run}`, 100);
    const spread = await ingestLoad(
      "ingest 1 event/request over 1,000 sessions (mostly first events)",
      () => `spread-${run}-${Math.floor(Math.random() * 1000)}`,
      1,
    );

    const grown = `grown-${run}`;
    console.error(`bench: preloading ${GROWTH_EVENTS.toLocaleString("en")} events into one session…`);
    const preloadEventsPerSecond = await preload(service.origin, grown, GROWTH_EVENTS);
    const growthEmpty = await ingestLoad("growth: 1 event/request into an empty session", () => `empty-${run}`, 1);
    const growthFull = await ingestLoad(
      `growth: 1 event/request into a ${GROWTH_EVENTS.toLocaleString("en")}-event session`,
      () => grown,
      1,
    );
    const read = await load(
      `read GET /v1/sessions/{id} (${GROWTH_EVENTS.toLocaleString("en")} events)`,
      on(service.origin, "GET", () => ({ path: `/v1/sessions/${grown}`, events: 0 })),
    );

    // The platform's own floor for the same writes: a bare Worker → Durable Object → SQLite, nothing else.
    const reference = (kind: string, batchSize: number) =>
      on(referenceWorker.origin, "POST", () => {
        const batch = ingest(() => `ref-${kind}-${batchSize}-${run}`, batchSize)();
        return { ...batch, path: `/${kind}/ref-${kind}-${batchSize}-${run}` };
      });
    const referenceSingle = await load("reference: bare Durable Object write, 1-event body", reference("body", 1));
    const referenceBatched = await load("reference: bare Durable Object write, 100-event body", reference("body", 100));
    const referenceRows = await load("reference: 100 events, one indexed row each", reference("rows", 100));

    const rows = [
      floor,
      single,
      batched,
      spread,
      growthEmpty,
      growthFull,
      read,
      referenceSingle,
      referenceBatched,
      referenceRows,
    ];
    for (const row of rows) row.ratioToFloor = round(row.requestsPerSecond / floor.requestsPerSecond, 2);

    const pureFold = foldEventsPerSecond();
    const bundle = bundleSize();
    const ratio = (a: number, b: number) => round(a / Math.max(b, Number.MIN_VALUE), 2);
    const targets = {
      "single-event ingest req/s ÷ floor req/s": {
        target: ">= 0.8",
        measured: ratio(single.requestsPerSecond, floor.requestsPerSecond),
      },
      "single-event ingest p99 ÷ floor p99": {
        target: "<= 2",
        measured: ratio(single.latencyP99Ms, floor.latencyP99Ms),
      },
      "batched ingest events/s": { target: ">= 20000", measured: batched.eventsPerSecond },
      [`${GROWTH_EVENTS.toLocaleString("en")}-event session req/s ÷ empty session req/s`]: {
        target: ">= 0.9",
        measured: ratio(growthFull.requestsPerSecond, growthEmpty.requestsPerSecond),
      },
      "pure fold events/s": { target: ">= 2000000", measured: pureFold },
    };
    const platform = {
      "single-event ingest ÷ bare Durable Object write": ratio(
        single.requestsPerSecond,
        referenceSingle.requestsPerSecond,
      ),
      "batched ingest ÷ bare Durable Object write": ratio(
        batched.requestsPerSecond,
        referenceBatched.requestsPerSecond,
      ),
      "batched ingest ÷ one indexed row per event": ratio(batched.requestsPerSecond, referenceRows.requestsPerSecond),
      "bare Durable Object write ÷ floor": ratio(referenceSingle.requestsPerSecond, floor.requestsPerSecond),
    };

    console.log(formatTable(rows));
    console.log(`\npure fold (Node, no I/O): ${pureFold.toLocaleString("en")} events/s over 1,000,000 events`);
    console.log(`preload: ${Math.round(preloadEventsPerSecond).toLocaleString("en")} events/s in 500-event batches`);
    console.log(`storage: ${bytesPer1000.toLocaleString("en")} bytes per 1,000 stored events (SQLite, realistic mix)`);
    console.log(
      `bundle (wrangler deploy --dry-run): ${bundle.bytes.toLocaleString("en")} bytes, ${bundle.gzipBytes.toLocaleString("en")} gzipped`,
    );
    console.log("\ntargets:");
    for (const [name, { target, measured }] of Object.entries(targets)) {
      console.log(`  ${name}: ${measured} (target ${target})`);
    }
    console.log("\nagainst the platform's own floor:");
    for (const [name, measured] of Object.entries(platform)) console.log(`  ${name}: ${measured}`);

    const summary = {
      machine: machine(),
      connections: CONNECTIONS,
      secondsPerScenario: SECONDS,
      scenarios: rows,
      pureFoldEventsPerSecond: pureFold,
      preloadEventsPerSecond: Math.round(preloadEventsPerSecond),
      storageBytesPer1000Events: bytesPer1000,
      bundle,
      targets,
      platform,
    };
    writeFileSync(join(import.meta.dirname, "results.json"), `${JSON.stringify(summary, null, 2)}\n`);
    console.log("\nwritten: bench/results.json");
  } finally {
    service.stop();
    referenceWorker.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();
