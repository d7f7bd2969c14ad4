/**
 * A live bridge: what one agent run stands for, seen from both sides of its stdio. `createLiveBridge(run)` is the one
 * entry for every agent; wrap mode, replay and `provider-sessions/bridge` (index.ts) all use it.
 */
import type { RuntimeEvent } from "../contracts/events.ts";
import { createAcpMapper } from "./acp.ts";
import { createClaudeMapper } from "./claude.ts";
import { createCodexBridge } from "./codex.ts";
import { type BridgeKind, type Direction, edgeEventId, type RunIdentity } from "./common.ts";

/** A line that is not a message of the protocol is a problem: passed through unchanged, reported, not forwarded. */
export type Observation = { ok: true; events: RuntimeEvent[] } | { ok: false; problem: string };

/** How the agent's process ended: its exit code, or the signal that ended it. */
export interface AgentExit {
  code: number | null;
  signal: string | null;
  /** A stop signal reached the bridge and was passed on before the agent ended: a person or supervisor asked. */
  stopRequested?: boolean;
  /** The end of what the agent wrote to stderr (at most MAX_STDERR_TAIL_LENGTH characters), when it wrote any. */
  stderrTail?: string;
}

/** What a protocol contributes: the mapping of each line; the run's edges are the same for every agent. */
export interface ProtocolMapper {
  /** `ordinal` counts the lines of that direction from 1; `at` is when the bridge saw the line. */
  observe(dir: Direction, line: string, ordinal: number, at: string): Promise<Observation> | Observation;
}

export interface LiveBridge {
  readonly run: RunIdentity;
  /** The session exists from the spawn: a `session.started`, before the agent has written anything. */
  start(): RuntimeEvent;
  /** Lines of one direction in order; calls may overlap, they are mapped one at a time in call order. */
  observe(dir: Direction, line: string, ordinal: number, at: string): Promise<Observation>;
  /** The agent's exit is the session's exit. */
  exit(exit: AgentExit, at: string): RuntimeEvent;
}

const AGENT_NAMES: Readonly<Record<BridgeKind, string>> = {
  codex: "codex app-server",
  claude: "claude (stream-json)",
  acp: "ACP agent",
};

export function createLiveBridge(run: RunIdentity): LiveBridge {
  const mapper = mapperFor(run);
  let previous: Promise<unknown> = Promise.resolve();
  const edge = (edgeName: "start" | "exit", type: string, createdAt: string, payload: Record<string, unknown>) => ({
    eventId: edgeEventId(run, edgeName),
    type,
    provider: run.kind,
    threadId: run.threadId,
    createdAt,
    payload,
  });
  return {
    run,
    start: () => edge("start", "session.started", run.startedAt, { message: `${AGENT_NAMES[run.kind]} spawned` }),
    observe(dir, line, ordinal, at) {
      const observation = previous.then(() => mapper.observe(dir, line, ordinal, at));
      previous = observation.catch(() => undefined);
      return observation;
    },
    exit({ code, signal, stopRequested = false, stderrTail }, at) {
      const how = signal === null ? `exited with code ${code ?? "unknown"}` : `ended by ${signal}`;
      // An agent that ends as it was asked to (whatever its code) exited gracefully; the rest is a crash to show.
      const graceful = code === 0 || stopRequested;
      return edge("exit", "session.exited", at, {
        reason: `${AGENT_NAMES[run.kind]} ${how}${stopRequested ? " (stop requested)" : ""}`,
        exitKind: graceful ? "graceful" : "error",
        ...(code === null ? {} : { exitCode: code }),
        ...(signal === null ? {} : { signal }),
        ...(graceful || stderrTail === undefined || stderrTail === "" ? {} : { stderrTail }),
      });
    },
  };
}

function mapperFor(run: RunIdentity): ProtocolMapper {
  switch (run.kind) {
    case "codex":
      return codexMapper(run);
    case "claude":
      return createClaudeMapper(run);
    case "acp":
      return createAcpMapper(run);
    default: {
      const never: never = run.kind;
      throw new Error(`no bridge for ${String(never)}`);
    }
  }
}

/**
 * Codex: its stdout carries everything, resolutions included (`serverRequest/resolved`); the client's stdin answers
 * are recorded, not mapped a second time.
 */
function codexMapper(run: RunIdentity): ProtocolMapper {
  const codex = createCodexBridge({ threadId: run.threadId, run });
  return {
    observe: (dir, line, ordinal) => (dir === "out" ? codex.translate(line, ordinal) : { ok: true, events: [] }),
  };
}
