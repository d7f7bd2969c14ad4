/**
 * The Claude bridge reports each assistant message's usage, so a turn's cost shows while it runs: the blocks of one
 * response repeat their message id and usage, and the session counts each message id once, its largest figure.
 * Shapes: anthropics/claude-agent-sdk (`SDKAssistantMessage`: `message.id`, `message.usage`, `parent_tool_use_id`).
 */
import { describe, expect, it } from "vitest";
import { createLiveBridge } from "../../src/bridge/live.ts";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import { decideBatch } from "../../src/domain/ingest.ts";
import { initialSession, type SessionState } from "../../src/domain/session.ts";
import { usageShown } from "../../src/domain/session-view.ts";

const run = { runId: "r", kind: "claude" as const, threadId: "t", startedAt: "2026-12-06T10:00:00.000Z" };
const AT = "2026-12-06T10:00:01.000Z";
const T = Date.parse(AT);

const assistant = (id: string, output: number, block: object) => ({
  type: "assistant",
  session_id: "s1",
  parent_tool_use_id: null,
  message: {
    id,
    model: "claude-sonnet-4-5",
    role: "assistant",
    content: [block],
    usage: { input_tokens: 10, cache_read_input_tokens: 1_000, cache_creation_input_tokens: 0, output_tokens: output },
  },
});

async function eventsOf(lines: ReadonlyArray<["in" | "out", object]>): Promise<RuntimeEvent[]> {
  const bridge = createLiveBridge(run);
  const events: RuntimeEvent[] = [];
  for (const [index, [dir, message]] of lines.entries()) {
    const observation = await bridge.observe(dir, JSON.stringify(message), index + 1, AT);
    if (!observation.ok) throw new Error(observation.problem);
    events.push(...observation.events);
  }
  return events;
}

describe("the Claude bridge's usage of each assistant message", () => {
  it("reports a message's usage once per change, and the session counts the message once", async () => {
    const events = await eventsOf([
      ["in", { type: "user", message: { role: "user", content: "Run the tests" } }],
      ["out", assistant("msg_1", 5, { type: "thinking", thinking: "Let me look." })],
      ["out", assistant("msg_1", 5, { type: "tool_use", id: "tool_1", name: "Bash", input: { command: "npm test" } })],
      ["out", assistant("msg_1", 40, { type: "text", text: "Done." })],
    ]);
    const reports = events.filter((event) => event.type === "thread.token-usage.updated");
    // The first block's usage, then the grown one; the repeat in between sends nothing.
    expect(reports).toHaveLength(2);

    let state: SessionState = initialSession;
    for (const event of events) {
      const decision = decideBatch(state, [{ event, text: JSON.stringify(event) }], new Map(), T);
      if (decision.kind === "commit") state = decision.change.state;
    }
    // Counted once, at its largest: 10 + 1,000 cached input, 40 output (not 45, not 80).
    expect(usageShown(state)).toMatchObject({ inputTokens: 1_010, cacheReadInputTokens: 1_000, outputTokens: 40 });
  });
});

describe("a stdin line named like an Object.prototype member", () => {
  it("maps to nothing, as any type the bridge does not know, instead of throwing", async () => {
    for (const type of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      expect(await eventsOf([["in", { type }]])).toEqual([]);
    }
  });
});
