/**
 * `provider-sessions bridge claude -- claude -p --input-format stream-json …` against the real Worker: the fixture's
 * four turns (an approval, a question, an interrupt, a usage limit) forwarded from both directions, the session
 * checked after chosen lines by replaying the recording up to them, and a second replay storing nothing new.
 */
import { describe, expect, it } from "vitest";
import type { SessionView } from "../../src/client/index.ts";
import { newThreadId } from "../support/api.ts";
import { AFTER_STEP, RESETS_AT, STEPS } from "../support/claude-transcript.ts";
import { cli } from "../support/cli.ts";
import { testClient } from "../support/client-fetch.ts";
import { recordingOf, scriptedAgents } from "../support/scripted-agents.ts";

const client = testClient();
const CLAUDE = ["claude", "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose"];
/** The recording's run id is "fixture-run", so the turns are `fixture-run-turn-<n>`. */
const turn = (n: number) => `fixture-run-turn-${n}`;

type Expected = Partial<Omit<SessionView, "pendingRequests">> & {
  pendingRequests?: Partial<SessionView["pendingRequests"]>;
};

const AFTER: ReadonlyArray<[number, Expected]> = [
  [0, { status: "ready", providerName: "claude", activeTurnId: null, lastSeq: 1 }],
  [AFTER_STEP.prompted, { status: "running", activeTurnId: turn(1) }],
  [AFTER_STEP.approvalOpen, { status: "running", pendingRequests: { approvals: 1, userInputs: 0 } }],
  [AFTER_STEP.approved, { status: "running", pendingRequests: { approvals: 0, userInputs: 0 } }],
  // The turn's result: Claude's own running cost (the fixture's total_cost_usd) over the table's estimate.
  [
    AFTER_STEP.firstTurnDone,
    {
      status: "ready",
      activeTurnId: null,
      lastError: null,
      usage: expect.objectContaining({ costUsd: 0.0312, cost: expect.objectContaining({ source: "provider" }) }),
    },
  ],
  [AFTER_STEP.questionOpen, { status: "running", activeTurnId: turn(2), pendingRequests: { userInputs: 1 } }],
  [AFTER_STEP.answered, { pendingRequests: { approvals: 0, userInputs: 0 } }],
  [AFTER_STEP.interrupted, { status: "interrupted", activeTurnId: null }],
  [AFTER_STEP.afterInterruptResult, { status: "interrupted", activeTurnId: null }],
  [
    AFTER_STEP.usageLimit,
    { status: "error", activeTurnId: null, lastError: "Claude usage limit reached", limitResetsAt: RESETS_AT },
  ],
  [AFTER_STEP.end, { status: "stopped", activeTurnId: null }],
];

describe("bridge claude -- <claude command>", () => {
  it("moves the session as the fixture says, line by line; a second replay stores nothing new", async () => {
    const threadId = newThreadId();
    const recording = recordingOf("claude", threadId, STEPS);
    for (const [step, expected] of AFTER) {
      const prefix = recording.slice(0, 1 + step);
      const run = await cli(["bridge", "claude", "--replay", "run.jsonl"], { files: { "run.jsonl": prefix } });
      expect(run.stderr, `after step ${step}`).toBe("");
      expect(await client.session(threadId), `after step ${step}`).toMatchObject(expected);
    }
    const stored = (await client.session(threadId)).lastSeq;
    const again = await cli(["bridge", "claude", "--replay", "run.jsonl"], { files: { "run.jsonl": recording } });
    expect(again.stdout).toMatch(/: 0 stored, \d+ duplicate, 0 refused/);
    expect((await client.session(threadId)).lastSeq).toBe(stored);
  });

  it("maps each message as the table in docs/bridges.md says", async () => {
    const threadId = newThreadId();
    const agents = scriptedAgents(STEPS);
    const run = await cli(["bridge", "claude", "--thread", threadId, "--record", "run.jsonl", "--", ...CLAUDE], {
      agents: agents.host,
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(
      /^provider-sessions bridge: \d+ events stored, 0 duplicate, 0 refused, 0 unreadable lines\n$/,
    );
    const types: string[] = [];
    for await (const entry of client.events(threadId))
      types.push(`${entry.origin === "service" ? "service:" : ""}${entry.event.type}`);
    // An assistant message's usage is a report of its own (priced from the table, a service entry after it), until
    // the turn's result brings Claude's own cost.
    expect(types).toEqual([
      "session.started",
      "turn.started",
      "session.started",
      "content.delta",
      "content.delta",
      "thread.token-usage.updated",
      "service:usage.priced",
      "item.started",
      "request.opened",
      "request.resolved",
      "item.completed",
      "content.delta",
      "turn.completed",
      "thread.token-usage.updated",
      "turn.started",
      "item.started",
      "thread.token-usage.updated",
      "service:usage.priced",
      "user-input.requested",
      "user-input.resolved",
      "item.completed",
      "turn.completed",
      "thread.token-usage.updated",
      "turn.started",
      "content.delta",
      "turn.aborted",
      "turn.completed",
      "thread.token-usage.updated",
      "turn.started",
      "runtime.error",
      "turn.completed",
      "thread.token-usage.updated",
      "session.exited",
    ]);
    const replay = await cli(["bridge", "claude", "--replay", "run.jsonl"], {
      files: { "run.jsonl": agents.recorded },
    });
    const provided = types.filter((type) => !type.startsWith("service:")).length;
    expect(replay.stdout).toMatch(new RegExp(`: 0 stored, ${provided} duplicate, 0 refused`));
  });
});
