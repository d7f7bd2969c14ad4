/**
 * `provider-sessions bridge acp -- <ACP agent>` against the real Worker: the ACP fixture's four turns (a command
 * approved, a cancel, a JSON-RPC error, a refusal) checked after chosen lines by replaying a recording up to them,
 * a wrap run mapped as docs/bridges.md says, and a second replay storing nothing new.
 */
import { describe, expect, it } from "vitest";
import type { SessionView } from "../../src/client/index.ts";
import { STEPS } from "../support/acp-transcript.ts";
import { newThreadId } from "../support/api.ts";
import { cli } from "../support/cli.ts";
import { testClient } from "../support/client-fetch.ts";
import { recordingOf, scriptedAgents } from "../support/scripted-agents.ts";

const client = testClient();
const turn = (n: number) => `fixture-run-turn-${n}`;

type Expected = Partial<Omit<SessionView, "pendingRequests">> & {
  pendingRequests?: Partial<SessionView["pendingRequests"]>;
};

/** After step n of the fixture (1-based; 0: the spawn alone). */
const AFTER: ReadonlyArray<[number, Expected]> = [
  [0, { status: "ready", providerName: "acp", lastSeq: 1 }],
  [4, { status: "ready", activeTurnId: null }],
  [5, { status: "running", activeTurnId: turn(1) }],
  [9, { status: "running", pendingRequests: { approvals: 1 } }],
  [10, { status: "running", pendingRequests: { approvals: 0 } }],
  [13, { status: "ready", activeTurnId: null }],
  [16, { status: "running", activeTurnId: turn(2) }],
  [17, { status: "ready", activeTurnId: null }],
  [19, { status: "error", activeTurnId: null, lastError: "Internal error: model overloaded" }],
  [22, { status: "ready", activeTurnId: null }],
  [23, { status: "stopped" }],
];

describe("bridge acp -- <agent>", () => {
  it("moves the session as the fixture says, line by line; a second replay stores nothing new", async () => {
    const threadId = newThreadId();
    const recording = recordingOf("acp", threadId, STEPS);
    for (const [step, expected] of AFTER) {
      const run = await cli(["bridge", "acp", "--replay", "run.jsonl"], {
        files: { "run.jsonl": recording.slice(0, 1 + step) },
      });
      expect(run.stderr, `after step ${step}`).toBe("");
      expect(await client.session(threadId), `after step ${step}`).toMatchObject(expected);
    }
    const again = await cli(["bridge", "acp", "--replay", "run.jsonl"], { files: { "run.jsonl": recording } });
    expect(again.stdout).toMatch(/: 0 stored, \d+ duplicate, 0 refused/);
  });

  it("maps each message as the table in docs/bridges.md says", async () => {
    const threadId = newThreadId();
    const agents = scriptedAgents(STEPS);
    const run = await cli(["bridge", "acp", "--thread", threadId, "--", "opencode", "acp"], { agents: agents.host });
    expect(run.status).toBe(0);
    const events: Array<[string, unknown]> = [];
    for await (const entry of client.events(threadId)) {
      events.push([entry.event.type, entry.event.payload?.state ?? entry.event.payload?.streamKind ?? null]);
    }
    expect(events).toEqual([
      ["session.started", null],
      ["session.started", null],
      ["turn.started", null],
      ["turn.plan.updated", null],
      ["content.delta", "assistant_text"],
      ["item.started", null],
      ["request.opened", null],
      ["request.resolved", null],
      ["item.completed", null],
      ["thread.token-usage.updated", null],
      ["turn.completed", "completed"],
      ["turn.started", null],
      ["content.delta", "reasoning_text"],
      ["acp/session/cancel", null],
      ["turn.completed", "cancelled"],
      ["turn.started", null],
      ["turn.completed", "failed"],
      ["turn.started", null],
      ["content.delta", "assistant_text"],
      ["turn.completed", "completed"],
      ["session.exited", null],
    ]);
  });
});
