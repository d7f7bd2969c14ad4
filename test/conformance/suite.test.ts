/**
 * The Durable Streams server conformance suite against the adapter (adapter.ts) in front of a session log. Run by
 * run.ts under the suite's own vitest 4 (the project's vitest 5 cannot collect its tests), which sets these variables.
 */
import { runConformanceTests } from "@durable-streams/server-conformance-tests";

const baseUrl = process.env.CONFORMANCE_BASE_URL;
if (baseUrl === undefined) throw new Error("CONFORMANCE_BASE_URL is not set: run node test/conformance/run.ts");

runConformanceTests({ baseUrl, longPollTimeoutMs: Number(process.env.CONFORMANCE_LONG_POLL_MS ?? "20000") });
