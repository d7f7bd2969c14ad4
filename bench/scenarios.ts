/**
 * The ingest and read scenarios of one path (`wrangler dev`, or workerd's own socket): the service and, beside it,
 * the reference Worker's bare Durable Object writes and read, each for BENCH_SECONDS at BENCH_CONNECTIONS.
 */
import { realisticEvents } from "./event-mix.ts";
import { type LoadOptions, load, type NextRequest, round, type ScenarioResult } from "./load.ts";
import type { RunningWorker } from "./wrangler-dev.ts";

export const TOKEN = "bench-token-0001";
/**
 * Asks for an uncompressed body: workerd's local entry point gzips JSON for a client that accepts it, as Cloudflare's
 * front line does outside the Worker in production (not billed as the Worker's CPU), so measuring it would count a
 * cost of the emulation, not of the Worker. The reference is asked the same way (NO_COMPRESSION).
 */
export const NO_COMPRESSION = { "accept-encoding": "identity" };
export const HEADERS = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...NO_COMPRESSION };
/** A second tenant, so the directory figures list exactly the sessions that part created. */
export const DIRECTORY_TOKEN = "bench-directory-0001";
export const API_TOKENS = `bench:${TOKEN},directory:${DIRECTORY_TOKEN}`;
export const run = Date.now().toString(36);

export interface ScenarioSettings {
  seconds: number;
  connections: number;
  /** Events preloaded into one session for the growth pair; 0 skips it. */
  growthEvents: number;
  /** Sessions created beforehand for the "existing sessions" scenario, hit round-robin. */
  poolSessions: number;
}

export type ScenarioKey =
  | "floor"
  | "single"
  | "batched"
  | "newSession"
  | "existingSessions"
  | "growthEmpty"
  | "growthFull"
  | "read"
  | "referenceSingle"
  | "referenceBatched"
  | "referenceRows"
  | "referenceRead"
  | "referenceNewObject";

export type Scenarios = Partial<Record<ScenarioKey, ScenarioResult>>;

export async function post(
  origin: string,
  threadId: string,
  events: unknown,
  headers: Record<string, string> = HEADERS,
): Promise<unknown> {
  const response = await fetch(`${origin}/v1/sessions/${encodeURIComponent(threadId)}/events`, {
    method: "POST",
    headers,
    body: JSON.stringify(events),
  });
  if (!response.ok) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/** Runs `task(index)` for index 0..count-1 with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, task: (index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(count, concurrency) }, async () => {
      for (let index = next++; index < count; index = next++) await task(index);
    }),
  );
}

function ingest(threadId: () => string, batchSize: number, path = (id: string) => `/v1/sessions/${id}/events`) {
  return (): NextRequest => {
    const id = threadId();
    return { path: path(id), body: JSON.stringify(realisticEvents(id, batchSize)), events: batchSize };
  };
}

async function preload(origin: string, threadId: string, total: number): Promise<number> {
  const started = performance.now();
  for (let sent = 0; sent < total; sent += 500) {
    await post(origin, threadId, realisticEvents(threadId, Math.min(500, total - sent)));
  }
  return round(total / ((performance.now() - started) / 1000));
}

/** Bytes of SQLite storage that 10,000 events of the realistic mix add to a fresh session, per 1,000. */
export async function storageBytesPer1000Events(origin: string): Promise<number> {
  const threadId = `storage-${run}`;
  type Reply = { session: { storageBytes: number } };
  const empty = ((await post(origin, threadId, realisticEvents(threadId, 1))) as Reply).session.storageBytes;
  let full = empty;
  for (let batch = 0; batch < 20; batch += 1) {
    full = ((await post(origin, threadId, realisticEvents(threadId, 500))) as Reply).session.storageBytes;
  }
  return Math.round((full - empty) / 10);
}

export async function runScenarios(
  path: string,
  service: RunningWorker,
  reference: RunningWorker,
  settings: ScenarioSettings,
): Promise<{ scenarios: Scenarios; preloadEventsPerSecond: number | null }> {
  const on = (origin: string, method: LoadOptions["method"], next: () => NextRequest): LoadOptions => ({
    origin,
    connections: settings.connections,
    seconds: settings.seconds,
    method,
    headers: method === "POST" ? HEADERS : { authorization: HEADERS.authorization, ...NO_COMPRESSION },
    next,
  });
  const named = (scenario: string) => `${path}: ${scenario}`;
  const serviceIngest = (scenario: string, threadId: () => string, batchSize: number) =>
    load(named(scenario), on(service.origin, "POST", ingest(threadId, batchSize)));
  const tag = `${run}-${path}`;
  const scenarios: Scenarios = {};
  const healthz = () => ({ path: "/healthz", events: 0 });

  await load("warm-up", on(service.origin, "GET", healthz));
  scenarios.floor = await load(named("floor: GET /healthz (no Durable Object)"), on(service.origin, "GET", healthz));
  scenarios.single = await serviceIngest("ingest 1 event/request, one session", () => `single-${tag}`, 1);
  scenarios.batched = await serviceIngest("ingest 100 events/request, one session", () => `batched-${tag}`, 100);

  let fresh = 0;
  scenarios.newSession = await serviceIngest(
    "ingest 1 event/request, a new session each request",
    () => `new-${tag}-${fresh++}`,
    1,
  );
  const poolIds = Array.from({ length: settings.poolSessions }, (_, index) => `pool-${tag}-${index}`);
  await pool(poolIds.length, settings.connections, async (index) => {
    const id = poolIds[index] ?? "";
    await post(service.origin, id, realisticEvents(id, 1));
  });
  let turn = 0;
  scenarios.existingSessions = await serviceIngest(
    `ingest 1 event/request, round-robin over ${settings.poolSessions} existing sessions`,
    () => poolIds[turn++ % poolIds.length] ?? "",
    1,
  );

  let preloadEventsPerSecond: number | null = null;
  if (settings.growthEvents > 0) {
    const grown = `grown-${tag}`;
    const count = settings.growthEvents.toLocaleString("en");
    console.error(`bench: ${path}: preloading ${count} events into one session…`);
    preloadEventsPerSecond = await preload(service.origin, grown, settings.growthEvents);
    scenarios.growthEmpty = await serviceIngest(
      "growth: 1 event/request into an empty session",
      () => `empty-${tag}`,
      1,
    );
    scenarios.growthFull = await serviceIngest(`growth: 1 event/request into a ${count}-event session`, () => grown, 1);
  }
  const readPath = `/v1/sessions/single-${tag}`;
  scenarios.read = await load(
    named("read GET /v1/sessions/{id}"),
    on(service.origin, "GET", () => ({ path: readPath, events: 0 })),
  );

  // The platform's own cost of the same work: a bare Worker → Durable Object → SQLite, nothing else.
  const referenceWrite = (kind: string, batchSize: number) =>
    on(
      reference.origin,
      "POST",
      ingest(
        () => `ref-${kind}-${batchSize}-${tag}`,
        batchSize,
        (id) => `/${kind}/${id}`,
      ),
    );
  scenarios.referenceSingle = await load(named("reference: bare DO write, 1-event body"), referenceWrite("body", 1));
  // What the platform charges for a Durable Object's first write (creating it, its SQLite file, its table).
  let freshReference = 0;
  scenarios.referenceNewObject = await load(
    named("reference: bare DO write, a new object each request"),
    on(
      reference.origin,
      "POST",
      ingest(
        () => `ref-new-${tag}-${freshReference++}`,
        1,
        (id) => `/body/${id}`,
      ),
    ),
  );
  scenarios.referenceBatched = await load(
    named("reference: bare DO write, 100-event body"),
    referenceWrite("body", 100),
  );
  scenarios.referenceRows = await load(
    named("reference: 100 events, one row each under a unique index"),
    referenceWrite("rows", 100),
  );
  // The reference reads back a body as large as the session the service returns.
  const view = await (await fetch(`${service.origin}${readPath}`, { headers: HEADERS })).text();
  const stored = await fetch(`${reference.origin}/body/ref-read-${tag}`, { method: "POST", body: view });
  await stored.body?.cancel();
  scenarios.referenceRead = await load(
    named("reference: bare DO read of one row (same bytes as the session)"),
    on(reference.origin, "GET", () => ({ path: `/read/ref-read-${tag}`, events: 0 })),
  );

  const floor = scenarios.floor.requestsPerSecond;
  for (const row of Object.values(scenarios)) row.ratioToFloor = round(row.requestsPerSecond / floor, 2);
  return { scenarios, preloadEventsPerSecond };
}
