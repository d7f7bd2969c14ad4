/**
 * `provider-sessions bridge codex -- <agent>` against the real Worker: the run forwarded as the session's life (a start
 * at the spawn, the exit at the end), its transcript replayed once more storing nothing, and the session's state
 * checked line by line by replaying a recording of the fixture up to each chosen line.
 */
import { describe, expect, it } from "vitest";
import type { SessionView } from "../../src/client/index.ts";
import { newThreadId } from "../support/api.ts";
import { cli } from "../support/cli.ts";
import { testClient } from "../support/client-fetch.ts";
import { lines, TURN, USAGE_REPORTS } from "../support/codex-transcript.ts";
import { recordingOf, type ScriptStep, scriptedAgents } from "../support/scripted-agents.ts";

const client = testClient();
const USAGE_LIMIT = "You've hit your usage limit. Try again later.";
const MESSAGES = lines.filter((line) => "method" in (JSON.parse(line) as object)).length;

/** The fixture as the agent writes it, with the client's answer to the first approval (after line 15) on stdin. */
const SCRIPT: readonly ScriptStep[] = [
  ...lines.slice(0, 15).map((text) => ({ dir: "out" as const, text })),
  { dir: "in", text: '{"id":0,"result":{"decision":"accept"}}' },
  ...lines.slice(15).map((text) => ({ dir: "out" as const, text })),
  { dir: "exit", code: 0 },
];
/** Script steps up to and including fixture line n. */
const stepsThrough = (n: number) => (n <= 15 ? n : n + 1);

type Expected = Partial<Omit<SessionView, "pendingRequests">> & {
  pendingRequests?: Partial<SessionView["pendingRequests"]>;
};

/** After fixture line n (the same expectations as test/client/codex-bridge.test.ts; line 0: the spawn alone). */
const AFTER_LINE: ReadonlyMap<number, Expected> = new Map<number, Expected>([
  [0, { status: "ready", activeTurnId: null, providerName: "codex", lastSeq: 1 }],
  [6, { status: "running", activeTurnId: TURN.completed }],
  [15, { status: "running", pendingRequests: { approvals: 1, userInputs: 0 } }],
  [17, { status: "running", pendingRequests: { approvals: 0 } }],
  [22, { status: "ready", activeTurnId: null, lastError: null }],
  [30, { status: "ready", activeTurnId: null }],
  [34, { status: "error", activeTurnId: null, lastError: USAGE_LIMIT }],
  [39, { status: "running", activeTurnId: TURN.secondProcess }],
  [44, { pendingRequests: { approvals: 0, userInputs: 1 } }],
  [46, { status: "ready", activeTurnId: null, pendingRequests: { approvals: 0, userInputs: 0 } }],
]);

describe("bridge codex -- <agent>", () => {
  it("forwards the run as the session's life, and its transcript replayed stores nothing new", async () => {
    const threadId = newThreadId();
    const agents = scriptedAgents(SCRIPT);
    const run = await cli(
      ["bridge", "codex", "--thread", threadId, "--record", "run.jsonl", "--", "codex", "app-server"],
      { agents: agents.host },
    );
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(
      `provider-sessions bridge: ${MESSAGES + 2} events stored, 0 duplicate, 0 refused, 0 unreadable lines\n`,
    );
    expect(await client.session(threadId)).toMatchObject({ status: "stopped", lastSeq: MESSAGES + 2 + USAGE_REPORTS });
    expect(agents.spools.get(threadId)?.events).toEqual([]);

    const replay = await cli(["bridge", "codex", "--replay", "run.jsonl"], { files: { "run.jsonl": agents.recorded } });
    expect(replay.status).toBe(0);
    expect(replay.stdout).toMatch(
      new RegExp(`^${MESSAGES + 2} events in [\\d.]+s: 0 stored, ${MESSAGES + 2} duplicate`),
    );
  });

  it("moves the session as the fixture says, line by line", async () => {
    const threadId = newThreadId();
    const recording = recordingOf("codex", threadId, SCRIPT);
    for (const [n, expected] of AFTER_LINE) {
      const prefix = recording.slice(0, 1 + stepsThrough(n));
      const run = await cli(["bridge", "codex", "--replay", "run.jsonl"], { files: { "run.jsonl": prefix } });
      expect(run.status, `after line ${n}: ${run.stderr}`).toBe(0);
      expect(await client.session(threadId), `after line ${n}`).toMatchObject(expected);
    }
    const whole = await cli(["bridge", "codex", "--replay", "run.jsonl"], { files: { "run.jsonl": recording } });
    expect(whole.status).toBe(0);
    expect(await client.session(threadId)).toMatchObject({ status: "stopped", lastSeq: MESSAGES + 2 + USAGE_REPORTS });
    const again = await cli(["bridge", "codex", "--replay", "run.jsonl"], { files: { "run.jsonl": recording } });
    expect(again.stdout).toMatch(/: 0 stored, /);
  });

  it("refuses a command where it cannot run one, and a replay with a command", async () => {
    const inWorkerd = await cli(["bridge", "codex", "--thread", "t", "--", "codex", "app-server"]);
    expect(inWorkerd.status).toBe(2);
    const both = await cli(["bridge", "codex", "--replay", "r.jsonl", "--", "codex"], {
      agents: scriptedAgents([]).host,
    });
    expect(both.status).toBe(2);
    const claudeStdout = await cli(["bridge", "claude", "--thread", "t", "out.jsonl"]);
    expect(claudeStdout.stderr).toMatch(/runs in wrap mode/);
  });
});
