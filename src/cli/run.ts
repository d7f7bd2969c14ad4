/** The `provider-sessions` command: finds the subcommand, builds the client, and turns every failure into one line. */

import type { Client } from "../client/client.ts";
import { createClient } from "../client/client.ts";
import { ProblemError } from "../client/problem-error.ts";
import { UsageError } from "./args.ts";
import { bridge } from "./commands/bridge.ts";
import { get } from "./commands/get.ts";
import { ls } from "./commands/ls.ts";
import { send } from "./commands/send.ts";
import { tail } from "./commands/tail.ts";
import { usage } from "./commands/usage.ts";
import type { CliContext, CliIo, Command } from "./context.ts";
import { INTERRUPTED_STATUS } from "./interrupt.ts";
import { styleFor } from "./terminal.ts";

export const COMMANDS: readonly Command[] = [ls, get, tail, send, usage, bridge];

const PROGRAM = "provider-sessions";

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return `Usage: ${PROGRAM} <command> [options]

${COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join("\n")}

Run '${PROGRAM} <command> --help' for a command's options.

Environment:
  PROVIDER_SESSIONS_URL     where the service answers, e.g. http://localhost:8787
  PROVIDER_SESSIONS_TOKEN   an API token (a read token is enough for ls, get and tail)
  NO_COLOR                  set to print without colour on a terminal
`;
}

/** Runs the command line (without the program name) and resolves to the exit status: 0, 1 failed, 2 misused. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout).write(overview());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) return fail(io, `unknown command "${name}" (try '${PROGRAM} --help')`, 2);
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout.write(command.usage);
    return 0;
  }
  let client: Client | null = null;
  const context: CliContext = {
    ...io,
    out: styleFor(io.stdout, io.env),
    err: styleFor(io.stderr, io.env),
    baseUrl: () => configured(io).baseUrl,
    client() {
      client ??= createClient({ ...configured(io), ...(io.fetch === undefined ? {} : { fetch: io.fetch }) });
      return client;
    },
  };
  try {
    return await command.run(args, context);
  } catch (error) {
    if (error instanceof UsageError) {
      return fail(io, `${error.message} (try '${PROGRAM} ${command.name} --help')`, 2);
    }
    if (error instanceof ConfigurationError) return fail(io, error.message, 2);
    if (error instanceof ProblemError) return fail(io, problemLine(error), 1);
    if (io.signal.aborted) return INTERRUPTED_STATUS;
    return fail(io, unreachableLine(error, context), 1);
  }
}

class ConfigurationError extends Error {}

function configured(io: CliIo): { baseUrl: string; token: string } {
  const baseUrl = io.env.PROVIDER_SESSIONS_URL?.trim() ?? "";
  const token = io.env.PROVIDER_SESSIONS_TOKEN?.trim() ?? "";
  if (baseUrl === "") {
    throw new ConfigurationError(
      "PROVIDER_SESSIONS_URL is not set (e.g. export PROVIDER_SESSIONS_URL=http://localhost:8787)",
    );
  }
  if (!/^https?:\/\//.test(baseUrl)) {
    throw new ConfigurationError(`PROVIDER_SESSIONS_URL must start with http:// or https:// (it is "${baseUrl}")`);
  }
  if (token === "") throw new ConfigurationError("PROVIDER_SESSIONS_TOKEN is not set (an API token of the service)");
  return { baseUrl, token };
}

function problemLine(problem: ProblemError): string {
  const hint =
    problem.status === 401
      ? " (check PROVIDER_SESSIONS_TOKEN)"
      : problem.status === 403
        ? " (a read token cannot write: use an API token)"
        : "";
  const detail = problem.detail === "" ? "" : `: ${problem.detail}`;
  return `${problem.status} ${problem.title}${detail}${hint}`;
}

/** fetch rejects with a bare "fetch failed"; the cause (ECONNREFUSED, ENOTFOUND, …) is what a person needs. */
function unreachableLine(error: unknown, context: CliContext): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : null;
  const reason = cause?.message ?? (error instanceof Error ? error.message : String(error));
  if (error instanceof TypeError) {
    let where = "the service";
    try {
      where = context.baseUrl();
    } catch {}
    if (where.startsWith("https://") && cause !== null && isPlainHttpReply(cause)) {
      return `the server at ${where} does not speak TLS: use http://${where.slice("https://".length)}`;
    }
    return `cannot reach ${where}: ${reason}`;
  }
  return reason;
}

/** OpenSSL's codes for a reply that is no TLS record at all: an https URL that names a plain http port. */
const NOT_TLS_CODES = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG"]);

function isPlainHttpReply(cause: Error): boolean {
  const code = "code" in cause ? cause.code : undefined;
  return (
    (typeof code === "string" && NOT_TLS_CODES.has(code)) ||
    /wrong version number|packet length too long/.test(cause.message)
  );
}

function fail(io: CliIo, message: string, status: number): number {
  io.stderr.write(`${PROGRAM}: ${message.split("\n")[0]}\n`);
  return status;
}
