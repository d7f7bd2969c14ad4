/** Everything a command touches, passed in: the Node entry fills it from `process`, the tests from workerd. */
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
