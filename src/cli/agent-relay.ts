/**
 * Wrap mode across two threads, so that observing an agent never delays its stdio. The main thread keeps only the
 * pipes: it spawns the agent, passes the bytes on, and posts a copy of each chunk; a worker thread runs the whole
 * command (parsing, mapping, the spool, the transcript and delivery to the service) on the copies. Mapping, JSON
 * parsing, HTTP and their garbage then cost the pipe nothing (docs/performance.md, "Bridge wrap mode").
 */
import { type MessagePort, Worker } from "node:worker_threads";
import type { Direction } from "../bridge/common.ts";
import type { AgentExit } from "../bridge/live.ts";
import type { AgentHost } from "./context.ts";
import { linesTo, spawnAgent } from "./node-agents.ts";

/** From the worker to the main thread. */
type Request =
  | { type: "spawn"; command: readonly string[] }
  | { type: "stdout" | "stderr"; text: string }
  | { type: "done"; status: number };

/** From the main thread to the worker. */
type Relayed =
  | { type: "chunk"; dir: Direction; bytes: Uint8Array }
  | { type: "end"; dir: Direction }
  | { type: "exit"; exit: AgentExit };

/** `bridge <kind> … -- <agent…>` without `--replay`: the one command that holds an agent's pipes. */
export function wrapsAnAgent(argv: readonly string[]): boolean {
  const split = argv.indexOf("--");
  return argv[0] === "bridge" && split > 0 && !argv.slice(0, split).some((arg) => arg.startsWith("--replay"));
}

/**
 * The main thread's half: runs `entry` (the CLI's own entry) on a worker with `argv`, serves its requests, and
 * resolves with the status the command ended with.
 */
export function relayToWorker(entry: URL, argv: readonly string[]): Promise<number> {
  const worker = new Worker(entry, { argv: [...argv], workerData: { relayed: true } });
  const post = (message: Relayed, transfer: ArrayBuffer[] = []) => worker.postMessage(message, transfer);
  return new Promise<number>((resolve) => {
    let status: number | null = null;
    worker.on("message", (request: Request) => {
      switch (request.type) {
        case "spawn":
          void spawnAgent(request.command, {
            chunk(dir, bytes) {
              // A stream's chunk may be a view of a larger pooled buffer: copy just its bytes and hand them over.
              const copy = new Uint8Array(bytes);
              post({ type: "chunk", dir, bytes: copy }, [copy.buffer]);
            },
            end: (dir) => post({ type: "end", dir }),
          }).then((exit) => post({ type: "exit", exit }));
          return;
        case "stdout":
          process.stdout.write(request.text);
          return;
        case "stderr":
          process.stderr.write(request.text);
          return;
        case "done":
          status = request.status;
          return;
        default:
          request satisfies never;
      }
    });
    worker.on("error", (error) => {
      process.stderr.write(`provider-sessions bridge: ${error.message}\n`);
      status ??= 1;
    });
    worker.on("exit", (code) => resolve(status ?? (code === 0 ? 1 : code)));
  });
}

/** The worker's half of `run`: asks the main thread to spawn the agent and observes the chunks it relays. */
export function relayedRun(port: MessagePort): AgentHost["run"] {
  return (command, observe) => {
    const lines = linesTo(observe);
    return new Promise<AgentExit>((resolve) => {
      port.on("message", (message: Relayed) => {
        switch (message.type) {
          case "chunk":
            return lines.chunk(message.dir, message.bytes);
          case "end":
            return lines.end(message.dir);
          case "exit":
            port.removeAllListeners("message");
            return resolve(message.exit);
          default:
            message satisfies never;
        }
      });
      port.postMessage({ type: "spawn", command } satisfies Request);
    });
  };
}

/** The worker's stdout and stderr, in order with its other messages (a worker's own stdio is relayed apart). */
export function relayedWrite(port: MessagePort, stream: "stdout" | "stderr"): (text: string) => void {
  return (text) => port.postMessage({ type: stream, text } satisfies Request);
}

export function reportDone(port: MessagePort, status: number): void {
  port.postMessage({ type: "done", status } satisfies Request);
}
