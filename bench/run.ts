/**
 * npm run bench: the service and a reference Worker (bench/reference: bare Durable Object writes and a read), each
 * through `wrangler dev` and straight on workerd (Miniflare, no dev proxy), driven from this process over loopback.
 * Prints every figure, each target as a ratio to the reference measured in the same run, and bench/results.json.
 * Parts (BENCH_ONLY, comma-separated; default all): ingest, cpu, rows (direct only), fanout, hibernation, directory,
 * log (the logs by offset), static.
 * Paths (BENCH_PATHS; default dev,direct). Sizes: see the environment variables below and docs/performance.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { foldLog, type LogEntry } from "../src/domain/event-log.ts";
import { type CpuMode, formatCpu, measureCpu } from "./cpu.ts";
import { buildBundle, startDirect } from "./direct.ts";
import { type DirectoryFigures, measureDirectory } from "./directory.ts";
import { realisticEvents } from "./event-mix.ts";
import { type FanoutFigures, measureFanout } from "./fanout.ts";
import { type HibernationFigures, measureHibernation } from "./hibernation.ts";
import { formatColumns, formatTable } from "./load.ts";
import { formatLogReads, type LogReadFigures, measureLogReads } from "./log-read.ts";
import { API_TOKENS, runScenarios, type Scenarios, storageBytesPer1000Events } from "./scenarios.ts";
import { formatRows, measureRows, type RowFigure } from "./storage-rows.ts";
import { formatTargets, proxyShare, scenarioContext, scenarioTargets, type Target } from "./targets.ts";
import { type RunningWorker, startWranglerDev } from "./wrangler-dev.ts";

const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SETTINGS = {
  seconds: number("BENCH_SECONDS", 6),
  connections: number("BENCH_CONNECTIONS", 10),
  growthEvents: number("BENCH_GROWTH_EVENTS", 100_000),
  poolSessions: number("BENCH_POOL_SESSIONS", 200),
  cpu: { singleRequests: number("CPU_REQUESTS", 1_000), batchRequests: number("CPU_BATCH_REQUESTS", 100) },
  fanout: {
    subscribers: number("FANOUT_SUBSCRIBERS", 100),
    ratePerSecond: number("FANOUT_RATE", 200),
    frames: process.env.FANOUT_FRAMES === "message" ? "message" : "commit",
    transport: process.env.FANOUT_TRANSPORT === "sse" ? "stream" : "live",
  } as const,
  directory: { sessions: number("DIRECTORY_SESSIONS", 10_000), concurrency: number("DIRECTORY_CONCURRENCY", 20) },
  hibernation: { sessions: number("HIBERNATION_SESSIONS", 1_000), waitSeconds: number("HIBERNATION_WAIT_SECONDS", 30) },
  log: {
    entries: number("LOG_ENTRIES", 10_000),
    longPolls: number("LOG_LONG_POLLS", 200),
    sse: {
      subscribers: (process.env.LOG_SSE_SUBSCRIBERS ?? "1,10,100").split(",").map(Number),
      ratePerSecond: number("LOG_SSE_RATE", 50),
      seconds: number("LOG_SSE_SECONDS", 6),
    },
  },
};
const BASE_PORT = number("BENCH_PORT", 8890);
const PARTS = new Set((process.env.BENCH_ONLY ?? "ingest,cpu,rows,fanout,hibernation,directory,log,static").split(","));
const PATHS = (process.env.BENCH_PATHS ?? "dev,direct").split(",") as ("dev" | "direct")[];
const SERVICE_CONFIG = "wrangler.toml";
const REFERENCE_CONFIG = join(import.meta.dirname, "reference", "wrangler.toml");

interface PathFigures {
  scenarios?: Scenarios;
  preloadEventsPerSecond?: number | null;
  targets?: Target[];
  context?: Record<string, number | null>;
  cpu?: Record<string, CpuMode>;
  fanout?: FanoutFigures;
  hibernation?: HibernationFigures;
  directory?: DirectoryFigures;
  log?: LogReadFigures;
  rows?: Record<string, RowFigure>;
}

/** Ports from BENCH_PORT: dev service, its inspector, dev reference, its inspector, then the same for direct. */
function start(path: "dev" | "direct", which: "service" | "reference", stateDir: string): Promise<RunningWorker> {
  const port = BASE_PORT + (path === "dev" ? 0 : 4) + (which === "service" ? 0 : 2);
  const configPath = which === "service" ? SERVICE_CONFIG : REFERENCE_CONFIG;
  const options = { configPath, port, inspectorPort: port + 1, stateDir: join(stateDir, `${path}-${which}`) };
  const bindings = which === "service" ? { API_TOKENS } : {};
  return path === "dev" ? startWranglerDev({ ...options, env: bindings }) : startDirect({ ...options, bindings });
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
  const bundle = buildBundle(SERVICE_CONFIG);
  try {
    const code = readFileSync(join(bundle.dir, bundle.mainModule));
    return { bytes: code.length, gzipBytes: gzipSync(code).length };
  } finally {
    bundle.remove();
  }
}

function machine(): string {
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.+)/)?.[1] ?? "unknown CPU";
  return `${cpu}, ${cpus().length} cores, Node ${process.version}`;
}

function fanoutTargets(path: string, fanout: FanoutFigures): Target[] {
  const lost = fanout.missing + fanout.orderViolations;
  return [
    {
      name: `${path}: fan-out delivery p99 ms`,
      target: "<= 50",
      measured: fanout.latencyP99Ms,
      met: fanout.latencyP99Ms <= 50,
    },
    { name: `${path}: fan-out deliveries missing or out of order`, target: "= 0", measured: lost, met: lost === 0 },
  ];
}

function printPath(path: string, figures: PathFigures): void {
  if (figures.log !== undefined) console.log(formatLogReads(path, figures.log));
  if (figures.scenarios !== undefined) {
    console.log(`\n## ${path}: ingest and read\n`);
    console.log(formatTable(Object.values(figures.scenarios)));
    for (const [name, value] of Object.entries(figures.context ?? {})) console.log(`  ${name}: ${value ?? "n/a"}`);
  }
  if (figures.cpu !== undefined) console.log(`\n## ${path}: CPU inside workerd\n\n${formatCpu(path, figures.cpu)}`);
  if (figures.rows !== undefined) console.log(`\n## ${path}: billed storage per event\n\n${formatRows(figures.rows)}`);
  const fanout = figures.fanout;
  if (fanout !== undefined) {
    console.log(
      SETTINGS.fanout.transport === "stream"
        ? `\n## ${path}: live fan-out, ${fanout.subscribers} SSE subscribers (/stream)\n`
        : `\n## ${path}: live fan-out, ${fanout.subscribers} WebSocket subscribers, frames=${SETTINGS.fanout.frames}\n`,
    );
    console.log(
      `  events sent ${fanout.sent} at ${SETTINGS.fanout.ratePerSecond}/s, accepted ${fanout.accepted} (${fanout.achievedRate}/s achieved); deliveries missing ${fanout.missing}, out of order ${fanout.orderViolations}`,
    );
    console.log(
      `  delivery latency: p50 ${fanout.latencyP50Ms} ms, p99 ${fanout.latencyP99Ms} ms, max ${fanout.latencyMaxMs} ms; ` +
        `the POSTs themselves answered in p50 ${fanout.answerP50Ms} ms, p99 ${fanout.answerP99Ms} ms`,
    );
    console.log(
      `  at the same pace with nobody listening, ingest answered in p50 ${fanout.unheardAnswerP50Ms} ms, ` +
        `p99 ${fanout.unheardAnswerP99Ms} ms; the reference's bare write in p50 ${fanout.bareWriteAnswerP50Ms} ms, ` +
        `p99 ${fanout.bareWriteAnswerP99Ms} ms`,
    );
    console.log(formatTable([fanout.ingestWithout, fanout.ingestWith]));
    console.log(`  ingest req/s with subscribers ÷ without: ${fanout.throughputRatio}`);
    console.log(
      `  Worker's workerd CPU per request: ${fanout.workerCpuMsPerRequestWithout} ms without, ` +
        `${fanout.workerCpuMsPerRequestWith} ms with ${fanout.subscribers} subscribers; ` +
        `this process (generator + subscribers): ${fanout.generatorCpuMsPerRequestWith} ms per request with them`,
    );
  }
  const hibernation = figures.hibernation;
  if (hibernation !== undefined) {
    console.log(`\n## ${path}: ${hibernation.sessions} sessions with one idle WebSocket each, workerd RSS\n`);
    const header = ["moment", "Worker's workerd MiB", ...(path === "dev" ? ["proxy workerd MiB"] : [])];
    const rows = hibernation.rssMiB.map((row) => [
      row.moment,
      String(row.worker),
      ...(path === "dev" ? [String(row.proxy)] : []),
    ]);
    console.log(formatColumns(header, rows));
    console.log(
      `  sockets still open at the end: ${hibernation.socketsOpenAtEnd}; probe events delivered after the wait: ${hibernation.probedDelivered}`,
    );
  }
  const directory = figures.directory;
  if (directory !== undefined) {
    console.log(
      `\n## ${path}: directory, ${directory.sessions} sessions of one tenant, ${directory.concurrency} clients\n`,
    );
    console.log(
      `  sessions created: ${directory.sessionsCreatedPerSecond}/s; directory absorbed ${directory.updatesPerSecond} updates/s (caught up ${directory.convergenceLagMs} ms after the last ingest)`,
    );
    console.log(
      `  list 50 by cursor: p50 ${directory.listP50Ms} ms, p99 ${directory.listP99Ms} ms; active=true: p50 ${directory.listActiveP50Ms} ms, p99 ${directory.listActiveP99Ms} ms`,
    );
    for (const [query, { p50Ms, p99Ms, rows }] of Object.entries(directory.usage)) {
      console.log(`  GET /v1/usage?${query} (${rows} rows): p50 ${p50Ms} ms, p99 ${p99Ms} ms`);
    }
  }
}

async function measurePath(path: "dev" | "direct", stateDir: string): Promise<PathFigures> {
  const figures: PathFigures = {};
  const service = await start(path, "service", stateDir);
  try {
    if (PARTS.has("ingest")) {
      const reference = await start(path, "reference", stateDir);
      try {
        const measured = await runScenarios(path, service, reference, SETTINGS);
        figures.scenarios = measured.scenarios;
        figures.preloadEventsPerSecond = measured.preloadEventsPerSecond;
        figures.targets = scenarioTargets(path, measured.scenarios);
        figures.context = scenarioContext(measured.scenarios);
      } finally {
        await reference.stop();
      }
    }
    const bundle = "bundle" in service ? (service.bundle as Parameters<typeof measureCpu>[1]) : null;
    if (PARTS.has("cpu")) {
      const reference = await start(path, "reference", stateDir);
      try {
        const settings = { ...SETTINGS.cpu, concurrency: SETTINGS.connections };
        figures.cpu = await measureCpu(service, bundle, settings, reference);
      } finally {
        await reference.stop();
      }
    }
    if (PARTS.has("fanout")) {
      const reference = await start(path, "reference", stateDir);
      try {
        figures.fanout = await measureFanout(service, reference, {
          ...SETTINGS.fanout,
          seconds: SETTINGS.seconds,
          connections: SETTINGS.connections,
        });
      } finally {
        await reference.stop();
      }
      figures.targets = [...(figures.targets ?? []), ...fanoutTargets(path, figures.fanout)];
    }
    if (PARTS.has("rows") && "counts" in service) {
      figures.rows = await measureRows(service.origin, service.counts as Parameters<typeof measureRows>[1]);
    }
    if (PARTS.has("hibernation")) figures.hibernation = await measureHibernation(service, SETTINGS.hibernation);
    if (PARTS.has("directory")) figures.directory = await measureDirectory(service, SETTINGS.directory);
    if (PARTS.has("log")) figures.log = await measureLogReads(service, SETTINGS.log);
  } finally {
    await service.stop();
  }
  return figures;
}

async function main() {
  console.error(`bench: ${SETTINGS.connections} connections, ${SETTINGS.seconds} s per scenario, ${machine()}`);
  console.error(`bench: parts ${[...PARTS].join(", ")}; paths ${PATHS.join(", ")}`);
  const stateDir = mkdtempSync(join(tmpdir(), "ps-bench-state-"));
  const paths: Partial<Record<"dev" | "direct", PathFigures>> = {};
  let extra: Record<string, unknown> = {};
  try {
    for (const path of PATHS) {
      console.error(`bench: ${path} path…`);
      paths[path] = await measurePath(path, stateDir);
    }
    if (PARTS.has("static")) {
      const storage = await (async () => {
        const service = await start(PATHS[0] ?? "dev", "service", join(stateDir, "storage"));
        try {
          return await storageBytesPer1000Events(service.origin);
        } finally {
          await service.stop();
        }
      })();
      extra = {
        pureFoldEventsPerSecond: foldEventsPerSecond(),
        storageBytesPer1000Events: storage,
        bundle: bundleSize(),
      };
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }

  for (const [path, figures] of Object.entries(paths)) printPath(path, figures);
  const dev = paths.dev?.scenarios;
  const direct = paths.direct?.scenarios;
  const share = dev !== undefined && direct !== undefined ? proxyShare(dev, direct) : null;
  if (share !== null) {
    console.log("\n## the dev proxy's share: 1 − (req/s through wrangler dev ÷ req/s direct)\n");
    console.log(
      formatColumns(
        ["scenario", "share"],
        Object.entries(share).map(([key, value]) => [key, String(value)]),
      ),
    );
  }
  if (PARTS.has("static")) {
    const {
      pureFoldEventsPerSecond,
      storageBytesPer1000Events: storage,
      bundle,
    } = extra as {
      pureFoldEventsPerSecond: number;
      storageBytesPer1000Events: number;
      bundle: { bytes: number; gzipBytes: number };
    };
    console.log(
      `\npure fold (Node, no I/O): ${pureFoldEventsPerSecond.toLocaleString("en")} events/s over 1,000,000 events`,
    );
    console.log(`storage: ${storage.toLocaleString("en")} bytes per 1,000 stored events (SQLite, realistic mix)`);
    console.log(
      `bundle (wrangler deploy --dry-run): ${bundle.bytes.toLocaleString("en")} bytes, ${bundle.gzipBytes.toLocaleString("en")} gzipped`,
    );
  }
  const targets = Object.values(paths).flatMap((figures) => figures.targets ?? []);
  if (targets.length > 0) console.log(`\n## targets\n\n${formatTargets(targets)}`);

  const summary = {
    machine: machine(),
    settings: SETTINGS,
    parts: [...PARTS],
    paths,
    proxyShare: share,
    targets,
    ...extra,
  };
  writeFileSync(join(import.meta.dirname, "results.json"), `${JSON.stringify(summary, null, 2)}\n`);
  console.log("\nwritten: bench/results.json");
}

await main();
