/** Runs the `provider-sessions` command inside workerd against the real Worker, with its output captured. */

import type { AgentHost, CliIo } from "../../src/cli/context.ts";
import { runCli } from "../../src/cli/run.ts";
import type { Fetch } from "../../src/client/index.ts";
import { ORIGIN, serviceFetch } from "./client-fetch.ts";
import { ACME_TOKEN } from "./test-config.ts";

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  fetch?: Fetch;
  /** Files the command may read, by path; `-` is standard input. */
  files?: Record<string, readonly string[]>;
  tty?: boolean;
  now?: number;
  signal?: AbortSignal;
  /** Sees standard output grow, e.g. to stop a `tail` once enough arrived. */
  onOutput?: (stdout: string) => void;
  /** Runs agents for wrap mode (`bridge … -- <command>`). */
  agents?: AgentHost;
}

export const CLI_ENV = { PROVIDER_SESSIONS_URL: ORIGIN, PROVIDER_SESSIONS_TOKEN: ACME_TOKEN };

export async function cli(argv: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const tty = options.tty ?? false;
  const io: CliIo = {
    stdout: {
      write(text) {
        stdout += text;
        options.onOutput?.(stdout);
      },
      isTTY: tty,
    },
    stderr: {
      write(text) {
        stderr += text;
      },
      isTTY: tty,
    },
    env: options.env ?? CLI_ENV,
    fetch: options.fetch ?? serviceFetch,
    async *readLines(path) {
      const lines = options.files?.[path];
      if (lines === undefined) throw new Error(`cannot read ${path}: no such file`);
      yield* lines;
    },
    sizeOf: async (path) => {
      const lines = options.files?.[path];
      return lines === undefined || path === "-" ? null : new TextEncoder().encode(lines.join("\n")).byteLength + 1;
    },
    now: () => options.now ?? Date.now(),
    signal: options.signal ?? new AbortController().signal,
    ...(options.agents === undefined ? {} : { agents: options.agents }),
  };
  const status = await runCli(argv, io);
  return { status, stdout, stderr };
}

/** The lines of output with colour codes removed. */
export function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the SGR escape is the thing removed
  return text.replace(/\u001b\[\d+m/g, "");
}
