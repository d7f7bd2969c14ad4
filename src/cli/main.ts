#!/usr/bin/env node
/** The Node entry of `provider-sessions`: fills the command's I/O from `process` and exits with its status. */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { relayedRun, relayedWrite, relayToWorker, reportDone, wrapsAnAgent } from "./agent-relay.ts";
import { interruptSignal } from "./interrupt.ts";
import { nodeAgentHost } from "./node-agents.ts";
import { runCli } from "./run.ts";

async function* linesOf(path: string): AsyncIterable<string> {
  const input = path === "-" ? process.stdin : createReadStream(path, { encoding: "utf8" });
  const opened = new Promise<void>((resolve, reject) => {
    if (path === "-") return resolve();
    input.once("open", () => resolve());
    input.once("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(`cannot read ${path}: ${error.code === "ENOENT" ? "no such file" : error.message}`)),
    );
  });
  await opened;
  yield* createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}

const argv = process.argv.slice(2);
const relayed = !isMainThread && (workerData as { relayed?: boolean } | null)?.relayed === true;
const port = relayed ? parentPort : null;

const status =
  isMainThread && wrapsAnAgent(argv)
    ? await relayToWorker(new URL(import.meta.url), argv)
    : await runCli(argv, {
        stdout: {
          write: port === null ? (text) => void process.stdout.write(text) : relayedWrite(port, "stdout"),
          isTTY: process.stdout.isTTY === true,
          columns: process.stdout.columns,
        },
        stderr: {
          write: port === null ? (text) => void process.stderr.write(text) : relayedWrite(port, "stderr"),
          isTTY: process.stderr.isTTY === true,
        },
        env: process.env,
        readLines: linesOf,
        sizeOf: async (path) => (path === "-" ? null : ((await stat(path).catch(() => null))?.size ?? null)),
        now: () => Date.now(),
        signal: interruptSignal(process),
        agents: nodeAgentHost(process.env, port === null ? undefined : relayedRun(port)),
      });
if (port !== null) reportDone(port, status);
process.exitCode = status;
// Keep-alive sockets and a stream's timers must not hold the process (or the worker) open once the command is done.
setImmediate(() => process.exit(status));
