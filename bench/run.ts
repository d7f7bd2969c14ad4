/**
 * npm run bench: starts the Worker under `wrangler dev` (workerd with its real SQLite storage), drives it from
 * this process over loopback with autocannon, and prints a table plus bench/results.json.
 * Bounded: each load scenario runs BENCH_SECONDS (default 8) at BENCH_CONNECTIONS (default 10) connections.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { foldLog, type LogEntry } from "../src/domain/event-log.ts";
import { realisticEvents } from "./event-mix.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const PORT = Number(process.env.BENCH_PORT ?? 8797);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const TOKEN = "bench-token-0001";
const AUTH = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
const GROWTH_EVENTS = Number(process.env.BENCH_GROWTH_EVENTS ?? 100_000);

interface ScenarioResult {
  scenario: string;
  requestsPerSecond: number;
  eventsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  errors: number;
  requests: number;
  ratioToFloor?: number;
}

function startWorker(stateDir: string): ChildProcess {
  const child = spawn(
    "npx",
    ["wrangler", "dev", "--port", String(PORT), "--ip", "127.0.0.1", "--persist-to", stateDir, "--log-level", "warn"],
    {
      env: {
        ...process.env,
        API_TOKENS: `bench:${TOKEN}`,
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_SEND_METRICS: "false",
      },
      stdio: ["ignore", "ignore", "inherit"],
      detached: true,
    },
  );
  return child;
}

async function waitForHealth(deadlineMs: number) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${ORIGIN}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("wrangler dev did not become healthy in time");
}

async function post(threadId: string, events: unknown[]) {
  const response = await fetch(`${ORIGIN}/v1/sessions/${threadId}/events`, {
    method: "POST",
    headers: AUTH,
    body: JSON.stringify(events),
  });
  if (!response.ok) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
  return response.json() as Promise<{ session: { storageBytes: number; lastSeq: number } }>;
}

type BodyFactory = () => { path: string; body?: string; events: number };

/** BENCH_ONLY=text runs only the scenarios whose name contains it (the floor always runs). */
const ONLY = process.env.BENCH_ONLY;
const skipped: ScenarioResult = {
  scenario: "skipped",
  requestsPerSecond: Number.NaN,
  eventsPerSecond: Number.NaN,
  latencyP50Ms: Number.NaN,
  latencyP99Ms: Number.NaN,
  errors: 0,
  requests: 0,
};

async function load(scenario: string, method: "GET" | "POST", next: BodyFactory): Promise<ScenarioResult> {
  if (ONLY !== undefined && !scenario.startsWith("floor") && !scenario.includes(ONLY)) return { ...skipped, scenario };
  let events = 0;
  const result = await autocannon({
    url: ORIGIN,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method,
        headers: method === "POST" ? AUTH : { authorization: AUTH.authorization },
        setupRequest: (request) => {
          const { path, body, events: count } = next();
          events += count;
          return { ...request, path, ...(body === undefined ? {} : { body }) };
        },
      },
    ],
  });
  const seconds = result.duration;
  const requests = result.requests.total;
  return {
    scenario,
    requestsPerSecond: round(requests / seconds),
    eventsPerSecond: round((events * (requests / Math.max(1, result.requests.sent))) / seconds),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    requests,
  };
}

function round(value: number) {
  return Math.round(value * 10) / 10;
}

function sessionIngest(threadId: () => string, batchSize: number): BodyFactory {
  return () => {
    const id = threadId();
    return {
      path: `/v1/sessions/${id}/events`,
      body: JSON.stringify(realisticEvents(id, batchSize)),
      events: batchSize,
    };
  };
}

async function preload(threadId: string, total: number) {
  const started = performance.now();
  for (let sent = 0; sent < total; sent += 500) {
    await post(threadId, realisticEvents(threadId, Math.min(500, total - sent)));
  }
  return (performance.now() - started) / 1000;
}

function measureFold(): { eventsPerSecond: number; events: number } {
  const events = 1_000_000;
  const log: LogEntry[] = realisticEvents("fold", events).map((event, index) => ({
    seq: index + 1,
    receivedAt: 1_795_000_000_000 + index,
    origin: "provider",
    event,
  }));
  foldLog(log.slice(0, 50_000)); // warm up the JIT
  const runs: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    const started = performance.now();
    foldLog(log);
    runs.push(events / ((performance.now() - started) / 1000));
  }
  return { eventsPerSecond: Math.round(Math.max(...runs)), events };
}

function measureBundle(): { bytes: number; gzipBytes: number } {
  const outdir = mkdtempSync(join(tmpdir(), "ps-bundle-"));
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], {
    stdio: "ignore",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  const files = readdirSync(outdir).filter((file) => file.endsWith(".js"));
  const code = Buffer.concat(files.map((file) => readFileSync(join(outdir, file))));
  rmSync(outdir, { recursive: true, force: true });
  return { bytes: code.length, gzipBytes: gzipSync(code).length };
}

function machine() {
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.+)/)?.[1] ?? "unknown CPU";
  return `${cpu}, ${(process.getBuiltinModule("node:os") as typeof import("node:os")).cpus().length} cores, Node ${process.version}`;
}

function printTable(rows: ScenarioResult[]) {
  const header = ["scenario", "req/s", "events/s", "p50 ms", "p99 ms", "errors", "× floor req/s"];
  const lines = rows.map((row) => [
    row.scenario,
    row.requestsPerSecond.toFixed(0),
    row.eventsPerSecond.toFixed(0),
    String(row.latencyP50Ms),
    String(row.latencyP99Ms),
    String(row.errors),
    row.ratioToFloor === undefined ? "" : row.ratioToFloor.toFixed(2),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]?.length ?? 0)),
  );
  const format = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  console.log(format(header));
  console.log(`| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`);
  for (const line of lines) console.log(format(line));
}

async function main() {
  const stateDir = mkdtempSync(join(tmpdir(), "ps-bench-state-"));
  const worker = startWorker(stateDir);
  const stop = () => {
    if (worker.pid !== undefined) {
      try {
        process.kill(-worker.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  };
  process.on("exit", stop);
  try {
    await waitForHealth(60_000);
    const run = Date.now().toString(36);
    const rows: ScenarioResult[] = [];
    console.error(`bench: ${CONNECTIONS} connections, ${SECONDS} s per scenario, ${machine()}`);

    // Storage first, in a fresh session: bytes per 1,000 stored events of the realistic mix.
    const storageThread = `storage-${run}`;
    const emptyBytes = (await post(storageThread, realisticEvents(storageThread, 1))).session.storageBytes;
    let storageBytes = emptyBytes;
    for (let i = 0; i < 20; i += 1)
      storageBytes = (await post(storageThread, realisticEvents(storageThread, 500))).session.storageBytes;
    const bytesPer1000 = Math.round(((storageBytes - emptyBytes) / 10_000) * 1000);

    // Warm the isolate and the route before measuring.
    await load("warm-up", "GET", () => ({ path: "/healthz", events: 0 }));

    const floor = await load("floor: GET /healthz (no Durable Object)", "GET", () => ({ path: "/healthz", events: 0 }));
    rows.push(floor);
    const single = `single-${run}`;
    rows.push(
      await load(
        "ingest 1 event/request, one session",
        "POST",
        sessionIngest(() => single, 1),
      ),
    );
    const batched = `batched-${run}`;
    rows.push(
      await load(
        "ingest 100 events/request, one session",
        "POST",
        sessionIngest(() => batched, 100),
      ),
    );
    rows.push(
      await load(
        "ingest 1 event/request over 1,000 sessions",
        "POST",
        sessionIngest(() => `spread-${run}-${Math.floor(Math.random() * 1000)}`, 1),
      ),
    );

    const grown = `grown-${run}`;
    console.error(`bench: preloading ${GROWTH_EVENTS} events into one session…`);
    const preloadSeconds =
      ONLY === undefined || "growth".includes(ONLY) ? await preload(grown, GROWTH_EVENTS) : Number.NaN;
    const emptyGrowth = `growth-empty-${run}`;
    const growthEmpty = await load(
      "growth: ingest 1 event into an empty session",
      "POST",
      sessionIngest(() => emptyGrowth, 1),
    );
    const growthFull = await load(
      `growth: ingest 1 event into a ${GROWTH_EVENTS.toLocaleString("en")}-event session`,
      "POST",
      sessionIngest(() => grown, 1),
    );
    rows.push(growthEmpty, growthFull);
    rows.push(await load("read GET /v1/sessions/{id}", "GET", () => ({ path: `/v1/sessions/${grown}`, events: 0 })));

    for (const row of rows) row.ratioToFloor = round((row.requestsPerSecond / floor.requestsPerSecond) * 100) / 100;

    const fold = measureFold();
    const bundle = measureBundle();
    printTable(rows);
    const singleRow = rows[1];
    const batchedRow = rows[2];
    const summary = {
      machine: machine(),
      connections: CONNECTIONS,
      secondsPerScenario: SECONDS,
      scenarios: rows,
      pureFold: fold,
      preload: {
        events: GROWTH_EVENTS,
        seconds: round(preloadSeconds),
        eventsPerSecond: Math.round(GROWTH_EVENTS / preloadSeconds),
      },
      growthRatio: round((growthFull.requestsPerSecond / growthEmpty.requestsPerSecond) * 100) / 100,
      storageBytesPer1000Events: bytesPer1000,
      bundle,
      targets: {
        singleIngestRatioToFloor: { target: ">= 0.8", measured: singleRow?.ratioToFloor },
        singleIngestP99ToFloorP99: {
          target: "<= 2",
          measured: round((singleRow?.latencyP99Ms ?? 0) / Math.max(1, floor.latencyP99Ms)),
        },
        batchedEventsPerSecond: { target: ">= 20000", measured: batchedRow?.eventsPerSecond },
        growthWithin10Percent: {
          target: ">= 0.9",
          measured: round((growthFull.requestsPerSecond / growthEmpty.requestsPerSecond) * 100) / 100,
        },
        pureFoldEventsPerSecond: { target: ">= 2000000", measured: fold.eventsPerSecond },
      },
    };
    console.log(
      `\npure fold (Node, no I/O): ${fold.eventsPerSecond.toLocaleString("en")} events/s over ${fold.events.toLocaleString("en")} events`,
    );
    console.log(
      `preload: ${GROWTH_EVENTS.toLocaleString("en")} events in 500-event batches at ${summary.preload.eventsPerSecond.toLocaleString("en")} events/s`,
    );
    console.log(`growth: ${summary.growthRatio}× the empty session's req/s`);
    console.log(`storage: ${bytesPer1000.toLocaleString("en")} bytes per 1,000 stored events (SQLite, realistic mix)`);
    console.log(
      `bundle (wrangler deploy --dry-run): ${bundle.bytes.toLocaleString("en")} bytes, ${bundle.gzipBytes.toLocaleString("en")} gzip`,
    );
    console.log("\ntargets:");
    for (const [name, { target, measured }] of Object.entries(summary.targets))
      console.log(`  ${name}: ${measured} (target ${target})`);
    writeFileSync(join(import.meta.dirname, "results.json"), `${JSON.stringify(summary, null, 2)}\n`);
    console.log("\nwritten: bench/results.json");
  } finally {
    stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();
