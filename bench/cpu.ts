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
import { pool, post, run } from "./scenarios.ts";
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

/** The reference's workerd CPU per request for `requests` of the same bodies (see CpuMode). */
async function referenceCpuMsPerRequest(
  reference: RunningWorker,
  requests: number,
  eventsPerRequest: number,
  concurrency: number,
): Promise<number> {
  const pids = roles(reference).worker;
  const idleRate = await idleRateOf(pids);
  const name = `cpu-${eventsPerRequest}-${run}-${Math.random().toString(36).slice(2, 8)}`;
  const store = async () => {
    const events = realisticEvents(name, eventsPerRequest);
    const [path, body] = eventsPerRequest === 1 ? ["body", events[0]] : ["rows", events];
    const response = await fetch(`${reference.origin}/${path}/${name}`, { method: "POST", body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`the reference answered ${response.status}`);
    await response.arrayBuffer();
  };
  await store();
  const before = { cpu: cpuMs(pids), at: performance.now() };
  await pool(requests, concurrency, store);
  const busyMs = cpuMs(pids) - before.cpu - idleRate * ((performance.now() - before.at) / 1000);
  return round(busyMs / requests, 3);
}

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

  /** Creates a session (its first event is not counted) and returns the workload of `requests` into it. */
  const prepare = async (requests: number, eventsPerRequest: number) => {
    const threadId = `cpu-${eventsPerRequest}-${run}-${Math.random().toString(36).slice(2, 8)}`;
    await post(worker.origin, threadId, realisticEvents(threadId, 1));
    return () =>
      pool(requests, settings.concurrency, async () => {
        await post(worker.origin, threadId, realisticEvents(threadId, eventsPerRequest));
      });
  };

  const modes: Record<string, CpuMode> = {};
  for (const [label, requests, eventsPerRequest] of [
    ["1 event/request", settings.singleRequests, 1],
    ["100 events/request", settings.batchRequests, 100],
  ] as const) {
    const send = await prepare(requests, eventsPerRequest);
    const before = { worker: cpuMs(pids.worker), proxy: cpuMs(pids.proxy), at: performance.now() };
    await send();
    const seconds = (performance.now() - before.at) / 1000;
    const workerMs = cpuMs(pids.worker) - before.worker - idleRate.worker * seconds;
    const proxyMs = cpuMs(pids.proxy) - before.proxy - idleRate.proxy * seconds;
    const mode: CpuMode = {
      requests,
      eventsPerRequest,
      workerCpuMsPerRequest: round(workerMs / requests, 3),
      workerCpuMsPerEvent: round(workerMs / requests / eventsPerRequest, 4),
      proxyCpuMsPerRequest: round(proxyMs / requests, 3),
    };
    if (reference !== null) {
      mode.referenceCpuMsPerRequest = await referenceCpuMsPerRequest(
        reference,
        requests,
        eventsPerRequest,
        settings.concurrency,
      );
    }
    const inspectorUrl = await worker.inspectorUrl();
    if (inspectorUrl === null) mode.profileError = "no inspector target";
    else {
      try {
        const again = await prepare(requests, eventsPerRequest);
        const { buckets, top } = bucketize(await profile(inspectorUrl, again), bundle);
        mode.profileTopFrames = top.map(({ frame, bucket, ms }) => ({
          frame,
          bucket,
          msPerRequest: round(ms / requests, 3),
        }));
        mode.profileMsPerRequest = Object.fromEntries(
          Object.entries(buckets)
            .sort(([, a], [, b]) => b - a)
            .map(([bucket, ms]) => [bucket, round(ms / requests, 3)]),
        );
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
        mode.workerCpuMsPerEvent.toFixed(4),
        mode.referenceCpuMsPerRequest?.toFixed(3) ?? "-",
        mode.referenceCpuMsPerRequest === undefined
          ? "-"
          : (mode.workerCpuMsPerRequest / mode.referenceCpuMsPerRequest).toFixed(2),
        path === "direct" ? "-" : mode.proxyCpuMsPerRequest.toFixed(3),
      ]),
    ),
  ];
  const buckets = [...new Set(Object.values(modes).flatMap((mode) => Object.keys(mode.profileMsPerRequest ?? {})))];
  if (buckets.length > 0) {
    const labels = Object.keys(modes);
    lines.push(
      "",
      `V8 profile of the Worker's isolate (${path}), self time in ms per request (share of the profiled time):`,
      formatColumns(
        ["bucket", ...labels],
        [...buckets, "total profiled (vs workerd process CPU above; the rest is outside the isolate's thread)"].map(
          (bucket) => [
            bucket,
            ...labels.map((label) => {
              const profileMs = modes[label]?.profileMsPerRequest ?? {};
              const total = Object.values(profileMs).reduce((sum, ms) => sum + ms, 0);
              const ms = profileMs[bucket] ?? (buckets.includes(bucket) ? 0 : total);
              return `${ms.toFixed(3)} (${total === 0 ? 0 : Math.round((ms / total) * 100)}%)`;
            }),
          ],
        ),
      ),
    );
  }
  const errors = [...new Set(Object.values(modes).flatMap((mode) => mode.profileError ?? []))];
  if (errors.length > 0) lines.push(`no V8 profile (${path}): ${errors.join("; ")}`);
  return lines.join("\n");
}
