/**
 * Provider usage reports, untrusted JSON, read into the one `UsageObservation` shape of usage.ts. A number that is not
 * finite or is negative counts as not reported; nothing here throws; null when a report carries nothing usable.
 */
import type { ContextWindowReport, CostConfidence, ReportedTokens, UsageObservation } from "./usage.ts";

export interface ReportContext {
  /** The model, when the report does not name it (Codex's `tokenUsage` never does). */
  model?: string | null;
  /** What makes a per-call or per-turn report unique (the event id, the turn id): it is counted once per key. */
  key?: string | null;
}

/**
 * T3 Code's `thread.token-usage.updated` payload, `{ usage: ThreadTokenUsageSnapshot }` (pingdotgg/t3code,
 * packages/contracts/src/providerRuntime.ts): `inputTokens`… are running totals, `last*` one call's (counted, by
 * `context.key`, only when no total is given), `usedTokens` of `maxTokens` the context window. Its `cost` is taken
 * only when `source` is `"provider"`: a figure T3 priced itself is priced again here, from one table.
 */
export function fromT3TokenUsage(payload: unknown, context: ReportContext = {}): UsageObservation | null {
  const usage = record(record(payload)?.usage) ?? record(payload);
  if (usage === null) return null;
  const cacheRead = count(usage.cacheReadInputTokens) ?? count(usage.cachedInputTokens);
  const cacheCreation = count(usage.cacheCreationInputTokens);
  const uncached = count(usage.uncachedInputTokens);
  const totals = reported({
    inputTokens:
      count(usage.inputTokens) ?? (uncached === null ? null : uncached + (cacheRead ?? 0) + (cacheCreation ?? 0)),
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheCreation,
    outputTokens: count(usage.outputTokens),
    reasoningOutputTokens: count(usage.reasoningOutputTokens),
  });
  const last = reported({
    inputTokens: count(usage.lastInputTokens),
    cacheReadInputTokens: count(usage.lastCacheReadInputTokens) ?? count(usage.lastCachedInputTokens),
    cacheCreationInputTokens: count(usage.lastCacheCreationInputTokens),
    outputTokens: count(usage.lastOutputTokens),
    reasoningOutputTokens: count(usage.lastReasoningOutputTokens),
  });
  const key = context.key ?? null;
  const cost = record(usage.cost);
  const usd = cost?.source === "provider" && cost.currency === "USD" ? amount(cost.totalCostUsd) : null;
  return observation({
    model: context.model ?? text(cost?.model),
    totals,
    increment: totals === null && last !== null && key !== null ? { key, tokens: last } : null,
    providerCost: usd === null ? null : { usd, confidence: confidence(cost?.confidence) ?? "high" },
    contextWindow: window(count(usage.usedTokens) ?? count(usage.lastUsedTokens), count(usage.maxTokens)),
  });
}

/**
 * T3 Code's `turn.completed` payload: `modelUsage` (per model, running totals), `totalCostUsd` (running cost) and
 * `usage` (the turn's own, counted once per turn id), as Claude's `result` gives them.
 */
export function fromTurnCompleted(
  payload: unknown,
  turnId: string | null,
  context: ReportContext = {},
): UsageObservation | null {
  const fields = record(payload);
  if (fields === null) return null;
  const key = turnId === null ? null : `turn:${turnId}`;
  return fromResultFields(fields.usage, fields.modelUsage, fields.totalCostUsd, key, context.model ?? null);
}

/**
 * Claude's `result` message (anthropics/claude-agent-sdk, sdk.d.ts `SDKResultMessage`), or this service's bridge
 * payload made from it (`totalCostUsd` for `total_cost_usd`). `total_cost_usd` and `modelUsage` run across the turns
 * of a process (read the latest, never add them up); `usage` is the main loop's of this turn, counted once by
 * `context.key` or the message's `uuid`.
 */
export function fromClaudeResult(message: unknown, context: ReportContext = {}): UsageObservation | null {
  const fields = record(message);
  if (fields === null) return null;
  const key = context.key ?? (text(fields.uuid) === null ? null : `result:${text(fields.uuid)}`);
  const cost = fields.total_cost_usd ?? fields.totalCostUsd;
  return fromResultFields(fields.usage, fields.modelUsage, cost, key, context.model ?? null);
}

function fromResultFields(
  usage: unknown,
  modelUsage: unknown,
  totalCostUsd: unknown,
  key: string | null,
  model: string | null,
): UsageObservation | null {
  const models = Object.entries(record(modelUsage) ?? {}).flatMap(([name, value]) => {
    const entry = record(value);
    return entry === null ? [] : [{ name, entry }];
  });
  const totals = models.length === 0 ? null : sumReported(models.map(({ entry }) => modelUsageTokens(entry)));
  const turnTokens = claudeTokens(record(usage));
  const costs = models.map(({ entry }) => amount(entry.costUSD));
  const usd = amount(totalCostUsd) ?? (costs.length > 0 && costs.every((c) => c !== null) ? sum(costs) : null);
  const only = models.length === 1 ? models[0] : undefined;
  return observation({
    model: model ?? only?.name ?? null,
    totals,
    increment: turnTokens === null || key === null ? null : { key, tokens: turnTokens },
    providerCost: usd === null ? null : { usd, confidence: "high" },
    contextWindow: window(null, only === undefined ? null : count(only.entry.contextWindow)),
  });
}

/**
 * Claude's `assistant` message (or the API message inside it): its `message.usage`, counted once per `message.id`,
 * since the blocks of one response come as several messages sharing the id. A subagent's message (a
 * `parent_tool_use_id`) counts, but its prompt is not the session's context window.
 */
export function fromClaudeAssistant(message: unknown, context: ReportContext = {}): UsageObservation | null {
  const outer = record(message);
  const inner = record(outer?.message) ?? outer;
  const id = text(inner?.id);
  const tokens = claudeTokens(record(inner?.usage));
  if (id === null || tokens === null) return null;
  const subagent = text(outer?.parent_tool_use_id) !== null;
  return observation({
    model: text(inner?.model) ?? context.model ?? null,
    totals: null,
    increment: { key: `claude-message:${id}`, tokens },
    providerCost: null,
    contextWindow: subagent ? null : window((tokens.inputTokens ?? 0) + (tokens.outputTokens ?? 0), null),
  });
}

/**
 * Codex app-server's `thread/tokenUsage/updated` (openai/codex, app-server protocol v2): `tokenUsage.total` runs
 * across the thread and feeds the totals; `tokenUsage.last`, the latest call, sets the context window
 * (`last.totalTokens` of `modelContextWindow`). Takes the notification's params or `tokenUsage` itself.
 */
export function fromCodexTokenUsage(value: unknown, context: ReportContext = {}): UsageObservation | null {
  const usage = record(record(value)?.tokenUsage) ?? record(value);
  if (usage === null) return null;
  const total = record(usage.total ?? usage.total_token_usage);
  const last = record(usage.last ?? usage.last_token_usage);
  const maxTokens = count(usage.modelContextWindow ?? usage.model_context_window);
  return observation({
    model: context.model ?? null,
    totals: total === null ? null : codexTokens(total),
    increment: null,
    providerCost: null,
    contextWindow: window(last === null ? null : count(last.totalTokens ?? last.total_tokens), maxTokens),
  });
}

/**
 * ACP's `session/update` of kind `usage_update` (agentclientprotocol schema `UsageUpdate`): `used` of `size` is the
 * context window, `cost.amount` the session's running cost, taken only in USD (it may be credits).
 */
export function fromAcpUsageUpdate(update: unknown, context: ReportContext = {}): UsageObservation | null {
  const fields = record(record(update)?.update) ?? record(update);
  if (fields === null) return null;
  const cost = record(fields.cost);
  const usd = text(cost?.currency)?.toUpperCase() === "USD" ? amount(cost?.amount) : null;
  return observation({
    model: context.model ?? null,
    totals: null,
    increment: null,
    providerCost: usd === null ? null : { usd, confidence: "high" },
    contextWindow: window(count(fields.used), count(fields.size)),
  });
}

/**
 * A `thread.token-usage.updated` payload as this service's bridges store it, whatever its provider: a T3 snapshot,
 * Codex's `tokenUsage`, an ACP `usage_update` or the Claude bridge's result figures. ACP's prompt `usage` is not
 * read: agents disagree on whether it is the turn's, the last call's or the session's.
 */
export function fromTokenUsagePayload(payload: unknown, context: ReportContext = {}): UsageObservation | null {
  const usage = record(record(payload)?.usage);
  if (usage === null) return null;
  if ("usedTokens" in usage) return fromT3TokenUsage(usage, context);
  // The Claude bridge's report of one assistant message: `{message: {id, usage, model}, parent_tool_use_id}`.
  if (record(usage.message) !== null) return fromClaudeAssistant(usage, context);
  if (record(usage.total) !== null) return fromCodexTokenUsage(usage, context);
  if (usage.sessionUpdate === "usage_update" || ("used" in usage && "size" in usage))
    return fromAcpUsageUpdate(usage, context);
  if ("modelUsage" in usage || "totalCostUsd" in usage) return fromClaudeResult(usage, context);
  return null;
}

/** Anthropic's usage: `input_tokens` leaves out the cache reads and writes, which the ledger's input includes. */
function claudeTokens(usage: Record<string, unknown> | null): ReportedTokens | null {
  if (usage === null) return null;
  const uncached = count(usage.input_tokens);
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheCreation = count(usage.cache_creation_input_tokens);
  const anyInput = uncached !== null || cacheRead !== null || cacheCreation !== null;
  return reported({
    inputTokens: anyInput ? (uncached ?? 0) + (cacheRead ?? 0) + (cacheCreation ?? 0) : null,
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheCreation,
    outputTokens: count(usage.output_tokens),
    reasoningOutputTokens: null,
  });
}

/** Claude's `ModelUsage`: `inputTokens` without the cache, `thinkingTokens` inside `outputTokens`. */
function modelUsageTokens(entry: Record<string, unknown>): ReportedTokens | null {
  const uncached = count(entry.inputTokens);
  const cacheRead = count(entry.cacheReadInputTokens);
  const cacheCreation = count(entry.cacheCreationInputTokens);
  return reported({
    inputTokens: uncached === null ? null : uncached + (cacheRead ?? 0) + (cacheCreation ?? 0),
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheCreation,
    outputTokens: count(entry.outputTokens),
    reasoningOutputTokens: count(entry.thinkingTokens),
  });
}

/** Codex's `TokenUsageBreakdown`: `inputTokens` includes the cached ones, `outputTokens` the reasoning. */
function codexTokens(breakdown: Record<string, unknown>): ReportedTokens | null {
  return reported({
    inputTokens: count(breakdown.inputTokens ?? breakdown.input_tokens),
    cacheReadInputTokens: count(breakdown.cachedInputTokens ?? breakdown.cached_input_tokens),
    cacheCreationInputTokens: count(breakdown.cacheWriteInputTokens ?? breakdown.cache_write_input_tokens),
    outputTokens: count(breakdown.outputTokens ?? breakdown.output_tokens),
    reasoningOutputTokens: count(breakdown.reasoningOutputTokens ?? breakdown.reasoning_output_tokens),
  });
}

type MaybeTokens = { [Kind in keyof Required<ReportedTokens>]: number | null };

/** The kinds reported, or null when none is. */
function reported(tokens: MaybeTokens): ReportedTokens | null {
  const kinds = Object.entries(tokens).filter((entry): entry is [string, number] => entry[1] !== null);
  return kinds.length === 0 ? null : (Object.fromEntries(kinds) as ReportedTokens);
}

/** Several models' running totals as one: a kind is reported if any model reports it. */
function sumReported(reports: readonly (ReportedTokens | null)[]): ReportedTokens | null {
  const summed: Record<string, number> = {};
  for (const report of reports)
    for (const [kind, value] of Object.entries(report ?? {})) summed[kind] = (summed[kind] ?? 0) + value;
  return Object.keys(summed).length === 0 ? null : (summed as ReportedTokens);
}

function observation(fields: UsageObservation): UsageObservation | null {
  const empty =
    fields.totals === null &&
    fields.increment === null &&
    fields.providerCost === null &&
    fields.contextWindow === null;
  return empty ? null : fields;
}

function window(used: number | null, max: number | null): ContextWindowReport | null {
  return used === null && max === null ? null : { used, max };
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim().length > 0 ? value : null;
}

/** Past MAX_SAFE_INTEGER a figure is not credible, and sums of it could overflow to a non-JSON Infinity. */
function amount(value: unknown): number | null {
  return typeof value === "number" && value >= 0 && value <= Number.MAX_SAFE_INTEGER ? value : null;
}

/** Tokens are whole: a fraction is cut, as T3 Code does. */
function count(value: unknown): number | null {
  const figure = amount(value);
  return figure === null ? null : Math.floor(figure);
}

function confidence(value: unknown): CostConfidence | null {
  return value === "exact" || value === "high" || value === "medium" || value === "low" ? value : null;
}

function sum(values: readonly (number | null)[]): number {
  return values.reduce<number>((total, value) => total + (value ?? 0), 0);
}
