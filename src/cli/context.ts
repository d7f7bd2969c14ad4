/** Everything a command touches, passed in: the Node entry fills it from `process`, the tests from workerd. */
import type { Direction } from "../bridge/common.ts";
import type { AgentExit } from "../bridge/live.ts";
import type { SpoolStore } from "../bridge/spool.ts";
import type { Client } from "../client/client.ts";
import type { Fetch } from "../client/transport.ts";
import type { Stream, Style } from "./terminal.ts";

export interface CliIo {
  stdout: Stream;
  stderr: Stream;
  env: Readonly<Record<string, string | undefined>>;
  /** Defaults to the global fetch. */
  fetch?: Fetch;
  /** The lines of a file, or of standard input for `-`; rejects with a readable message if it cannot be opened. */
  readLines(path: string): AsyncIterable<string>;
  /** The size in bytes of a file (for the progress bar), or null for standard input and the unknown. */
  sizeOf(path: string): Promise<number | null>;
  now(): number;
  /** Aborted on Ctrl-C: following commands end cleanly and a send stops. */
  signal: AbortSignal;
  /** Runs agents for `bridge … -- <command>` (wrap mode); only the Node entry can. */
  agents?: AgentHost;
}

/** What wrap mode needs of the platform: a process with the caller's stdio, a spool on disk, a transcript file. */
export interface AgentHost {
  /**
   * Spawns the agent: the caller's stdin goes to it and its stdout back, byte for byte, stderr through, signals
   * forwarded. Each line is handed to `observe` after its bytes were passed on. Resolves when it has exited and its
   * stdout has ended.
   */
  run(command: readonly string[], observe: (dir: Direction, line: string) => void): Promise<AgentExit>;
  /** The run's spool in `dir` (default: under the user's state directory), files mode 0600; it takes over what earlier runs of the thread left. */
  spool(dir: string | undefined, threadId: string, runId: string): SpoolStore;
  /** A transcript file, mode 0600; lines are appended off the pipe's path. */
  recorder(path: string): { write(line: string): void; close(): Promise<void> };
}

export interface CliContext extends CliIo {
  /** Built on first use, so `--help` and usage mistakes need neither URL nor token. */
  client(): Client;
  baseUrl(): string;
  out: Style;
  err: Style;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Resolves to the exit status. */
  run(args: readonly string[], context: CliContext): Promise<number>;
}
