/** Shapes of what the service answers; the OpenAPI document and the TypeScript types both come from these. */
import { z } from "zod";
import { RuntimeEventSchema } from "./events.ts";
import {
  ATTENTION_REASONS,
  DEADLINE_ACTIONS,
  DELIVERY_STATES,
  EVENT_ORIGINS,
  HEALTH_SOURCES,
  HEALTH_STATES,
  IGNORE_REASONS,
  OUTCOMES,
  REAP_REASONS,
  RESULT_OUTCOMES,
  SESSION_STATUSES,
} from "./vocabulary.ts";

const serverTime = z.iso.datetime().describe("server time, ISO 8601");

export const DeadlineSchema = z
  .object({ action: z.enum(DEADLINE_ACTIONS), at: serverTime })
  .meta({ id: "Deadline", description: "what the session's alarm will do next, and when" });

export const PendingRequestsSchema = z
  .object({
    approvals: z.int().describe("open approval requests (request.opened not yet resolved)"),
    userInputs: z.int().describe("open questions to the user (user-input.requested not yet resolved)"),
    oldestOpenedAt: serverTime.nullable().describe("server receive time of the oldest open request; null if none"),
  })
  .meta({
    id: "PendingRequests",
    description:
      "what waits for a person; a turn's requests end with the turn, the others when the session is ready or stops",
  });
export type PendingRequestsView = z.infer<typeof PendingRequestsSchema>;

export const HealthSchema = z
  .object({
    state: z.enum(HEALTH_STATES),
    since: serverTime.describe("when it became so: for stalled, when the last sign of life came"),
    source: z
      .enum(HEALTH_SOURCES)
      .describe("provider: its session.health said so; service: no event for STALL_AFTER_SECONDS, or one after that"),
  })
  .meta({
    id: "SessionHealth",
    description: "whether a busy session shows signs of life; null until anything is known",
  });
export type HealthView = z.infer<typeof HealthSchema>;

export const TasksSchema = z
  .object({
    running: z.int().describe("background tasks started (task.started, task.progress, task.updated) and not ended"),
    backgrounded: z.int().describe("of those, the ones task.updated marked isBackgrounded"),
    oldestStartedAt: serverTime.nullable().describe("server receive time of the oldest running task's first event"),
  })
  .meta({
    id: "Tasks",
    description: "background tasks: a running one keeps the session from being idle-reaped until it ends or expires",
  });
export type TasksView = z.infer<typeof TasksSchema>;

export const DeniedToolsSchema = z
  .object({
    turn: z.int().describe("tool.denied events since the current (or last) turn started"),
    session: z.int().describe("tool.denied events in the session's life"),
  })
  .meta({ id: "DeniedTools" });

export const NotificationViewSchema = z
  .object({
    id: z.string().describe("the webhook-id"),
    type: z.string(),
    state: z.enum(DELIVERY_STATES),
    attempts: z.int(),
    lastError: z.string().nullable(),
  })
  .meta({ id: "NotificationState", description: "the latest webhook notification and its delivery" });

const tokenCount = z.int().min(0);

export const UsageViewSchema = z
  .object({
    inputTokens: tokenCount.describe("input tokens, cached ones included"),
    cachedInputTokens: tokenCount.describe("input tokens read from the cache (OpenAI's name; = cacheReadInputTokens)"),
    cacheCreationInputTokens: tokenCount.describe("input tokens written to the cache"),
    cacheReadInputTokens: tokenCount.describe("input tokens read from the cache (Anthropic's name)"),
    outputTokens: tokenCount.describe("output tokens, reasoning included"),
    reasoningOutputTokens: tokenCount,
    contextWindow: z
      .object({ used: tokenCount, max: tokenCount.nullable() })
      .nullable()
      .describe("the last call's tokens in the model's window, not the lifetime total"),
    costUsd: z.number().nullable().describe("null when any of the tokens has no price: unknown, never 0"),
    cost: z
      .object({
        source: z.enum(["provider", "builtin-pricing", "not-priced"]),
        confidence: z.enum(["exact", "high", "medium", "low"]),
        pricingVersion: z.string().nullable().describe("the price table's package and version that priced it"),
        model: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({
    id: "Usage",
    description:
      "tokens and cost of the session: provider totals taken (never added), each provider session's kept, priced once when reported (docs/usage.md)",
  });
export type UsageViewWire = z.infer<typeof UsageViewSchema>;

/** Tells apart two lives of one threadId: minted when a session's first event is stored. */
export const EpochSchema = z
  .string()
  .describe("this life of the threadId: minted with its first stored event, new if it is deleted and begun again");

export const SessionViewSchema = z
  .object({
    threadId: z.string(),
    epoch: EpochSchema.describe("this life of the threadId; resume a log or a stream with <epoch>:<seq>"),
    status: z.enum(SESSION_STATUSES),
    providerName: z.string().nullable(),
    activeTurnId: z.string().nullable().describe("non-null only while status is starting or running"),
    lastError: z.string().nullable(),
    providerUpdatedAt: z
      .string()
      .nullable()
      .describe("createdAt of the last applied lifecycle event, on the provider's clock (display only)"),
    lastEventAt: serverTime.nullable().describe("server receive time of the last accepted event"),
    eventCount: z.int(),
    lastSeq: z.int(),
    pendingRequests: PendingRequestsSchema,
    health: HealthSchema.nullable(),
    tasks: TasksSchema,
    limitResetsAt: serverTime
      .nullable()
      .describe("when a provider usage limit (runtime.error class usage_limit) resets; no idle reap before it"),
    deniedTools: DeniedToolsSchema,
    exitKind: z.enum(["error"]).nullable().describe("error: the provider session exited non-gracefully"),
    stderrTail: z
      .string()
      .nullable()
      .describe("the end of the provider's stderr at a non-graceful exit (4,096 at most)"),
    usage: UsageViewSchema.nullable().describe("null until a provider reports usage"),
    attention: z
      .array(z.enum(ATTENTION_REASONS))
      .describe("why a person is needed: an approval or a question is pending, or the session stalled; empty if not"),
    deadline: DeadlineSchema.nullable(),
    reapedAt: serverTime.nullable(),
    reapReason: z.enum(REAP_REASONS).nullable(),
    storageBytes: z
      .int()
      .describe("size of the session's SQLite storage (log, projection, outbox), read at most once a second"),
    notification: NotificationViewSchema.nullable(),
  })
  .meta({ id: "SessionView" });
export type SessionView = z.infer<typeof SessionViewSchema>;

export const EventResultSchema = z
  .object({
    eventId: z.string(),
    seq: z.int().describe("the event's place in the log; for a duplicate, the place of the stored original"),
    outcome: z.enum(RESULT_OUTCOMES),
    reason: z.enum(IGNORE_REASONS).optional(),
  })
  .meta({ id: "EventResult" });
export type EventResult = z.infer<typeof EventResultSchema>;

export const IngestReplySchema = z
  .object({ session: SessionViewSchema, results: z.array(EventResultSchema) })
  .meta({ id: "IngestReply" });
export type IngestReply = z.infer<typeof IngestReplySchema>;

export const LogEntryViewSchema = z
  .object({
    seq: z.int(),
    receivedAt: serverTime,
    origin: z.enum(EVENT_ORIGINS).describe("service: written by the reaper or the turn watchdog"),
    outcome: z.enum(OUTCOMES),
    reason: z.enum(IGNORE_REASONS).optional(),
    event: RuntimeEventSchema,
  })
  .meta({ id: "LogEntry" });
export type LogEntryView = z.infer<typeof LogEntryViewSchema>;

export const EventPageSchema = z
  .object({
    epoch: EpochSchema,
    events: z.array(LogEntryViewSchema),
    nextAfter: z
      .int()
      .nullable()
      .describe("pass as ?after=<epoch>:<nextAfter> for the next page; null at the end of the log"),
  })
  .meta({ id: "EventPage" });
export type EventPage = z.infer<typeof EventPageSchema>;
