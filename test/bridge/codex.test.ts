/** The Codex app-server bridge in plain Node: mapping, determinism, request scoping, times and bad lines. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CodexTranslation, createCodexBridge } from "../../src/bridge/codex.ts";
import { MAX_PARAMS_DEPTH, UNKNOWN_TIME } from "../../src/bridge/common.ts";
import { MAX_PAYLOAD_DEPTH, type RuntimeEvent, RuntimeEventSchema } from "../../src/contracts/events.ts";
import { MAX_ID_LENGTH, MAX_TEXT_LENGTH } from "../../src/contracts/limits.ts";
import { MAX_LIFECYCLE_TEXT_LENGTH } from "../../src/domain/provider-text.ts";
import { at, CODEX_THREAD, line, lines, TURN } from "../support/codex-transcript.ts";

const THREAD = "session-42";

/** Events per line (index 0 is line 1), from a fresh bridge. */
async function translateAll(input: readonly string[] = lines): Promise<RuntimeEvent[][]> {
  const bridge = createCodexBridge({ threadId: THREAD });
  const perLine: RuntimeEvent[][] = [];
  for (const text of input) perLine.push(events(await bridge.translate(text)));
  return perLine;
}

function events(translation: CodexTranslation): RuntimeEvent[] {
  if (!translation.ok) throw new Error(`unexpected problem: ${translation.problem}`);
  return translation.events;
}

/** The one event of line n. */
function only(perLine: RuntimeEvent[][], n: number): RuntimeEvent {
  const found = perLine[n - 1] ?? [];
  expect(found, `line ${n}`).toHaveLength(1);
  return found[0] as RuntimeEvent;
}

const RESPONSE_LINES = [1, 3, 5, 24, 28, 31, 36, 37, 38];

describe("the Codex bridge maps the transcript", () => {
  it("turns every notification and server request into one event, in the reference's vocabulary", async () => {
    const perLine = await translateAll();
    const types = perLine.map((found, index) => [index + 1, found.map((event) => event.type)]);
    expect(types).toEqual([
      [1, []],
      [2, ["codex/skills/changed"]],
      [3, []],
      [4, ["thread.started"]],
      [5, []],
      [6, ["turn.started"]],
      [7, ["item.started"]],
      [8, ["item.completed"]],
      [9, ["item.started"]],
      [10, ["content.delta"]],
      [11, ["content.delta"]],
      [12, ["content.delta"]],
      [13, ["item.completed"]],
      [14, ["item.started"]],
      [15, ["request.opened"]],
      [16, ["thread.state.changed"]],
      [17, ["request.resolved"]],
      [18, ["thread.state.changed"]],
      [19, ["content.delta"]],
      [20, ["item.completed"]],
      [21, ["thread.token-usage.updated"]],
      [22, ["turn.completed"]],
      [23, ["thread.state.changed"]],
      [24, []],
      [25, ["turn.started"]],
      [26, ["item.started"]],
      [27, ["content.delta"]],
      [28, []],
      [29, ["item.completed"]],
      [30, ["turn.completed"]],
      [31, []],
      [32, ["turn.started"]],
      [33, ["runtime.warning"]],
      [34, ["runtime.error"]],
      [35, ["turn.completed"]],
      [36, []],
      [37, []],
      [38, []],
      [39, ["turn.started"]],
      [40, ["item.started"]],
      [41, ["request.opened"]],
      [42, ["request.resolved"]],
      [43, ["item.completed"]],
      [44, ["user-input.requested"]],
      [45, ["user-input.resolved"]],
      [46, ["turn.completed"]],
    ]);
  });

  it("produces events the service accepts, each with the bridge's thread, provider codex and the raw message", async () => {
    for (const [index, found] of (await translateAll()).entries()) {
      for (const event of found) {
        expect(RuntimeEventSchema.safeParse(event).error, `line ${index + 1}`).toBeUndefined();
        const params = JSON.parse(line(index + 1)).params;
        expect(event).toMatchObject({ provider: "codex", threadId: THREAD, raw: { payload: params } });
      }
    }
  });

  it("carries the source, method and params in raw, as the reference does", async () => {
    const perLine = await translateAll();
    expect(only(perLine, 15).raw).toEqual({
      source: "codex.app-server.request",
      method: "item/commandExecution/requestApproval",
      payload: JSON.parse(line(15)).params,
    });
    expect(only(perLine, 6).raw).toMatchObject({ source: "codex.app-server.notification", method: "turn/started" });
  });

  it("takes turn and item ids from the message, and Codex's thread id into thread.started", async () => {
    const perLine = await translateAll();
    expect(only(perLine, 4).payload).toEqual({ providerThreadId: CODEX_THREAD });
    expect(only(perLine, 6)).toMatchObject({
      turnId: TURN.completed,
      providerRefs: { providerTurnId: TURN.completed },
    });
    expect(only(perLine, 10)).toMatchObject({
      turnId: TURN.completed,
      itemId: "msg_1",
      payload: { streamKind: "assistant_text", delta: "Running the tests" },
    });
    expect(only(perLine, 14)).toMatchObject({ itemId: "call_1", payload: { itemType: "commandExecution" } });
    expect(only(perLine, 27).payload).toEqual({
      streamKind: "reasoning_summary_text",
      delta: "Looking for the slow test",
      summaryIndex: 0,
    });
  });

  it("reports usage as T3 Code's snapshot: running totals, the last call's window, the thread's model", async () => {
    const perLine = await translateAll();
    // Line 21's tokenUsage (total = last: 5,200 tokens, 4,800 of them input with 1,024 cached; window 272,000),
    // and the model line 3 answered thread/start with.
    expect(only(perLine, 21).payload).toEqual({
      model: "gpt-5.1-codex",
      usage: {
        usedTokens: 5_200,
        totalProcessedTokens: 5_200,
        maxTokens: 272_000,
        inputTokens: 4_800,
        cachedInputTokens: 1_024,
        cacheCreationInputTokens: 0,
        outputTokens: 300,
        reasoningOutputTokens: 100,
        lastUsedTokens: 5_200,
        lastInputTokens: 4_800,
        lastCachedInputTokens: 1_024,
        lastCacheCreationInputTokens: 0,
        lastOutputTokens: 300,
        lastReasoningOutputTokens: 100,
        accountingStatus: "provider-reported",
      },
    });
    // Without the thread's start, no model is named; the raw report stays in `raw`.
    const alone = await translateAll([line(21)]);
    expect(only(alone, 1).payload).not.toHaveProperty("model");
    expect(only(alone, 1).raw?.payload).toMatchObject({ tokenUsage: { modelContextWindow: 272_000 } });
  });

  it("settles each turn with its Codex status, a failure with its message", async () => {
    const perLine = await translateAll();
    expect(only(perLine, 22)).toMatchObject({ turnId: TURN.completed, payload: { state: "completed" } });
    expect(only(perLine, 30)).toMatchObject({ turnId: TURN.interrupted, payload: { state: "interrupted" } });
    expect(only(perLine, 35)).toMatchObject({
      turnId: TURN.failed,
      payload: { state: "failed", errorMessage: "You've hit your usage limit. Try again later." },
    });
  });

  it("warns of an error Codex retries, and reports the one it does not as a usage limit", async () => {
    const perLine = await translateAll();
    expect(only(perLine, 33)).toMatchObject({
      turnId: TURN.failed,
      payload: { message: "stream disconnected before completion: Transport error" },
    });
    expect(only(perLine, 34)).toMatchObject({
      turnId: TURN.failed,
      payload: { message: "You've hit your usage limit. Try again later.", class: "usage_limit" },
    });
  });

  it("opens an approval with its request type and command, and a question with its questions", async () => {
    const perLine = await translateAll();
    expect(only(perLine, 15).payload).toEqual({ requestType: "command_execution_approval", detail: "npm test" });
    expect(only(perLine, 41).payload).toEqual({ requestType: "file_change_approval", detail: "Fix the sign in sum()" });
    expect(only(perLine, 44).payload).toMatchObject({
      requestType: "tool_user_input",
      questions: [{ id: "next", question: "Commit the fix?" }],
    });
  });
});

describe("the Codex bridge derives every field from the input", () => {
  it("translates the transcript twice into identical events", async () => {
    expect(await translateAll()).toEqual(await translateAll());
  });

  it("translates overlapping calls as it translates them one by one", async () => {
    const bridge = createCodexBridge({ threadId: THREAD });
    const together = (await Promise.all(lines.map((text) => bridge.translate(text)))).map(events);
    expect(together).toEqual(await translateAll());
  });

  it("gives byte-identical lines distinct eventIds, numbered by occurrence", async () => {
    expect(line(11)).toBe(line(12));
    const perLine = await translateAll();
    const [first, second] = [only(perLine, 11).eventId, only(perLine, 12).eventId];
    expect(first).toMatch(/^codex-[A-Za-z0-9_-]{43}-1$/);
    expect(second).toBe(first.replace(/-1$/, "-2"));
    const all = perLine.flat().map((event) => event.eventId);
    expect(new Set(all).size).toBe(all.length);
  });

  it("gives another thread's session other eventIds for the same lines", async () => {
    const other = createCodexBridge({ threadId: "session-43" });
    const mine = only(await translateAll(), 6).eventId;
    await other.translate(line(4));
    expect(events(await other.translate(line(6)))[0]?.eventId).not.toBe(mine);
  });

  it("dates an event by its message's own time: a turn's seconds, an item's or a request's milliseconds", async () => {
    const perLine = await translateAll();
    expect(only(perLine, 4).createdAt).toBe(at(0));
    expect(only(perLine, 6).createdAt).toBe(at(5));
    expect(only(perLine, 9).createdAt).toBe(at(6.2));
    expect(only(perLine, 15).createdAt).toBe(at(7.05));
    expect(only(perLine, 22).createdAt).toBe(at(21));
  });

  it("dates a message without a time by the last time seen before it, and the first ones by the epoch", async () => {
    const perLine = await translateAll();
    expect(only(perLine, 2).createdAt).toBe(UNKNOWN_TIME);
    expect(UNKNOWN_TIME).toBe("1970-01-01T00:00:00.000Z");
    for (const n of [10, 11, 12]) expect(only(perLine, n).createdAt).toBe(at(6.2));
    expect(only(perLine, 17).createdAt).toBe(at(7.05));
    expect(only(perLine, 23).createdAt).toBe(at(21));
  });
});

describe("the Codex bridge scopes server requests", () => {
  it("keeps the ids of two app-server processes apart, though both start at 0", async () => {
    const perLine = await translateAll();
    expect(only(perLine, 15)).toMatchObject({
      requestId: `${TURN.completed}:0`,
      providerRefs: { providerRequestId: "0" },
    });
    expect(only(perLine, 41)).toMatchObject({
      requestId: `${TURN.secondProcess}:0`,
      providerRefs: { providerRequestId: "0" },
    });
    expect(only(perLine, 44).requestId).toBe(`${TURN.secondProcess}:1`);
  });

  it("resolves the request of its own process, though the two resolutions are byte-identical", async () => {
    expect(line(17)).toBe(line(42));
    const perLine = await translateAll();
    expect(only(perLine, 17)).toMatchObject({ requestId: `${TURN.completed}:0`, turnId: TURN.completed });
    expect(only(perLine, 42)).toMatchObject({ requestId: `${TURN.secondProcess}:0`, turnId: TURN.secondProcess });
    expect(only(perLine, 45)).toMatchObject({ type: "user-input.resolved", requestId: `${TURN.secondProcess}:1` });
  });

  it("scopes a request outside any turn by the app-server processes seen so far", async () => {
    const bridge = createCodexBridge({ threadId: THREAD });
    const elicitation = JSON.stringify({
      id: 3,
      method: "mcpServer/elicitation/request",
      params: { threadId: CODEX_THREAD, turnId: null, serverName: "docs", mode: "url", message: "Sign in", url: "x" },
    });
    const before = events(await bridge.translate(elicitation))[0];
    await bridge.translate(line(1));
    const after = events(await bridge.translate(elicitation))[0];
    expect([before?.requestId, after?.requestId]).toEqual(["process-0:3", "process-1:3"]);
    expect(after?.type).toBe("user-input.requested");
  });

  it('tells the number 7 from the string "7"', async () => {
    const bridge = createCodexBridge({ threadId: THREAD });
    const request = (id: number | string) =>
      JSON.stringify({ id, method: "item/tool/call", params: { threadId: CODEX_THREAD, turnId: "t", callId: "c" } });
    const ids = [events(await bridge.translate(request(7)))[0], events(await bridge.translate(request("7")))[0]];
    expect(ids.map((event) => [event?.type, event?.requestId])).toEqual([
      ["codex/item/tool/call", "t:7"],
      ["codex/item/tool/call", 't:"7"'],
    ]);
  });
});

describe("the Codex bridge reads only JSON-RPC messages", () => {
  it("makes no event of a response to the client's own requests", async () => {
    const perLine = await translateAll();
    for (const n of RESPONSE_LINES) {
      expect(JSON.parse(line(n))).not.toHaveProperty("method");
      expect(perLine[n - 1], `line ${n}`).toEqual([]);
    }
    expect(perLine.flat()).toHaveLength(lines.length - RESPONSE_LINES.length);
  });

  it.each([
    ["not JSON", "{not json"],
    ["an array", "[1,2]"],
    ["neither a method nor an id", '{"params":{}}'],
    ["a method that is not a string", '{"method":5}'],
    ["params that are not an object", '{"method":"turn/started","params":[1]}'],
    ["a request id that is an object", '{"id":{},"method":"item/tool/call","params":{}}'],
    ["hostile nesting", `{"method":"x","params":${"[".repeat(10_000)}${"]".repeat(10_000)}}`],
  ])("reports a line that is %s as a problem and reads on unchanged", async (_, garbage) => {
    const bridge = createCodexBridge({ threadId: THREAD });
    const perLine: RuntimeEvent[][] = [];
    for (const text of lines) {
      const problem = await bridge.translate(garbage);
      expect(problem.ok).toBe(false);
      if (!problem.ok) expect(problem.problem).not.toBe("");
      perLine.push(events(await bridge.translate(text)));
    }
    expect(perLine).toEqual(await translateAll());
  });

  it("makes nothing of a blank line", async () => {
    expect(await createCodexBridge({ threadId: THREAD }).translate("  \r")).toEqual({ ok: true, events: [] });
  });

  it("never throws, whatever the line", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json()), async (text) => {
        const translation = await createCodexBridge({ threadId: THREAD }).translate(text);
        for (const event of translation.ok ? translation.events : []) {
          expect(RuntimeEventSchema.safeParse(event).success).toBe(true);
        }
      }),
    );
  });
});

describe("the Codex bridge keeps within the service's bounds", () => {
  it("copies the service's bounds", () => {
    expect(MAX_PARAMS_DEPTH + 2).toBeLessThanOrEqual(MAX_PAYLOAD_DEPTH);
    const error = (message: string) => ({ type: "runtime.error", payload: { message } });
    const base = { eventId: "e", provider: "codex", threadId: THREAD, createdAt: UNKNOWN_TIME };
    expect(RuntimeEventSchema.safeParse({ ...base, ...error("x".repeat(MAX_TEXT_LENGTH)) }).success).toBe(true);
    // Longer lifecycle text is accepted and clipped by the projection to the same bound the bridge clips to.
    expect(MAX_TEXT_LENGTH).toBe(MAX_LIFECYCLE_TEXT_LENGTH);
    const turn = (length: number) => ({ ...base, type: "turn.started", turnId: "t".repeat(length) });
    expect(RuntimeEventSchema.safeParse(turn(MAX_ID_LENGTH)).success).toBe(true);
    expect(RuntimeEventSchema.safeParse(turn(MAX_ID_LENGTH + 1)).success).toBe(false);
  });

  it("clips a message longer than the service stores", async () => {
    const error = { message: "e".repeat(MAX_TEXT_LENGTH + 10) };
    const text = JSON.stringify({ method: "error", params: { error, willRetry: false, threadId: "c", turnId: "t" } });
    const [event] = events(await createCodexBridge({ threadId: THREAD }).translate(text));
    expect(event?.payload?.message).toHaveLength(MAX_TEXT_LENGTH);
    expect(RuntimeEventSchema.safeParse(event).success).toBe(true);
  });

  it("leaves out params too large or too deep to store, and still maps the message", async () => {
    const deep = JSON.parse(`${"[".repeat(MAX_PARAMS_DEPTH + 5)}${"]".repeat(MAX_PARAMS_DEPTH + 5)}`);
    const big = "x".repeat(200_000);
    const turn = { id: "t-1", items: [{ type: "agentMessage", id: "m", text: big }], status: "completed" };
    const bridge = createCodexBridge({ threadId: THREAD });
    const [large] = events(await bridge.translate(JSON.stringify({ method: "turn/completed", params: { turn } })));
    const [nested] = events(await bridge.translate(JSON.stringify({ method: "fs/changed", params: { deep } })));
    expect(large).toMatchObject({ type: "turn.completed", turnId: "t-1", payload: { state: "completed" } });
    expect(large?.raw?.payload).toEqual({ omitted: expect.stringContaining("characters") });
    expect(nested?.raw?.payload).toEqual({ omitted: expect.stringContaining("deeper") });
    for (const event of [large, nested]) expect(RuntimeEventSchema.safeParse(event).success).toBe(true);
  });

  it("stores a mapped method whose params lack what the mapping needs as-is", async () => {
    const text = JSON.stringify({ method: "turn/started", params: { threadId: CODEX_THREAD, turn: {} } });
    const [event] = events(await createCodexBridge({ threadId: THREAD }).translate(text));
    expect(event).toMatchObject({ type: "codex/turn/started" });
    expect(event).not.toHaveProperty("turnId");
    expect(event).not.toHaveProperty("payload");
  });
});
