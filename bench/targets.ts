/** The targets as ratios to the reference Worker measured in the same run, and the table that shows them. */
import { formatColumns, round } from "./load.ts";
import type { ScenarioKey, Scenarios } from "./scenarios.ts";

export interface Target {
  name: string;
  target: string;
  measured: number | null;
  met: boolean | null;
}

function target(name: string, comparison: "<=" | ">=" | "=", bound: number, measured: number | null): Target {
  const met =
    measured === null || Number.isNaN(measured)
      ? null
      : comparison === ">="
        ? measured >= bound
        : comparison === "<="
          ? measured <= bound
          : measured === bound;
  return { name, target: `${comparison} ${bound}`, measured, met };
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? null : round(a / b, 2);

/** The ingest and read targets of one path (`wrangler dev` or direct). */
export function scenarioTargets(path: string, s: Scenarios): Target[] {
  return [
    target(
      `${path}: single-event ingest req/s ÷ reference bare 1-event write req/s`,
      ">=",
      0.9,
      ratio(s.single?.requestsPerSecond, s.referenceSingle?.requestsPerSecond),
    ),
    target(
      `${path}: single-event ingest p99 ÷ reference bare write p99`,
      "<=",
      1.5,
      ratio(s.single?.latencyP99Ms, s.referenceSingle?.latencyP99Ms),
    ),
    target(
      `${path}: 100-event batches events/s ÷ reference row-per-event under a unique index`,
      ">=",
      0.9,
      ratio(s.batched?.eventsPerSecond, s.referenceRows?.eventsPerSecond),
    ),
    target(
      `${path}: GET session req/s ÷ reference bare read req/s`,
      ">=",
      0.9,
      ratio(s.read?.requestsPerSecond, s.referenceRead?.requestsPerSecond),
    ),
    target(
      `${path}: first event of a new session ÷ event into an existing one (mean latency)`,
      "<=",
      1.5,
      ratio(s.newSession?.latencyMeanMs, s.existingSessions?.latencyMeanMs),
    ),
  ];
}

/** Figures that are context, not targets: the old floor and how the reference compares with it. */
export function scenarioContext(s: Scenarios): Record<string, number | null> {
  return {
    "first event cost by req/s: existing sessions req/s ÷ new sessions req/s": ratio(
      s.existingSessions?.requestsPerSecond,
      s.newSession?.requestsPerSecond,
    ),
    "reference: first write of a new object ÷ write into an existing one (mean latency)": ratio(
      s.referenceNewObject?.latencyMeanMs,
      s.referenceSingle?.latencyMeanMs,
    ),
    "first event of a new session ÷ the reference's first write of a new object (mean latency)": ratio(
      s.newSession?.latencyMeanMs,
      s.referenceNewObject?.latencyMeanMs,
    ),
    "single-event ingest ÷ floor (GET /healthz) req/s": ratio(s.single?.requestsPerSecond, s.floor?.requestsPerSecond),
    "reference bare write ÷ floor req/s": ratio(s.referenceSingle?.requestsPerSecond, s.floor?.requestsPerSecond),
    "100-event batches ÷ reference bare 100-event body write req/s": ratio(
      s.batched?.requestsPerSecond,
      s.referenceBatched?.requestsPerSecond,
    ),
    "growth: full session req/s ÷ empty session req/s": ratio(
      s.growthFull?.requestsPerSecond,
      s.growthEmpty?.requestsPerSecond,
    ),
  };
}

/** Share of each scenario's throughput the dev proxy takes: 1 − (req/s through wrangler dev ÷ req/s direct). */
export function proxyShare(dev: Scenarios, direct: Scenarios): Partial<Record<ScenarioKey, number>> {
  const share: Partial<Record<ScenarioKey, number>> = {};
  for (const [key, row] of Object.entries(dev) as [ScenarioKey, { requestsPerSecond: number }][]) {
    const other = direct[key];
    if (other !== undefined && other.requestsPerSecond > 0) {
      share[key] = round(1 - row.requestsPerSecond / other.requestsPerSecond, 2);
    }
  }
  return share;
}

export function formatTargets(targets: readonly Target[]): string {
  return formatColumns(
    ["target", "wanted", "measured", "met"],
    targets.map((t) => [
      t.name,
      t.target,
      t.measured === null ? "n/a" : String(t.measured),
      t.met === null ? "n/a" : t.met ? "yes" : "no",
    ]),
  );
}
