/**
 * A run's transcript (`--record`): one JSON object a line. The first names the run (`{"dir":"run", …}`), so a replay
 * mints the same eventIds; then every stdio line with its direction and the time the bridge saw it
 * (`{"dir":"in"|"out","t":…,"msg":…}`, or `"text"` for a line that is not JSON), and last the agent's exit.
 */
import { BRIDGE_KINDS, type BridgeKind, type Direction, type RunIdentity } from "./common.ts";
import { isRecord } from "./json-rpc.ts";
import type { AgentExit } from "./live.ts";

export type RecordedEntry =
  | { dir: "run"; run: RunIdentity }
  | { dir: Direction; t: string; line: string }
  | { dir: "exit"; t: string; exit: AgentExit };

export function recordedRun(run: RunIdentity): string {
  return JSON.stringify({ dir: "run", ...run });
}

/** The message as JSON when the line is JSON (a transcript that reads as one), else as text. */
export function recordedLine(dir: Direction, at: string, line: string): string {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return JSON.stringify({ dir, t: at, text: line });
  }
  // A line whose JSON would not read back byte for byte (spacing, key order of duplicates) keeps its text too.
  return JSON.stringify(JSON.stringify(msg) === line ? { dir, t: at, msg } : { dir, t: at, text: line });
}

export function recordedExit(at: string, exit: AgentExit): string {
  return JSON.stringify({ dir: "exit", t: at, code: exit.code, signal: exit.signal });
}

/** A recorded line read back, or why it is not one. */
export function readRecorded(text: string): RecordedEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "not JSON: not a line of a recording";
  }
  if (!isRecord(value)) return "not a JSON object: not a line of a recording";
  const t = value.t;
  switch (value.dir) {
    case "run": {
      const { runId, kind, threadId, startedAt } = value;
      if (
        typeof runId !== "string" ||
        typeof threadId !== "string" ||
        typeof startedAt !== "string" ||
        !BRIDGE_KINDS.includes(kind as BridgeKind)
      ) {
        return "a run line needs runId, kind, threadId and startedAt";
      }
      return { dir: "run", run: { runId, kind: kind as BridgeKind, threadId, startedAt } };
    }
    case "in":
    case "out": {
      if (typeof t !== "string") return "a recorded line needs its time t";
      const line = typeof value.text === "string" ? value.text : JSON.stringify(value.msg);
      if (line === undefined) return "a recorded line needs msg or text";
      return { dir: value.dir, t, line };
    }
    case "exit": {
      if (typeof t !== "string") return "an exit line needs its time t";
      const code = typeof value.code === "number" ? value.code : null;
      const signal = typeof value.signal === "string" ? value.signal : null;
      return { dir: "exit", t, exit: { code, signal } };
    }
    default:
      return 'dir is none of "run", "in", "out", "exit"';
  }
}
