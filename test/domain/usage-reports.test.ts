import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fromAcpUsageUpdate,
  fromClaudeAssistant,
  fromClaudeResult,
  fromCodexTokenUsage,
  fromT3TokenUsage,
  fromTokenUsagePayload,
  fromTurnCompleted,
} from "../../src/domain/usage-reports.ts";

describe("T3 Code's thread.token-usage.updated", () => {
  it("reads the running totals, the context window and a provider's cost", () => {
    const observation = fromT3TokenUsage({
      usage: {
        usedTokens: 42_000,
        maxTokens: 200_000,
        inputTokens: 90_000,
        cachedInputTokens: 60_000,
        cacheCreationInputTokens: 5_000,
        outputTokens: 3_000,
        reasoningOutputTokens: 800,
        lastInputTokens: 40_000,
        cost: { currency: "USD", totalCostUsd: 1.25, source: "provider", confidence: "exact", components: [] },
      },
    });
    expect(observation).toEqual({
      model: null,
      totals: {
        inputTokens: 90_000,
        cacheReadInputTokens: 60_000,
        cacheCreationInputTokens: 5_000,
        outputTokens: 3_000,
        reasoningOutputTokens: 800,
      },
      increment: null,
      providerCost: { usd: 1.25, confidence: "exact" },
      contextWindow: { used: 42_000, max: 200_000 },
    });
  });

  it("prices again a cost T3 priced itself, and builds the input from its parts when only they are given", () => {
    const observation = fromT3TokenUsage(
      {
        usage: {
          usedTokens: 10,
          uncachedInputTokens: 100,
          cacheReadInputTokens: 50,
          cost: { currency: "USD", totalCostUsd: 9, source: "builtin-pricing", confidence: "high", model: "gpt-5" },
        },
      },
      { model: "gpt-5-codex" },
    );
    expect(observation).toMatchObject({
      model: "gpt-5-codex",
      totals: { inputTokens: 150, cacheReadInputTokens: 50 },
      providerCost: null,
    });
  });

  it("counts a snapshot's last call once by its key when it gives no running total", () => {
    const payload = { usage: { usedTokens: 500, lastInputTokens: 400, lastOutputTokens: 100 } };
    expect(fromT3TokenUsage(payload, { key: "event-7" })?.increment).toEqual({
      key: "event-7",
      tokens: { inputTokens: 400, outputTokens: 100 },
    });
    expect(fromT3TokenUsage(payload)?.increment).toBeNull();
  });

  it("ignores figures that are not finite non-negative numbers", () => {
    const observation = fromT3TokenUsage({
      usage: {
        usedTokens: -1,
        inputTokens: Number.NaN,
        outputTokens: "12",
        reasoningOutputTokens: 1e300,
        maxTokens: 8,
      },
    });
    expect(observation).toEqual({
      model: null,
      totals: null,
      increment: null,
      providerCost: null,
      contextWindow: { used: null, max: 8 },
    });
  });
});

describe("turn.completed and Claude's result", () => {
  const modelUsage = {
    "claude-opus-4-7": {
      inputTokens: 10,
      outputTokens: 2_000,
      cacheReadInputTokens: 30_000,
      cacheCreationInputTokens: 4_000,
      thinkingTokens: 500,
      costUSD: 0.5,
      contextWindow: 200_000,
    },
  };

  it("reads modelUsage as running totals with the cache inside the input, and totalCostUsd as the running cost", () => {
    const observation = fromTurnCompleted(
      {
        state: "completed",
        usage: { input_tokens: 4, output_tokens: 700, cache_read_input_tokens: 9_000 },
        modelUsage,
        totalCostUsd: 0.75,
      },
      "turn-3",
    );
    expect(observation).toEqual({
      model: "claude-opus-4-7",
      totals: {
        inputTokens: 34_010,
        cacheReadInputTokens: 30_000,
        cacheCreationInputTokens: 4_000,
        outputTokens: 2_000,
        reasoningOutputTokens: 500,
      },
      increment: { key: "turn:turn-3", tokens: { inputTokens: 9_004, cacheReadInputTokens: 9_000, outputTokens: 700 } },
      providerCost: { usd: 0.75, confidence: "high" },
      contextWindow: { used: null, max: 200_000 },
    });
  });

  it("adds up the models of a result, and their costs when total_cost_usd is missing", () => {
    const observation = fromClaudeResult({
      type: "result",
      uuid: "u-1",
      modelUsage: {
        ...modelUsage,
        "claude-haiku-4-5": { inputTokens: 100, outputTokens: 10, cacheReadInputTokens: 0, costUSD: 0.25 },
      },
      usage: { input_tokens: 1, output_tokens: 1 },
    });
    expect(observation).toMatchObject({
      model: null,
      totals: { inputTokens: 34_110, outputTokens: 2_010, reasoningOutputTokens: 500 },
      increment: { key: "result:u-1" },
      providerCost: { usd: 0.75 },
      contextWindow: null,
    });
  });

  it("reads the Claude bridge's payload, its costs named in camel case", () => {
    const observation = fromTokenUsagePayload(
      { usage: { usage: null, modelUsage, totalCostUsd: 0.5, costSource: "provider" } },
      { key: "event-1" },
    );
    expect(observation).toMatchObject({ totals: { outputTokens: 2_000 }, providerCost: { usd: 0.5 }, increment: null });
  });
});

describe("Claude's assistant messages", () => {
  const assistant = {
    type: "assistant",
    parent_tool_use_id: null,
    message: {
      id: "msg_01",
      model: "claude-sonnet-4-6",
      usage: {
        input_tokens: 3,
        cache_creation_input_tokens: 1_000,
        cache_read_input_tokens: 20_000,
        output_tokens: 90,
      },
    },
  };

  it("counts a message's usage once by its id, and takes its prompt as the context window", () => {
    expect(fromClaudeAssistant(assistant)).toEqual({
      model: "claude-sonnet-4-6",
      totals: null,
      increment: {
        key: "claude-message:msg_01",
        tokens: {
          inputTokens: 21_003,
          cacheReadInputTokens: 20_000,
          cacheCreationInputTokens: 1_000,
          outputTokens: 90,
        },
      },
      providerCost: null,
      contextWindow: { used: 21_093, max: null },
    });
    expect(fromClaudeAssistant(assistant.message)?.increment?.key).toBe("claude-message:msg_01");
  });

  it("counts a subagent's message without taking its prompt as the session's context window", () => {
    const subagent = fromClaudeAssistant({ ...assistant, parent_tool_use_id: "toolu_1" });
    expect(subagent?.increment?.tokens.outputTokens).toBe(90);
    expect(subagent?.contextWindow).toBeNull();
  });

  it("reads nothing from a message without an id or a usage", () => {
    expect(fromClaudeAssistant({ type: "assistant", message: { usage: assistant.message.usage } })).toBeNull();
    expect(fromClaudeAssistant({ type: "assistant", message: { id: "msg_02" } })).toBeNull();
  });
});

describe("Codex's thread/tokenUsage/updated", () => {
  const tokenUsage = {
    total: {
      totalTokens: 61_000,
      inputTokens: 60_000,
      cachedInputTokens: 48_000,
      outputTokens: 1_000,
      reasoningOutputTokens: 400,
    },
    last: {
      totalTokens: 12_500,
      inputTokens: 12_000,
      cachedInputTokens: 11_000,
      outputTokens: 500,
      reasoningOutputTokens: 200,
    },
    modelContextWindow: 272_000,
  };

  it("feeds the totals from total and the context window from the last call", () => {
    expect(fromCodexTokenUsage({ threadId: "t", turnId: "u", tokenUsage }, { model: "gpt-5-codex" })).toEqual({
      model: "gpt-5-codex",
      totals: { inputTokens: 60_000, cacheReadInputTokens: 48_000, outputTokens: 1_000, reasoningOutputTokens: 400 },
      increment: null,
      providerCost: null,
      contextWindow: { used: 12_500, max: 272_000 },
    });
  });

  it("reads the bridge's payload, a window left null, and the snake-case names of the older event", () => {
    expect(fromTokenUsagePayload({ usage: { ...tokenUsage, modelContextWindow: null } })?.contextWindow).toEqual({
      used: 12_500,
      max: null,
    });
    const older = { total_token_usage: { input_tokens: 7, cached_input_tokens: 2, output_tokens: 1 } };
    expect(fromCodexTokenUsage(older)?.totals).toEqual({ inputTokens: 7, cacheReadInputTokens: 2, outputTokens: 1 });
  });
});

describe("ACP's usage_update", () => {
  it("reads the context window and a running cost in USD", () => {
    const update = {
      sessionUpdate: "usage_update",
      used: 53_000,
      size: 200_000,
      cost: { amount: 0.045, currency: "USD" },
    };
    expect(fromAcpUsageUpdate({ sessionId: "s", update })).toEqual({
      model: null,
      totals: null,
      increment: null,
      providerCost: { usd: 0.045, confidence: "high" },
      contextWindow: { used: 53_000, max: 200_000 },
    });
    expect(fromTokenUsagePayload({ usage: update })?.providerCost?.usd).toBe(0.045);
  });

  it("takes no cost counted in another unit", () => {
    const update = { sessionUpdate: "usage_update", used: 1, size: 2, cost: { amount: 3, currency: "credits" } };
    expect(fromAcpUsageUpdate(update)?.providerCost).toBeNull();
  });

  it("does not read a prompt's usage, whose meaning differs from agent to agent", () => {
    expect(fromTokenUsagePayload({ usage: { totalTokens: 10, inputTokens: 8, outputTokens: 2 } })).toBeNull();
  });
});

describe("untrusted payloads", () => {
  const readers = [
    fromT3TokenUsage,
    (value: unknown) => fromTurnCompleted(value, "turn"),
    fromClaudeResult,
    fromClaudeAssistant,
    fromCodexTokenUsage,
    fromAcpUsageUpdate,
    fromTokenUsagePayload,
  ];

  it("never throw, and give only whole non-negative token counts and finite costs", () => {
    const shaped = fc.record({
      usage: fc.anything(),
      message: fc.record({ id: fc.string(), usage: fc.dictionary(fc.string(), fc.anything()) }),
      tokenUsage: fc.record({ total: fc.dictionary(fc.string(), fc.anything()), last: fc.anything() }),
      modelUsage: fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.oneof(fc.double(), fc.anything()))),
      totalCostUsd: fc.oneof(fc.double(), fc.anything()),
      cost: fc.anything(),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), shaped), (payload) => {
        for (const read of readers) {
          const observation = read(payload);
          if (observation === null) continue;
          const counts = [
            ...Object.values(observation.totals ?? {}),
            ...Object.values(observation.increment?.tokens ?? {}),
            observation.contextWindow?.used ?? 0,
            observation.contextWindow?.max ?? 0,
          ];
          for (const value of counts) expect(Number.isSafeInteger(value) && value >= 0).toBe(true);
          const usd = observation.providerCost?.usd ?? 0;
          expect(Number.isFinite(usd) && usd >= 0).toBe(true);
        }
      }),
    );
  }, 20_000);
});
