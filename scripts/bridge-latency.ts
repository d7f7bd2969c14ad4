/**
 * What wrap mode adds to an agent's stdio: a caller writes a line, an echo agent writes it back, the caller times the
 * round trip, directly and through `provider-sessions bridge codex -- <agent>` (so the line crosses the bridge twice:
 * stdin in, stdout out). A stand-in ingest service (test/support/ingest-server.ts) runs in its own process, so its
 * work does not land in the caller's timings. Prints p50/p99 per route and the added p99 per line and crossing.
 *
 *   node scripts/bridge-latency.ts [lines=3000]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const NODE = process.execPath;
const LINES = Number(process.argv[2] ?? 3000);
const WARMUP = 200;

const work = mkdtempSync(join(tmpdir(), "bridge-latency-"));
const echo = join(work, "echo-agent.mjs");
writeFileSync(echo, "process.stdin.pipe(process.stdout);\n");
const serverScript = join(work, "server.mjs");
writeFileSync(
  serverScript,
  `const { startIngestServer } = await import(${JSON.stringify(join(ROOT, "test/support/ingest-server.ts"))});\n` +
    "console.log((await startIngestServer()).origin);\n",
);

const server = spawn(NODE, [serverScript], { stdio: ["ignore", "pipe", "inherit"] });
const origin = await new Promise<string>((resolve) =>
  server.stdout?.setEncoding("utf8").once("data", (text: string) => resolve(text.trim())),
);

async function roundTrips(command: readonly string[]): Promise<number[]> {
  const [file = "", ...args] = command;
  const child: ChildProcess = spawn(file, args, {
    stdio: ["pipe", "pipe", "ignore"],
    env: { ...process.env, PROVIDER_SESSIONS_URL: origin, PROVIDER_SESSIONS_TOKEN: "latency" },
  });
  let buffered = "";
  let answered: () => void = () => {};
  child.stdout?.setEncoding("utf8").on("data", (text: string) => {
    buffered += text;
    for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
      buffered = buffered.slice(end + 1);
      answered();
    }
  });
  const times: number[] = [];
  for (let n = 0; n < LINES + WARMUP; n++) {
    const params = { threadId: "c", turnId: "t", itemId: "m", delta: `token ${n} `.repeat(8) };
    const started = process.hrtime.bigint();
    const echoed = new Promise<void>((resolve) => {
      answered = resolve;
    });
    child.stdin?.write(`${JSON.stringify({ method: "item/agentMessage/delta", params })}\n`);
    await echoed;
    if (n >= WARMUP) times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  child.stdin?.end();
  await new Promise((resolve) => child.once("close", resolve));
  return times.sort((a, b) => a - b);
}

const quantile = (times: readonly number[], q: number) =>
  times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
const direct = await roundTrips([NODE, echo]);
const bridge = [NODE, join(ROOT, "src/cli/main.ts"), "bridge", "codex", "--thread", `latency-${Date.now()}`];
const bridged = await roundTrips([...bridge, "--spool", join(work, "spool"), "--", NODE, echo]);
const ms = (value: number) => `${value.toFixed(3)} ms`;
console.log(`${LINES} lines, round trip caller → agent → caller`);
console.log(`direct:  p50 ${ms(quantile(direct, 0.5))}  p99 ${ms(quantile(direct, 0.99))}`);
console.log(`bridged: p50 ${ms(quantile(bridged, 0.5))}  p99 ${ms(quantile(bridged, 0.99))}`);
const added = quantile(bridged, 0.99) - quantile(direct, 0.99);
console.log(`added p99: ${ms(added)} per round trip, ${ms(added / 2)} per line per crossing`);
server.kill();
rmSync(work, { recursive: true, force: true });
