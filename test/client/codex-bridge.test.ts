/** The Codex transcript replayed line by line through the bridge into the Worker, the session checked at each step. */
import { describe, expect, it } from "vitest";
import { createCodexBridge } from "../../src/bridge/codex.ts";
import type { EventResult, RuntimeEvent, SessionView } from "../../src/client/index.ts";
import { newThreadId } from "../support/api.ts";
import { testClient } from "../support/client-fetch.ts";
import { lines, TURN, USAGE_REPORTS } from "../support/codex-transcript.ts";

const client = testClient();
const USAGE_LIMIT = "You've hit your usage limit. Try again later.";

type Expected = Partial<Omit<SessionView, "pendingRequests">> & {
  pendingRequests?: Partial<SessionView["pendingRequests"]>;
};

/**
 * What the session is after line n, as a reader of the transcript expects it (docs/lifecycle-rules.md, "Projection
 * rules").
 */
const AFTER_LINE: ReadonlyMap<number, Expected> = new Map<number, Expected>([
  [4, { status: "ready", activeTurnId: null, providerName: "codex" }],
  [6, { status: "running", activeTurnId: TURN.completed }],
  [15, { status: "running", activeTurnId: TURN.completed, pendingRequests: { approvals: 1, userInputs: 0 } }],
  [17, { status: "running", pendingRequests: { approvals: 0 } }],
  [22, { status: "ready", activeTurnId: null, lastError: null }],
  [25, { status: "running", activeTurnId: TURN.interrupted }],
  [30, { status: "ready", activeTurnId: null }],
  [33, { status: "running", activeTurnId: TURN.failed, lastError: null }],
  [34, { status: "error", activeTurnId: null, lastError: USAGE_LIMIT }],
  [35, { status: "error", activeTurnId: null, lastError: USAGE_LIMIT }],
  [39, { status: "running", activeTurnId: TURN.secondProcess }],
  [41, { status: "running", pendingRequests: { approvals: 1, userInputs: 0 } }],
  [42, { pendingRequests: { approvals: 0, userInputs: 0 } }],
  [44, { pendingRequests: { approvals: 0, userInputs: 1 } }],
  [45, { pendingRequests: { approvals: 0, userInputs: 0 } }],
  [46, { status: "ready", activeTurnId: null, pendingRequests: { approvals: 0, userInputs: 0 } }],
]);

async function translate(bridge: ReturnType<typeof createCodexBridge>, line: string): Promise<RuntimeEvent[]> {
  const translation = await bridge.translate(line);
  if (!translation.ok) throw new Error(translation.problem);
  return translation.events;
}

async function replay(threadId: string): Promise<EventResult[]> {
  const bridge = createCodexBridge({ threadId });
  const events: RuntimeEvent[] = [];
  for (const line of lines) events.push(...(await translate(bridge, line)));
  return (await client.ingest(threadId, events)).results;
}

describe("the Codex bridge into the Worker", () => {
  it("projects the session the transcript describes, step by step", async () => {
    const threadId = newThreadId();
    const bridge = createCodexBridge({ threadId });
    const results: EventResult[] = [];
    for (const [index, line] of lines.entries()) {
      const events = await translate(bridge, line);
      if (events.length > 0) results.push(...(await client.ingest(threadId, events)).results);
      const expected = AFTER_LINE.get(index + 1);
      if (expected !== undefined)
        expect(await client.session(threadId), `after line ${index + 1}`).toMatchObject(expected);
    }
    // The failed turn was already ended by its error; its completion finds no turn to settle.
    expect(results.filter((result) => result.outcome === "ignored")).toEqual([
      expect.objectContaining({ reason: "no-turn-to-settle" }),
    ]);
    expect(results.filter((result) => result.outcome === "duplicate")).toEqual([]);
  });

  it("stores a replayed transcript once: the second replay is all duplicates", async () => {
    const threadId = newThreadId();
    const first = await replay(threadId);
    const second = await replay(threadId);
    expect(first.map((result) => result.outcome)).not.toContain("duplicate");
    expect(second.map((result) => result.outcome)).toEqual(first.map(() => "duplicate"));
    expect(second.map((result) => result.seq)).toEqual(first.map((result) => result.seq));
    expect(await client.session(threadId)).toMatchObject({ lastSeq: first.length + USAGE_REPORTS, status: "ready" });
  });
});
