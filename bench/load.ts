/** The bench's load generator (autocannon as a library) and its table: one scenario, one row of measured figures. */
import autocannon from "autocannon";

export interface ScenarioResult {
  scenario: string;
  requestsPerSecond: number;
  eventsPerSecond: number;
  latencyMeanMs: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  errors: number;
  requests: number;
  ratioToFloor?: number;
}

export interface NextRequest {
  path: string;
  body?: string;
  /** Events carried by this request (0 for reads). */
  events: number;
}

export interface LoadOptions {
  origin: string;
  connections: number;
  seconds: number;
  method: "GET" | "POST";
  headers: Record<string, string>;
  next: () => NextRequest;
}

/** Runs one bounded load; every request gets a fresh body from `next`, so no event id repeats. */
export async function load(scenario: string, options: LoadOptions): Promise<ScenarioResult> {
  const eventsByRequest: number[] = [];
  const result = await autocannon({
    url: options.origin,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: options.method,
        headers: options.headers,
        setupRequest: (request) => {
          const { path, body, events } = options.next();
          eventsByRequest.push(events);
          return { ...request, path, ...(body === undefined ? {} : { body }) };
        },
      },
    ],
  });
  const completed = result.requests.total;
  const sentEvents = eventsByRequest.reduce((sum, events) => sum + events, 0);
  // Requests still in flight when the clock stopped were sent but not answered: count answered events only.
  const answeredEvents = eventsByRequest.length === 0 ? 0 : (sentEvents * completed) / eventsByRequest.length;
  return {
    scenario,
    requestsPerSecond: round(completed / result.duration),
    eventsPerSecond: round(answeredEvents / result.duration),
    latencyMeanMs: round(result.latency.average, 2),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    requests: completed,
  };
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function formatTable(rows: readonly ScenarioResult[]): string {
  return formatColumns(
    ["scenario", "req/s", "events/s", "mean ms", "p50 ms", "p99 ms", "errors", "× floor req/s"],
    rows.map((row) => [
      row.scenario,
      row.requestsPerSecond.toFixed(0),
      row.eventsPerSecond.toFixed(0),
      row.latencyMeanMs.toFixed(1),
      String(row.latencyP50Ms),
      String(row.latencyP99Ms),
      String(row.errors),
      row.ratioToFloor === undefined ? "" : row.ratioToFloor.toFixed(2),
    ]),
  );
}

/** A Markdown table, columns padded to their widest cell. */
export function formatColumns(header: readonly string[], lines: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]?.length ?? 0)),
  );
  const format = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  return [format(header), `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`, ...lines.map(format)].join(
    "\n",
  );
}

/** The value at percentile `p` (0-100) of ascending `sorted` values, NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}
