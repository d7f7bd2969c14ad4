/**
 * CPU time inside workerd per ingested event: a fixed count of single-event and of 100-event requests, the CPU of
 * the workerd process read from /proc before and after (minus its idle rate), then the same workload again under
 * a V8 CPU profile (through the inspector) split into buckets by self time (see inspector.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Bundle } from "./direct.ts";
import { realisticEvents } from "./event-mix.ts";
import { bucketize, profile } from "./inspector.ts";
import { formatColumns, round } from "./load.ts";
import { cpuMs, roles } from "./processes.ts";
import { HEADERS, NO_COMPRESSION, pool, post, run } from "./scenarios.ts";

/** CPU_MODES: a comma-separated subset of the workloads' labels (default all), for quick before/after figures. */
const ONLY_MODES = (label: string) =>
  process.env.CPU_MODES === undefined || process.env.CPU_MODES.split(",").some((mode) => label.startsWith(mode));

import type { RunningWorker } from "./wrangler-dev.ts";

export interface CpuSettings {
  singleRequests: number;
  batchRequests: number;
  concurrency: number;
}

export interface CpuMode {
  requests: number;
  eventsPerRequest: number;
  workerCpuMsPerRequest: number;
  workerCpuMsPerEvent: number;
  /**
   * The reference Worker's workerd for the same count of the same bodies, stored as the platform must (a bare write
   * for one event, a row each under a unique index for 100): the CPU a request costs before any work of ours.
   */
  referenceCpuMsPerRequest?: number;
  /** wrangler dev's proxy process, per request (0 on the direct path). */
  proxyCpuMsPerRequest: number;
  /** Self time by bucket from the V8 profile, ms per request; absent without an inspector. */
  profileMsPerRequest?: Record<string, number>;
  /** The same for the reference's isolate and workload. */
  referenceProfileMsPerRequest?: Record<string, number>;
  /** Why there is no profile (wrangler dev's inspector proxy refuses this client; the direct path has one). */
  profileError?: string;
  /** The profile's frames with the most self time, ms per request. */
  profileTopFrames?: { frame: string; bucket: string; msPerRequest: number }[];
}

/** CPU ms a second that these processes spend doing nothing asked of them, over two quiet seconds. */
async function idleRateOf(pids: number[]): Promise<number> {
  const start = { cpu: cpuMs(pids), at: performance.now() };
  await sleep(2_000);
  return (cpuMs(pids) - start.cpu) / ((performance.now() - start.at) / 1000);
}

/** What one CPU workload sends: events into one session, a GET of it, or a first event into a new session each. */
type Workload = { kind: "ingest"; eventsPerRequest: number } | { kind: "read" } | { kind: "first" };

const eventsOf = (workload: Workload) =>
  workload.kind === "ingest" ? workload.eventsPerRequest : workload.kind === "read" ? 0 : 1;

/** Sends `requests` of one workload to one Worker; `offset` numbers the new sessions of the "first" workload. */
type Block = (requests: number, offset: number) => Promise<void>;

/** The reference's side of a workload (see CpuMode): the platform's bare write, row inserts or read. */
async function referenceBlock(reference: RunningWorker, workload: Workload, concurrency: number): Promise<Block> {
  const name = `cpu-${workload.kind}-${run}-${Math.random().toString(36).slice(2, 8)}`;
  const send = async (path: string, body?: unknown) => {
    const response = await fetch(`${reference.origin}/${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: NO_COMPRESSION,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`the reference answered ${response.status}`);
    await response.arrayBuffer();
  };
  // A session view's worth of bytes, stored once, for the bare read.
  await send(`body/${name}`, realisticEvents(name, 3));
  const store = async (index: number) => {
    if (workload.kind === "read") return send(`read/${name}`);
    if (workload.kind === "first") return send(`body/${name}-${index}`, realisticEvents(`${name}-${index}`, 1)[0]);
    const events = realisticEvents(name, workload.eventsPerRequest);
    return workload.eventsPerRequest === 1 ? send(`body/${name}`, events[0]) : send(`rows/${name}`, events);
  };
  await store(-1);
  return (requests, offset) => pool(requests, concurrency, (index) => store(offset + index));
}

/** The service's side of a workload: a session created first (its first event is not counted). */
async function serviceBlock(worker: RunningWorker, workload: Workload, concurrency: number): Promise<Block> {
  const threadId = `cpu-${workload.kind}-${run}-${Math.random().toString(36).slice(2, 8)}`;
  await post(worker.origin, threadId, realisticEvents(threadId, 1));
  return (requests, offset) =>
    pool(requests, concurrency, async (index) => {
      if (workload.kind === "ingest") {
        await post(worker.origin, threadId, realisticEvents(threadId, workload.eventsPerRequest));
      } else if (workload.kind === "first") {
        const fresh = `${threadId}-${offset + index}`;
        await post(worker.origin, fresh, realisticEvents(fresh, 1));
      } else {
        const response = await fetch(`${worker.origin}/v1/sessions/${threadId}`, { headers: HEADERS });
        if (!response.ok) throw new Error(`GET answered ${response.status}`);
        await response.arrayBuffer();
      }
    });
}

/** One side's processes, their idle rate, and the CPU its blocks have used so far. */
interface Side {
  pids: number[];
  idleRate: number;
  block: Block;
  busyMs: number;
  sent: number;
}

async function measureBlock(side: Side, requests: number): Promise<void> {
  const before = { cpu: cpuMs(side.pids), at: performance.now() };
  await side.block(requests, side.sent);
  side.busyMs += cpuMs(side.pids) - before.cpu - side.idleRate * ((performance.now() - before.at) / 1000);
  side.sent += requests;
}

/** Self time by bucket and the top frames of a V8 profile of `work`, in ms per request. */
async function profiled(inspectorUrl: string, work: () => Promise<void>, bundle: Bundle | null, requests: number) {
  const { buckets, top } = bucketize(await profile(inspectorUrl, work), bundle);
  return {
    buckets: Object.fromEntries(
      Object.entries(buckets)
        .sort(([, a], [, b]) => b - a)
        .map(([bucket, ms]) => [bucket, round(ms / requests, 3)]),
    ),
    top: top.map(({ frame, bucket, ms }) => ({ frame, bucket, msPerRequest: round(ms / requests, 3) })),
  };
}

/**
 * CPU_ROUNDS (default 4): the service and the reference take turns in this many blocks each (service first in
 * even rounds, the reference in odd ones), so a drift in the shared machine's speed falls on both alike.
 */
const ROUNDS = Math.max(1, Number(process.env.CPU_ROUNDS ?? 4));

export async function measureCpu(
  worker: RunningWorker,
  bundle: Bundle | null,
  settings: CpuSettings,
  reference: RunningWorker | null = null,
): Promise<Record<string, CpuMode>> {
  const pids = roles(worker);
  if (pids.worker.length === 0) throw new Error(`no workerd process found for ${worker.origin}`);
  const idleStart = { worker: cpuMs(pids.worker), proxy: cpuMs(pids.proxy), at: performance.now() };
  await sleep(2_000);
  const idleSeconds = (performance.now() - idleStart.at) / 1000;
  const idleRate = {
    worker: (cpuMs(pids.worker) - idleStart.worker) / idleSeconds,
    proxy: (cpuMs(pids.proxy) - idleStart.proxy) / idleSeconds,
  };
  const referencePids = reference === null ? [] : roles(reference).worker;
  const referenceIdleRate = reference === null ? 0 : await idleRateOf(referencePids);

  const modes: Record<string, CpuMode> = {};
  for (const [label, requests, workload] of [
    ["1 event/request", settings.singleRequests, { kind: "ingest", eventsPerRequest: 1 }],
    ["100 events/request", settings.batchRequests, { kind: "ingest", eventsPerRequest: 100 }],
    ["GET session", settings.singleRequests, { kind: "read" }],
    ["first event, new session", Math.max(1, Math.round(settings.singleRequests / 5)), { kind: "first" }],
  ] as const satisfies readonly (readonly [string, number, Workload])[]) {
    if (!ONLY_MODES(label)) continue;
    const eventsPerRequest = eventsOf(workload);
    const service: Side = {
      pids: pids.worker,
      idleRate: idleRate.worker,
      block: await serviceBlock(worker, workload, settings.concurrency),
      busyMs: 0,
      sent: 0,
    };
    const bare: Side | null =
      reference === null
        ? null
        : {
            pids: referencePids,
            idleRate: referenceIdleRate,
            block: await referenceBlock(reference, workload, settings.concurrency),
            busyMs: 0,
            sent: 0,
          };
    const proxyBefore = cpuMs(pids.proxy);
    let serviceSeconds = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const share = Math.round((requests * (round + 1)) / ROUNDS) - Math.round((requests * round) / ROUNDS);
      const order = bare === null ? [service] : round % 2 === 0 ? [service, bare] : [bare, service];
      for (const side of order) {
        const at = performance.now();
        await measureBlock(side, share);
        if (side === service) serviceSeconds += (performance.now() - at) / 1000;
      }
    }
    const proxyMs = cpuMs(pids.proxy) - proxyBefore - idleRate.proxy * serviceSeconds;
    const workerMs = service.busyMs;
    const mode: CpuMode = {
      requests,
      eventsPerRequest,
      workerCpuMsPerRequest: round(workerMs / requests, 3),
      workerCpuMsPerEvent: eventsPerRequest === 0 ? 0 : round(workerMs / requests / eventsPerRequest, 4),
      proxyCpuMsPerRequest: round(proxyMs / requests, 3),
    };
    if (bare !== null) mode.referenceCpuMsPerRequest = round(bare.busyMs / requests, 3);
    const inspectorUrl = await worker.inspectorUrl();
    if (inspectorUrl === null) mode.profileError = "no inspector target";
    else {
      try {
        const again = await serviceBlock(worker, workload, settings.concurrency);
        const { buckets, top } = await profiled(inspectorUrl, () => again(requests, 0), bundle, requests);
        mode.profileMsPerRequest = buckets;
        mode.profileTopFrames = top;
        const referenceUrl = reference === null ? null : await reference.inspectorUrl();
        if (reference !== null && referenceUrl !== null) {
          const bareAgain = await referenceBlock(reference, workload, settings.concurrency);
          const { buckets } = await profiled(referenceUrl, () => bareAgain(requests, 0), null, requests);
          mode.referenceProfileMsPerRequest = buckets;
        }
      } catch (error) {
        mode.profileError = error instanceof Error ? error.message : String(error);
      }
    }
    modes[label] = mode;
  }
  return modes;
}

export function formatCpu(path: string, modes: Record<string, CpuMode>): string {
  const lines = [
    formatColumns(
      [
        "workload",
        "requests",
        "workerd CPU ms/request",
        "ms/event",
        "reference CPU ms/request",
        "÷ reference",
        "proxy CPU ms/request",
      ],
      Object.entries(modes).map(([label, mode]) => [
        `${path}: ${label}`,
        String(mode.requests),
        mode.workerCpuMsPerRequest.toFixed(3),
        eventsOfMode(mode),
        mode.referenceCpuMsPerRequest?.toFixed(3) ?? "-",
        mode.referenceCpuMsPerRequest === undefined
          ? "-"
          : (mode.workerCpuMsPerRequest / mode.referenceCpuMsPerRequest).toFixed(2),
        path === "direct" ? "-" : mode.proxyCpuMsPerRequest.toFixed(3),
      ]),
    ),
  ];
  const profiles = Object.entries(modes).flatMap(([label, mode]) => [
    ...(mode.profileMsPerRequest === undefined ? [] : [{ label, profile: mode.profileMsPerRequest }]),
    ...(mode.referenceProfileMsPerRequest === undefined
      ? []
      : [{ label: `${label}, reference`, profile: mode.referenceProfileMsPerRequest }]),
  ]);
  const buckets = [...new Set(profiles.flatMap(({ profile }) => Object.keys(profile)))];
  if (buckets.length > 0) {
    const total = "total profiled (vs workerd process CPU above; the rest is outside the isolate's thread)";
    lines.push(
      "",
      `V8 profiles of the Workers' isolates (${path}), self time in ms per request (share of the profiled time):`,
      formatColumns(
        ["bucket", ...profiles.map(({ label }) => label)],
        [...buckets, total].map((bucket) => [
          bucket,
          ...profiles.map(({ profile }) => {
            const sum = Object.values(profile).reduce((all, ms) => all + ms, 0);
            const ms = bucket === total ? sum : (profile[bucket] ?? 0);
            return `${ms.toFixed(3)} (${sum === 0 ? 0 : Math.round((ms / sum) * 100)}%)`;
          }),
        ]),
      ),
    );
  }
  const errors = [...new Set(Object.values(modes).flatMap((mode) => mode.profileError ?? []))];
  if (errors.length > 0) lines.push(`no V8 profile (${path}): ${errors.join("; ")}`);
  return lines.join("\n");
}

function eventsOfMode(mode: CpuMode): string {
  return mode.eventsPerRequest === 0 ? "-" : mode.workerCpuMsPerEvent.toFixed(4);
}
