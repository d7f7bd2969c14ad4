/**
 * Which runtime event each Codex app-server method becomes (after T3 Code's CodexAdapter, `mapToRuntimeEvents`).
 * A method missing here, or whose params lack what its mapping needs, is stored as-is (see `asIs` in codex.ts).
 */
import { clip, pick, record, text } from "./common.ts";
import type { Params } from "./json-rpc.ts";

/** Type, payload and (for a resolution) the request it settles; the envelope is added by the bridge. */
export interface Draft {
  type: string;
  payload: Record<string, unknown>;
}

/** What an open server request waits for: a person's decision, a person's answer, or a program (stored as-is). */
export type RequestKind = "approval" | "user-input" | "other";

/** `stored` is `params` as the event keeps them (too large or deep ones are replaced by a note). */
type NotificationMapper = (params: Params, stored: Record<string, unknown>) => Draft | null;

const draft = (type: string, payload: Record<string, unknown> = {}): Draft => ({ type, payload });

const contentDelta =
  (streamKind: string): NotificationMapper =>
  (params) => {
    const delta = text(params.delta);
    if (delta === null) return null;
    const indexes = pick(params, ["summaryIndex", "contentIndex"]);
    return draft("content.delta", { streamKind, delta: clip(delta), ...indexes });
  };

const threadState =
  (state: string): NotificationMapper =>
  () =>
    draft("thread.state.changed", { state });

/** Notifications whose params are already the payload; only the name changes. */
const renamed =
  (type: string): NotificationMapper =>
  (_params, stored) =>
    draft(type, stored);

const NOTIFICATIONS: Readonly<Record<string, NotificationMapper>> = {
  "thread/started": (params) => {
    const providerThreadId = text(record(params.thread)?.id);
    return providerThreadId === null ? null : draft("thread.started", { providerThreadId });
  },
  "thread/status/changed": (params) => {
    const status = text(record(params.status)?.type);
    return status === null ? null : draft("thread.state.changed", { state: THREAD_STATES[status] ?? status });
  },
  "thread/archived": threadState("archived"),
  "thread/unarchived": threadState("active"),
  "thread/closed": threadState("closed"),
  "thread/compacted": threadState("compacted"),
  "thread/name/updated": (params) => draft("thread.metadata.updated", { name: text(params.threadName) }),
  "turn/started": (params) => (text(record(params.turn)?.id) === null ? null : draft("turn.started")),
  "turn/completed": (params) => {
    const turn = record(params.turn);
    if (turn === null || text(turn.id) === null) return null;
    const errorMessage = text(record(turn.error)?.message);
    const state = TURN_STATES[text(turn.status) ?? ""] ?? "completed";
    return draft("turn.completed", errorMessage === null ? { state } : { state, errorMessage: clip(errorMessage) });
  },
  "turn/plan/updated": (_params, stored) => draft("turn.plan.updated", pick(stored, ["explanation", "plan"])),
  "turn/diff/updated": (params) => draft("turn.diff.updated", { unifiedDiff: clip(text(params.diff) ?? "") }),
  "item/started": (params) => itemLifecycle("item.started", params),
  "item/completed": (params) => itemLifecycle("item.completed", params),
  "item/agentMessage/delta": contentDelta("assistant_text"),
  "item/reasoning/textDelta": contentDelta("reasoning_text"),
  "item/reasoning/summaryTextDelta": contentDelta("reasoning_summary_text"),
  "item/commandExecution/outputDelta": contentDelta("command_output"),
  "item/fileChange/outputDelta": contentDelta("file_change_output"),
  "item/plan/delta": (params) => {
    const delta = text(params.delta);
    return delta === null ? null : draft("turn.proposed.delta", { delta: clip(delta) });
  },
  error: (params) => {
    const error = record(params.error);
    const message = text(error?.message);
    if (message === null) return null;
    if (params.willRetry === true) return draft("runtime.warning", { message: clip(message) });
    const usageLimit = error?.codexErrorInfo === "usageLimitExceeded";
    return draft("runtime.error", { message: clip(message), class: usageLimit ? "usage_limit" : "provider_error" });
  },
  "model/rerouted": renamed("model.rerouted"),
  configWarning: renamed("config.warning"),
  deprecationNotice: renamed("deprecation.notice"),
  "account/updated": renamed("account.updated"),
  "account/rateLimits/updated": renamed("account.rate-limits.updated"),
  "mcpServer/oauthLogin/completed": renamed("mcp.oauth.completed"),
  "mcpServer/startupStatus/updated": renamed("mcp.status.updated"),
  "hook/started": renamed("hook.started"),
  "hook/completed": renamed("hook.completed"),
  "item/mcpToolCall/progress": renamed("tool.progress"),
};

/** `ThreadStatus.type` → `thread.state.changed` state; an unknown status is passed on as it is spelled. */
const THREAD_STATES: Readonly<Record<string, string>> = {
  idle: "idle",
  active: "active",
  systemError: "error",
  notLoaded: "closed",
};

/** Codex `TurnStatus` → `RuntimeTurnState`; anything else (`inProgress`, a new status) completes, as in the reference. */
const TURN_STATES: Readonly<Record<string, string>> = {
  completed: "completed",
  interrupted: "interrupted",
  failed: "failed",
};

/** Server requests that wait for a person open a pending request; the others are stored as-is. */
const REQUESTS: Readonly<Record<string, { kind: Exclude<RequestKind, "other">; requestType: string }>> = {
  "item/commandExecution/requestApproval": { kind: "approval", requestType: "command_execution_approval" },
  "item/fileChange/requestApproval": { kind: "approval", requestType: "file_change_approval" },
  "item/permissions/requestApproval": { kind: "approval", requestType: "permissions_approval" },
  execCommandApproval: { kind: "approval", requestType: "exec_command_approval" },
  applyPatchApproval: { kind: "approval", requestType: "apply_patch_approval" },
  "item/tool/requestUserInput": { kind: "user-input", requestType: "tool_user_input" },
  "mcpServer/elicitation/request": { kind: "user-input", requestType: "mcp_elicitation" },
};

/** null: store the notification as-is. */
/**
 * Codex's `thread/tokenUsage/updated` (`tokenUsage: {total, last, modelContextWindow}`, openai/codex app-server
 * protocol v2 `ThreadTokenUsage`) as T3 Code's `ThreadTokenUsageSnapshot`: `total` gives the running totals,
 * `last.totalTokens` of `modelContextWindow` the context window in use; `model` is the one the thread was started
 * with (Codex's report names none). The raw params stay in the event's `raw`.
 */
export function tokenUsageDraft(params: Params, model: string | null): Draft | null {
  const usage = record(params.tokenUsage);
  const total = record(usage?.total);
  if (usage === null || total === null) return null;
  const last = record(usage.last);
  const figures = (breakdown: Record<string, unknown> | null, prefix: "" | "last") => {
    const name = (field: string) => (prefix === "" ? field : `last${field[0]?.toUpperCase()}${field.slice(1)}`);
    return Object.fromEntries(
      Object.entries({
        usedTokens: breakdown?.totalTokens,
        inputTokens: breakdown?.inputTokens,
        cachedInputTokens: breakdown?.cachedInputTokens,
        cacheCreationInputTokens: breakdown?.cacheWriteInputTokens,
        outputTokens: breakdown?.outputTokens,
        reasoningOutputTokens: breakdown?.reasoningOutputTokens,
      }).flatMap(([field, value]) => (isCount(value) ? [[name(field), value]] : [])),
    );
  };
  const window = usage.modelContextWindow;
  const snapshot = {
    ...figures(total, ""),
    // The context in use is the last call's, never the lifetime total.
    usedTokens: isCount(last?.totalTokens) ? last.totalTokens : isCount(total.totalTokens) ? total.totalTokens : 0,
    ...(isCount(total.totalTokens) ? { totalProcessedTokens: total.totalTokens } : {}),
    ...(isCount(window) && window > 0 ? { maxTokens: window } : {}),
    ...figures(last, "last"),
    accountingStatus: "provider-reported",
  };
  return draft("thread.token-usage.updated", { usage: snapshot, ...(model === null ? {} : { model }) });
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

export function mapNotification(method: string, params: Params, stored: Record<string, unknown>): Draft | null {
  return Object.hasOwn(NOTIFICATIONS, method) ? (NOTIFICATIONS[method]?.(params, stored) ?? null) : null;
}

export function requestKind(method: string): RequestKind {
  return Object.hasOwn(REQUESTS, method) ? (REQUESTS[method]?.kind ?? "other") : "other";
}

/** null: store the request as-is (it waits for a program, not a person). */
export function mapRequest(method: string, params: Params, stored: Record<string, unknown>): Draft | null {
  const request = Object.hasOwn(REQUESTS, method) ? REQUESTS[method] : undefined;
  if (request === undefined) return null;
  const type = request.kind === "approval" ? "request.opened" : "user-input.requested";
  const detail = text(params.command) ?? text(params.reason) ?? text(params.message);
  return draft(type, {
    requestType: request.requestType,
    ...(detail === null ? {} : { detail: clip(detail) }),
    ...pick(stored, ["questions"]),
  });
}

/** `serverRequest/resolved` settles what its request opened, by kind; an unknown request resolves as an approval. */
export function resolution(kind: RequestKind | null): Draft {
  return draft(kind === "user-input" ? "user-input.resolved" : "request.resolved");
}

function itemLifecycle(type: string, params: Params): Draft | null {
  const item = record(params.item);
  if (item === null || text(item.id) === null) return null;
  return draft(type, { itemType: text(item.type), ...pick(item, ["status"]) });
}
