/**
 * npm run conformance: the Durable Streams server conformance suite against a session log. Starts `wrangler dev`
 * (fresh local state), the adapter in front of it, and the suite under its own vitest; then compares every case with
 * not-applicable.ts, prints the summary and writes results.md. Exit 1 when a case not listed there fails.
 *
 *   node test/conformance/run.ts [--byte-streams] [vitest args, e.g. -t "JSON Mode"]
 *     --byte-streams   the adapter keeps other content types as bytes (README.md); writes results-byte-streams.md
 *     a filtered run writes no results file
 *   CONFORMANCE_SERVICE_URL=http://127.0.0.1:8787   use a running service (token dev-token) instead of starting one
 *   CONFORMANCE_KEEP=1   keep the run's directory (vitest's JSON report, wrangler's log)
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startAdapter } from "./adapter.ts";
import { notApplicable, notApplicableWithByteStreams } from "./not-applicable.ts";
import { classify, countsOf, resultsMarkdown, summaryText, unknownListed, type VitestReport } from "./report.ts";
import { vacuousPasses, vacuousPassesWithByteStreams } from "./vacuous-passes.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const SUITE = "@durable-streams/server-conformance-tests";
const SUITE_DIR = join(ROOT, "node_modules", SUITE);
// The suite's tests register with its own vitest (4), nested in its package; the project's vitest 5 would collect none.
const VITEST = join(SUITE_DIR, "node_modules", "vitest", "vitest.mjs");
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const BIOME = join(ROOT, "node_modules", "@biomejs", "biome", "bin", "biome");
const TOKEN = "dev-token";
/**
 * The service's long-poll timeout (LONG_POLL_TIMEOUT_MS in src/live/log-tail.ts). The suite gives its long-poll cases
 * this plus 1 s; the cases that wait one out with no timeout of their own get this plus 5 s (vitest.config.ts).
 */
const LONG_POLL_MS = Number(process.env.CONFORMANCE_LONG_POLL_MS ?? "20000");

async function main(): Promise<number> {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), "conformance-"));
  const byteStreams = process.argv.includes("--byte-streams");
  const vitestArgs = process.argv.slice(2).filter((arg) => arg !== "--byte-streams");
  const listed = byteStreams ? notApplicableWithByteStreams : notApplicable;
  const vacuous = byteStreams ? vacuousPassesWithByteStreams : vacuousPasses;
  const service = process.env.CONFORMANCE_SERVICE_URL
    ? { url: process.env.CONFORMANCE_SERVICE_URL, stop: async () => {} }
    : await startService(work);
  const unmapped: string[] = [];
  const adapter = await startAdapter({
    service: service.url,
    token: TOKEN,
    byteStreams,
    onUnmapped: (what) => unmapped.push(what),
  });
  try {
    console.info(`conformance: service ${service.url}, adapter ${adapter.url}${byteStreams ? " (byte streams)" : ""}`);
    const reportFile = join(work, "vitest.json");
    await runSuite(adapter.url, reportFile, vitestArgs);
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as VitestReport;
    const rows = classify(report, listed, vacuous);
    const seconds = (Date.now() - started) / 1000;
    console.info(summaryText(rows, seconds));
    if (vitestArgs.length === 0) {
      for (const key of unknownListed(rows, listed, vacuous)) console.warn(`  listed but not in the suite: ${key}`);
      const version = (JSON.parse(readFileSync(join(SUITE_DIR, "package.json"), "utf8")) as { version: string })
        .version;
      const markdown = resultsMarkdown(rows, {
        suite: `${SUITE} ${version}`,
        byteStreams,
        date: new Date().toISOString().slice(0, 10),
        seconds,
      });
      const resultsFile = join(import.meta.dirname, byteStreams ? "results-byte-streams.md" : "results.md");
      writeFileSync(resultsFile, markdown);
      // Aligned as `npm run check` wants the docs' tables.
      spawnSync(process.execPath, [BIOME, "format", "--write", resultsFile], { cwd: ROOT, stdio: "ignore" });
      console.info(`conformance: wrote ${resultsFile}`);
    }
    for (const what of unmapped) console.warn(`  adapter could not map: ${what}`);
    return countsOf(rows).unexpected > 0 ? 1 : 0;
  } finally {
    await adapter.close();
    await service.stop();
    if (process.env.CONFORMANCE_KEEP) console.info(`conformance: kept ${work} (vitest.json, wrangler.log)`);
    else rmSync(work, { recursive: true, force: true });
  }
}

/** `wrangler dev` on a free port with its own state directory, the project's dev token, and no network. */
async function startService(work: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const log = createWriteStream(join(work, "wrangler.log"));
  const child = spawn(
    process.execPath,
    [
      WRANGLER,
      "dev",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--local",
      "--persist-to",
      join(work, "state"),
      "--var",
      "READ_TOKEN_SECRET:conformance-read-token-secret-not-for-production",
      // The origin of the suite's CORS preflight case.
      "--var",
      "CORS_ORIGINS:https://example.com",
    ],
    {
      cwd: ROOT,
      env: { ...process.env, API_TOKENS: `local:${TOKEN}`, CLOUDFLARE_CF_FETCH_ENABLED: "false" },
      // Its own process group, so stopping it stops workerd too.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopGroup(child);
  try {
    await waitForHealth(url, child, 120_000);
  } catch (error) {
    await stop();
    console.error(readFileSync(join(work, "wrangler.log"), "utf8").slice(-4000));
    throw error;
  }
  return { url, stop };
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`wrangler dev did not answer /healthz within ${timeoutMs / 1000} s`);
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  process.kill(-child.pid, "SIGTERM");
  const force = setTimeout(() => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  }, 5000);
  return exited.finally(() => clearTimeout(force));
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

function runSuite(baseUrl: string, reportFile: string, args: string[]): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      VITEST,
      "run",
      "--config",
      "test/conformance/vitest.config.ts",
      "--reporter=dot",
      "--reporter=json",
      `--outputFile.json=${reportFile}`,
      ...args,
    ],
    {
      cwd: ROOT,
      stdio: "inherit",
      env: {
        ...process.env,
        CONFORMANCE_BASE_URL: baseUrl,
        CONFORMANCE_LONG_POLL_MS: String(LONG_POLL_MS),
        CONFORMANCE_TEST_TIMEOUT_MS: String(LONG_POLL_MS + 5000),
      },
    },
  );
  // vitest exits non-zero when a case fails, which many here do by design: the JSON report is the result.
  return new Promise((done, fail) => {
    child.on("error", fail);
    child.on("exit", () => done());
  });
}

process.exitCode = await main();
