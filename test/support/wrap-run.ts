/**
 * Runs `provider-sessions bridge <kind> … -- node fake-agent.mjs <script>` as a real process, playing the client's
 * side: each stdin line of the script is written once the agent's stdout lines before it have come through.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export type ScriptStep =
  | { dir: "out"; text: string }
  | { dir: "in"; text: string }
  | { dir: "err"; text: string }
  | { dir: "exit"; code: number };

export interface WrapRun {
  child: ChildProcess;
  /** Resolves once the bridge's stdout holds `bytes` bytes. */
  stdoutReached(bytes: number): Promise<void>;
  /** Ends the bridge's stdin (the client is done). */
  endInput(): void;
  done: Promise<{ status: number | null; signal: string | null; stdout: Buffer; stderr: string }>;
}

const ROOT = join(import.meta.dirname, "..", "..");
export const NODE = join(ROOT, "node_modules", ".bin", "node");
const CLI = join(ROOT, "src", "cli", "main.ts");
const FAKE_AGENT = join(ROOT, "test", "fixtures", "fake-agent.mjs");

/** What the agent writes to stdout, byte for byte. */
export function agentStdout(script: readonly ScriptStep[]): Buffer {
  return Buffer.from(script.map((step) => (step.dir === "out" ? `${step.text}\n` : "")).join(""));
}

export function startWrap(options: {
  dir: string;
  origin: string;
  args: readonly string[];
  script: readonly ScriptStep[];
  /** The agent waits for stdin to end before it exits, and the test ends it (`endInput`). */
  hold?: boolean;
}): WrapRun {
  const scriptPath = join(options.dir, `script-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(
    scriptPath,
    options.script.map((step) => JSON.stringify(step.dir === "in" ? { dir: "in" } : step)).join("\n"),
  );
  const child = spawn(NODE, [CLI, "bridge", ...options.args, "--", NODE, FAKE_AGENT, scriptPath], {
    stdio: ["pipe", "pipe", "pipe"],
    env: {
      ...process.env,
      PROVIDER_SESSIONS_URL: options.origin,
      PROVIDER_SESSIONS_TOKEN: "test-token",
      ...(options.hold ? { FAKE_AGENT_HOLD: "1" } : {}),
    },
  });
  const inputs: Array<{ after: number; text: string }> = [];
  let written = 0;
  for (const step of options.script) {
    if (step.dir === "out") written += Buffer.byteLength(`${step.text}\n`);
    if (step.dir === "in") inputs.push({ after: written, text: step.text });
  }
  const chunks: Buffer[] = [];
  let received = 0;
  let stderr = "";
  const waiters = new Set<() => void>();
  const feed = () => {
    while (inputs.length > 0 && (inputs[0]?.after ?? 0) <= received) child.stdin?.write(`${inputs.shift()?.text}\n`);
    if (inputs.length === 0 && !options.hold) child.stdin?.end();
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.byteLength;
    feed();
    for (const wake of waiters) wake();
  });
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
  });
  feed();
  return {
    child,
    stdoutReached: (bytes) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (received < bytes) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    endInput: () => child.stdin?.end(),
    done: new Promise((resolve) =>
      child.once("close", (status, signal) => resolve({ status, signal, stdout: Buffer.concat(chunks), stderr })),
    ),
  };
}

/** Runs the command to its end (asynchronously: the stand-in service answers from this process). */
export function runCommand(
  args: readonly string[],
  origin: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(NODE, [CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PROVIDER_SESSIONS_URL: origin, PROVIDER_SESSIONS_TOKEN: "test-token" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
  });
  return new Promise((resolve) => child.once("close", (status) => resolve({ status, stdout, stderr })));
}
