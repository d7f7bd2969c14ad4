/**
 * Every event type of the reference contract is accepted and stored as sent. The fixtures are built from the shapes
 * of T3 Code's packages/contracts/src/providerRuntime.ts at commit 006fa4cad0c176f10b28a221bb8547e8d6c98746 (its
 * newest revision: the 49 types of ProviderRuntimeEventType plus `tool.denied`, which only the union lists), one per
 * type, each payload with the fields that file's payload schema names, required and optional.
 */
import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import type { EventPage, IngestReply } from "../../src/contracts/replies.ts";
import { api, json, newThreadId } from "../support/api.ts";
import { runtimeEvent } from "../support/events.ts";

/** `<type>: [payload, the schema in providerRuntime.ts it follows]`. */
const REFERENCE_FIXTURES: Record<string, [payload: Record<string, unknown>, shape: string]> = {
  "session.started": [{ message: "resumed", resume: { cursor: "c1" } }, "SessionStartedPayload"],
  "session.configured": [{ config: { model: "gpt-5", sandbox: "workspace-write" } }, "SessionConfiguredPayload"],
  "session.state.changed": [{ state: "waiting", reason: "approval", detail: { n: 1 } }, "SessionStateChangedPayload"],
  "session.exited": [
    { reason: "process exited", recoverable: false, exitKind: "error", stderrTail: "panic: out of memory\n" },
    "SessionExitedPayload",
  ],
  "session.health": [
    { state: "stalled", lastActivityAt: "2026-11-25T09:55:00.000Z", stalledForMs: 300_000 },
    "SessionHealthPayload",
  ],
  "thread.started": [{ providerThreadId: "native-thread-1" }, "ThreadStartedPayload"],
  "thread.state.changed": [{ state: "compacted", detail: { tokens: 12 } }, "ThreadStateChangedPayload"],
  "thread.metadata.updated": [{ name: "Fix the build", metadata: { tag: "ci" } }, "ThreadMetadataUpdatedPayload"],
  "thread.token-usage.updated": [
    {
      usage: {
        usedTokens: 1200,
        maxTokens: 200_000,
        inputTokens: 1000,
        outputTokens: 200,
        cost: {
          currency: "USD",
          totalCostUsd: 0.012,
          source: "builtin-pricing",
          confidence: "high",
          components: [{ category: "input", tokens: 1000, costUsd: 0.01 }],
        },
        accountingStatus: "estimated",
      },
    },
    "ThreadTokenUsageUpdatedPayload (ThreadTokenUsageSnapshot, ThreadUsageCostSnapshot)",
  ],
  "thread.realtime.started": [{ realtimeSessionId: "rt-1" }, "ThreadRealtimeStartedPayload"],
  "thread.realtime.item-added": [{ item: { type: "message", id: "i1" } }, "ThreadRealtimeItemAddedPayload"],
  "thread.realtime.audio.delta": [{ audio: "UklGRg==" }, "ThreadRealtimeAudioDeltaPayload"],
  "thread.realtime.error": [{ message: "socket closed" }, "ThreadRealtimeErrorPayload"],
  "thread.realtime.closed": [{ reason: "client hung up" }, "ThreadRealtimeClosedPayload"],
  "turn.started": [{ model: "gpt-5", effort: "high" }, "TurnStartedPayload"],
  "turn.completed": [
    {
      state: "completed",
      stopReason: null,
      usage: { input: 1 },
      modelUsage: { "gpt-5": { output: 2 } },
      totalCostUsd: 0.5,
    },
    "TurnCompletedPayload",
  ],
  "turn.aborted": [{ reason: "user pressed stop" }, "TurnAbortedPayload"],
  "turn.plan.updated": [
    { explanation: null, plan: [{ step: "read the code", status: "inProgress" }] },
    "TurnPlanUpdatedPayload",
  ],
  "turn.proposed.delta": [{ delta: "## Plan\n" }, "TurnProposedDeltaPayload"],
  "turn.proposed.completed": [{ planMarkdown: "## Plan\n1. Fix" }, "TurnProposedCompletedPayload"],
  "turn.diff.updated": [{ unifiedDiff: "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n" }, "TurnDiffUpdatedPayload"],
  "item.started": [{ itemType: "command_execution", status: "inProgress", title: "npm test" }, "ItemLifecyclePayload"],
  "item.updated": [{ itemType: "file_change", detail: "src/x.ts", data: { hunks: 1 } }, "ItemLifecyclePayload"],
  "item.completed": [{ itemType: "assistant_message", status: "completed" }, "ItemLifecyclePayload"],
  "content.delta": [
    { streamKind: "reasoning_summary_text", delta: "thinking", contentIndex: 0, summaryIndex: 1 },
    "ContentDeltaPayload",
  ],
  "request.opened": [
    { requestType: "apply_patch_approval", detail: "apply a patch", args: { files: 1 } },
    "RequestOpenedPayload",
  ],
  "request.resolved": [
    { requestType: "apply_patch_approval", decision: "accept", resolution: { ok: true } },
    "RequestResolvedPayload",
  ],
  "user-input.requested": [
    {
      questions: [
        {
          id: "q1",
          header: "Branch",
          question: "Which branch?",
          options: [{ label: "main", description: "the default branch" }],
          multiSelect: false,
        },
      ],
    },
    "UserInputRequestedPayload (UserInputQuestion)",
  ],
  "user-input.resolved": [{ answers: { q1: "main" } }, "UserInputResolvedPayload"],
  "task.started": [
    {
      taskId: "task-1",
      description: "run the test suite",
      taskType: "local_bash",
      subagentType: "tester",
      workflowName: "ci",
      toolUseId: "tu-1",
      model: "haiku",
      effort: "low",
    },
    "TaskStartedPayload",
  ],
  "task.progress": [
    {
      taskId: "task-1",
      description: "run the test suite",
      summary: "12 of 40",
      usage: { tokens: 5 },
      lastToolName: "Bash",
      subagentType: "tester",
      toolUseId: "tu-1",
    },
    "TaskProgressPayload",
  ],
  "task.updated": [
    {
      taskId: "task-1",
      status: "running",
      description: "run the test suite",
      isBackgrounded: true,
      endTime: 1795588084000,
      totalPausedMs: 0,
      model: "haiku",
    },
    "TaskUpdatedPayload",
  ],
  "task.completed": [
    { taskId: "task-1", status: "completed", summary: "40 passed", usage: { tokens: 9 }, outputFile: "/tmp/out.txt" },
    "TaskCompletedPayload",
  ],
  "hook.started": [{ hookId: "h1", hookName: "lint", hookEvent: "PreToolUse" }, "HookStartedPayload"],
  "hook.progress": [{ hookId: "h1", output: "…", stdout: "ok", stderr: "" }, "HookProgressPayload"],
  "hook.completed": [
    { hookId: "h1", outcome: "error", output: "", stdout: "", stderr: "lint failed", exitCode: 1 },
    "HookCompletedPayload",
  ],
  "tool.progress": [
    { toolUseId: "tu-1", toolName: "Bash", summary: "running", elapsedSeconds: 4.5 },
    "ToolProgressPayload",
  ],
  "tool.summary": [{ summary: "ran 3 commands", precedingToolUseIds: ["tu-1", "tu-2"] }, "ToolSummaryPayload"],
  "auth.status": [{ isAuthenticating: true, output: ["open the browser"], error: "expired" }, "AuthStatusPayload"],
  "account.updated": [{ account: { plan: "pro" } }, "AccountUpdatedPayload"],
  "account.rate-limits.updated": [
    { rateLimits: { primary: { usedPercent: 91, resetsAt: 1795600000 } } },
    "AccountRateLimitsUpdatedPayload",
  ],
  "mcp.status.updated": [{ status: { github: "connected" } }, "McpStatusUpdatedPayload"],
  "mcp.oauth.completed": [{ success: false, name: "github", error: "denied" }, "McpOauthCompletedPayload"],
  "model.rerouted": [{ fromModel: "opus", toModel: "sonnet", reason: "capacity" }, "ModelReroutedPayload"],
  "config.warning": [
    { summary: "unknown key", details: "ignored", path: "~/.codex/config.toml", range: { line: 3 } },
    "ConfigWarningPayload",
  ],
  "deprecation.notice": [{ summary: "v1 is going away", details: "use v2" }, "DeprecationNoticePayload"],
  "files.persisted": [
    { files: [{ filename: "a.png", fileId: "f1" }], failed: [{ filename: "b.png", error: "too large" }] },
    "FilesPersistedPayload",
  ],
  "tool.denied": [
    { toolName: "Bash", toolUseId: "tu-9", reason: "not allowed in plan mode", agentId: "a1" },
    "ToolDeniedPayload",
  ],
  "runtime.warning": [{ message: "retrying", detail: { attempt: 2 } }, "RuntimeWarningPayload"],
  "runtime.error": [
    {
      message: "You've hit your usage limit",
      class: "usage_limit",
      detail: {
        kind: "usage-limit",
        provider: "codex",
        resetsAt: "2026-11-25T15:00:00Z",
        resetsAtEpochSeconds: 1795618800,
      },
    },
    "RuntimeErrorPayload (RuntimeUsageLimitDetail)",
  ],
};

/** The reference's envelope with every optional field it names, so the whole event is held to "stored as sent". */
function referenceEvent(threadId: string, type: string, payload: Record<string, unknown>): RuntimeEvent {
  return {
    ...runtimeEvent(type, payload, { threadId, turnId: "turn-1", createdAt: "2026-11-25T10:00:00.000Z" }),
    providerInstanceId: "codex-main",
    itemId: "item-1",
    requestId: `req-${type}`,
    providerRefs: { providerTurnId: "native-turn", providerItemId: "native-item", providerRequestId: "native-req" },
    raw: { source: "codex.app-server.notification", method: type, payload: { any: [1, "two"] } },
  };
}

/** The provider events stored, in order (the service's own entries, such as a usage report's price, left out). */
async function storedEvents(threadId: string): Promise<RuntimeEvent[]> {
  const response = await api.events(threadId, "?limit=500");
  expect(response.status, await response.clone().text()).toBe(200);
  return (await json<EventPage>(response)).events
    .filter((entry) => entry.origin === "provider")
    .map((entry) => entry.event);
}

describe("the reference contract's events", () => {
  it("lists 50 types: the 49 of ProviderRuntimeEventType and tool.denied", () => {
    expect(Object.keys(REFERENCE_FIXTURES)).toHaveLength(50);
  });

  it("accepts each of them and stores it as sent", async () => {
    const threadId = newThreadId();
    const sent = Object.entries(REFERENCE_FIXTURES).map(([type, [payload]]) => referenceEvent(threadId, type, payload));
    const response = await api.post(threadId, sent);
    expect(response.status).toBe(200);
    const reply = await json<IngestReply>(response);
    expect(reply.results.map((result) => result.outcome)).not.toContain("duplicate");
    expect(await storedEvents(threadId)).toEqual(sent);
  });

  it.each(["2026-11-25T10:00Z", "2026-11-25T10:00:00", "1795588084000", "yesterday"])(
    "accepts a createdAt of %j and stores it as sent",
    async (createdAt) => {
      const threadId = newThreadId();
      const event = { ...referenceEvent(threadId, "session.started", {}), createdAt };
      const response = await api.post(threadId, event);
      expect(response.status).toBe(200);
      expect((await storedEvents(threadId))[0]?.createdAt).toBe(createdAt);
    },
  );

  it("accepts lifecycle text over 65,536 units, stores it whole and shows it clipped", async () => {
    const threadId = newThreadId();
    const message = "x".repeat(70_000);
    const event = referenceEvent(threadId, "runtime.error", { message, class: "provider_error" });
    const response = await api.post(threadId, event);
    expect(response.status).toBe(200);
    expect((await json<IngestReply>(response)).session.lastError).toHaveLength(65_536);
    expect((await storedEvents(threadId))[0]?.payload?.message).toBe(message);
  });
});
