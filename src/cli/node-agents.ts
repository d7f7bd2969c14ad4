/** Wrap mode's platform part in Node: the agent's process with the caller's stdio, the spool and the transcript files. */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { appendFile, mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Direction } from "../bridge/common.ts";
import type { AgentExit } from "../bridge/live.ts";
import { type SpoolStore, spoolLines, spoolText } from "../bridge/spool.ts";
import { lineSplitter } from "../bridge/wrap.ts";
import type { RuntimeEvent } from "../contracts/events.ts";
import { MAX_STDERR_TAIL_LENGTH } from "../contracts/limits.ts";
import { clipTail } from "../domain/provider-text.ts";
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
    spool(dir, threadId, runId) {
      return fileSpool(dir ?? defaultSpoolDir(env), threadId, runId);
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
  const child = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stopRequested = false;
  // The command's own Ctrl-C handling (stop reading, quit at the second) is the agent's business here.
  for (const signal of FORWARDED_SIGNALS) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      stopRequested = true;
      child.kill(signal);
    });
  }
  // stderr goes through as it comes; its end is kept for the exit report of an agent that crashed.
  const stderr = tailKeeper(MAX_STDERR_TAIL_LENGTH * 4);
  child.stderr.pipe(process.stderr);
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
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
      const stderrTail = clipTail(stderr.text(), MAX_STDERR_TAIL_LENGTH);
      resolve({ code, signal, stopRequested, ...(stderrTail === "" ? {} : { stderrTail }) });
    });
  });
}

/** The last `bytes` bytes of a stream, decoded (a character cut at the start is dropped by the decoder's replacement). */
export function tailKeeper(bytes: number): { push(chunk: Uint8Array): void; text(): string } {
  let tail = new Uint8Array(0);
  return {
    push(chunk) {
      if (chunk.length >= bytes) {
        tail = chunk.slice(chunk.length - bytes);
        return;
      }
      const keep = Math.min(tail.length, bytes - chunk.length);
      const next = new Uint8Array(keep + chunk.length);
      next.set(tail.subarray(tail.length - keep));
      next.set(chunk, keep);
      tail = next;
    },
    text: () => new TextDecoder().decode(tail).replace(/^\uFFFD+/, ""),
  };
}

export function defaultSpoolDir(env: Readonly<Record<string, string | undefined>>): string {
  const state = env.XDG_STATE_HOME?.trim() || join(homedir(), ".local", "state");
  return join(state, "provider-sessions", "spool");
}

/** Whether a process runs: signal 0 checks without sending anything (EPERM: it runs, as another user). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface SpoolOwner {
  /** The process writing this run's file (default: this one). */
  pid: number;
  /** Whether the process that wrote a file still runs; a running one sends its own events. */
  runs(pid: number): boolean;
}

/**
 * One file a run, `<SHA-256 of the threadId>.<pid>.<runId>.ndjson` (ids may hold any character and run to 256 of
 * them), so two runs of one thread at once never clear each other's events. A run takes over what ended runs of its
 * thread left (a file whose process no longer runs): it renames each such file (atomic, so two new runs cannot both
 * take it), copies its events into its own file before it sends them, and only then removes it; a run killed in
 * between leaves them in a spool. A pid reused by an unrelated process holds that file back until it ends.
 */
export function fileSpool(
  dir: string,
  threadId: string,
  runId: string,
  owner: SpoolOwner = { pid: process.pid, runs: processRuns },
): SpoolStore & { path: string } {
  const thread = createHash("sha256").update(threadId).digest("hex");
  const own = `${thread}.${owner.pid}.${runId}`;
  const path = join(dir, `${own}.ndjson`);
  let ready: Promise<unknown> | null = null;
  const append = async (events: readonly RuntimeEvent[]) => {
    ready ??= mkdir(dir, { recursive: true, mode: 0o700 });
    await ready;
    // No fsync: a SIGTERM of the bridge loses nothing, a SIGKILL may lose lines not yet appended.
    await appendFile(path, spoolText(events), { mode: 0o600 });
  };
  /** Files of ended runs of the thread (and 0.5's one file a thread, `<hash>.ndjson`). */
  const ended = (name: string) => {
    if (!name.startsWith(`${thread}.`) || name.startsWith(`${own}.`)) return false;
    const pid = Number(name.split(".")[1]);
    return !Number.isSafeInteger(pid) || !owner.runs(pid);
  };
  return {
    path,
    async load() {
      const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return [];
        throw error;
      });
      const files = await Promise.all(
        names
          .filter(ended)
          .map(async (name) => ({ name, at: (await stat(join(dir, name)).catch(() => null))?.mtimeMs ?? 0 })),
      );
      files.sort((a, b) => a.at - b.at || a.name.localeCompare(b.name));
      const events: RuntimeEvent[] = [];
      for (const [index, { name }] of files.entries()) {
        const claimed = join(dir, `${own}.taken-${index}`);
        // Another new run of the thread may have taken it first: then it is that run's to send.
        if (
          !(await rename(join(dir, name), claimed).then(
            () => true,
            () => false,
          ))
        )
          continue;
        const taken = spoolLines(await readFile(claimed, "utf8"));
        if (taken.length > 0) await append(taken);
        await rm(claimed, { force: true });
        events.push(...taken);
      }
      return events;
    },
    append,
    async clear() {
      await rm(path, { force: true });
    },
  };
}
