/**
 * An AgentHost for wrap mode inside workerd: the "agent" plays a script (its stdout lines, the client's stdin lines,
 * its exit), the spool lives in memory, and the transcript is kept as lines. The process side of wrap mode is tested
 * in Node (test/bridge/wrap-process.test.ts); this one drives the same command against the real Worker.
 */
import type { AgentExit } from "../../src/bridge/live.ts";
import { memorySpool } from "../../src/bridge/spool.ts";
import type { AgentHost } from "../../src/cli/context.ts";

export type ScriptStep = { dir: "out"; text: string } | { dir: "in"; text: string } | { dir: "exit"; code: number };

export function scriptedAgents(script: readonly ScriptStep[]) {
  const recorded: string[] = [];
  const spools = new Map<string, ReturnType<typeof memorySpool>>();
  let stdout = "";
  const host: AgentHost = {
    async run(_command, observe): Promise<AgentExit> {
      let code = 0;
      for (const step of script) {
        if (step.dir === "exit") code = step.code;
        else {
          if (step.dir === "out") stdout += `${step.text}\n`;
          observe(step.dir, step.text);
        }
      }
      return { code, signal: null };
    },
    spool(_dir, threadId) {
      const spool = spools.get(threadId) ?? memorySpool();
      spools.set(threadId, spool);
      return spool;
    },
    recorder: () => ({ write: (line) => void recorded.push(line), close: async () => {} }),
  };
  return { host, recorded, stdout: () => stdout, spools };
}

/** The script's agent-stdout lines and client-stdin lines as a recording of a run with a fixed identity. */
export function recordingOf(
  kind: string,
  threadId: string,
  script: readonly ScriptStep[],
  runId = "fixture-run",
): string[] {
  const t = "2026-11-28T09:00:00.000Z";
  return [
    JSON.stringify({ dir: "run", runId, kind, threadId, startedAt: t }),
    ...script.map((step) =>
      step.dir === "exit"
        ? JSON.stringify({ dir: "exit", t, code: step.code, signal: null })
        : JSON.stringify({ dir: step.dir, t, text: step.text }),
    ),
  ];
}
