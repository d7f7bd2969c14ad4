/** Wrap mode's platform part in Node: the agent's process with the caller's stdio, the spool and the transcript files. */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { appendFile, mkdir, readFile, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Direction } from "../bridge/common.ts";
import type { AgentExit } from "../bridge/live.ts";
import { type SpoolStore, spoolLines, spoolText } from "../bridge/spool.ts";
import { lineSplitter } from "../bridge/wrap.ts";
import type { AgentHost } from "./context.ts";

/** Signals a person or a supervisor sends the bridge, meant for the agent it stands in for. */
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;

/**
 * Wrap mode's host inside one thread: the agent runs here and its lines are observed here. The CLI's Node entry runs
 * the observing half on a worker thread instead (src/cli/agent-relay.ts), so that only the bytes' passage is left on
 * the thread that holds the pipes; `run` is where the two differ.
 */
export function nodeAgentHost(
  env: Readonly<Record<string, string | undefined>>,
  run: AgentHost["run"] = (command, observe) => spawnAgent(command, linesTo(observe)),
): AgentHost {
  return {
    run,
    spool(dir, threadId) {
      return fileSpool(dir ?? defaultSpoolDir(env), threadId);
    },
    recorder(path) {
      const stream = createWriteStream(path, { flags: "w", mode: 0o600 });
      stream.on("error", (error) =>
        process.stderr.write(`provider-sessions bridge: cannot record to ${path}: ${error.message}\n`),
      );
      return {
        write: (line) => void stream.write(`${line}\n`),
        close: () => new Promise<void>((resolve) => stream.end(resolve)),
      };
    },
  };
}

/** Where the bytes of each direction go once they have been passed on: a copy of each chunk, then the end. */
export interface ChunkSink {
  chunk(dir: Direction, bytes: Uint8Array): void;
  end(dir: Direction): void;
}

/** Splits each direction's chunks into lines for `observe`. */
export function linesTo(observe: (dir: Direction, line: string) => void): ChunkSink {
  const splitters = {
    in: lineSplitter((line) => observe("in", line)),
    out: lineSplitter((line) => observe("out", line)),
  };
  return { chunk: (dir, bytes) => splitters[dir].push(bytes), end: (dir) => splitters[dir].end() };
}

/**
 * Spawns the agent with the caller's stdio: stdin to it and its stdout back, byte for byte, stderr through, signals
 * forwarded. Each chunk reaches `sink` after its bytes were passed on. Resolves when the agent has exited.
 */
export function spawnAgent(command: readonly string[], sink: ChunkSink): Promise<AgentExit> {
  const [file = "", ...args] = command;
  const child = spawn(file, args, { stdio: ["pipe", "pipe", "inherit"] });
  // The command's own Ctrl-C handling (stop reading, quit at the second) is the agent's business here.
  for (const signal of FORWARDED_SIGNALS) {
    process.removeAllListeners(signal);
    process.on(signal, () => child.kill(signal));
  }
  // `pipe` registers its listener first: the bytes are passed on before the copy is handed over.
  process.stdin.pipe(child.stdin);
  process.stdin.on("data", (chunk: Buffer) => sink.chunk("in", chunk));
  process.stdin.on("end", () => sink.end("in"));
  // An agent that exits before reading all its input closes the pipe: not the bridge's error.
  child.stdin.on("error", () => {});
  child.stdout.pipe(process.stdout);
  // The caller stopped reading: the agent meets a closed pipe as it would without the bridge (no crash here).
  process.stdout.on("error", () => child.stdout.destroy());
  child.stdout.on("data", (chunk: Buffer) => sink.chunk("out", chunk));
  child.stdout.on("end", () => sink.end("out"));
  return new Promise<AgentExit>((resolve) => {
    child.once("error", (error) => {
      process.stderr.write(`provider-sessions bridge: cannot run ${file}: ${error.message}\n`);
      resolve({ code: 127, signal: null });
    });
    child.once("close", (code, signal) => {
      process.stdin.unpipe(child.stdin);
      process.stdin.pause();
      resolve({ code, signal });
    });
  });
}

export function defaultSpoolDir(env: Readonly<Record<string, string | undefined>>): string {
  const state = env.XDG_STATE_HOME?.trim() || join(homedir(), ".local", "state");
  return join(state, "provider-sessions", "spool");
}

/** One file a thread, named by the SHA-256 of its id (ids may hold any character and run to 256 of them). */
export function fileSpool(dir: string, threadId: string): SpoolStore & { path: string } {
  const path = join(dir, `${createHash("sha256").update(threadId).digest("hex")}.ndjson`);
  let ready: Promise<unknown> | null = null;
  return {
    path,
    async load() {
      const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return "";
        throw error;
      });
      return spoolLines(text);
    },
    async append(events) {
      ready ??= mkdir(dir, { recursive: true, mode: 0o700 });
      await ready;
      // No fsync: a SIGTERM of the bridge loses nothing, a SIGKILL may lose lines not yet appended.
      await appendFile(path, spoolText(events), { mode: 0o600 });
    },
    async clear() {
      await rm(path, { force: true });
    },
  };
}
