/**
 * The webhooks this service sends (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` headers,
 * a JSON body of `type`, `timestamp`, `data`), as the OpenAPI document's `webhooks` section describes them.
 */
import { z } from "zod";
import { PendingRequestsSchema } from "./replies.ts";
import { ATTENTION_REASONS } from "./vocabulary.ts";

const subject = {
  tenant: z.string(),
  threadId: z.string(),
  seq: z.int().describe("the seq of the log entry the notification is about"),
};

/** Fields of the service's own log entry (`turn.expired`, `session.reaped`, `session.limit-reset`) its notification carries. */
const serviceEntry = {
  ...subject,
  turnId: z.string().nullable(),
  provider: z.string().describe("the session's provider, or provider-sessions when none spoke"),
};

const envelope = <Type extends string, Data extends z.ZodType>(
  type: Type,
  data: Data,
  id: string,
  description: string,
) =>
  z
    .object({
      type: z.literal(type),
      timestamp: z.iso.datetime().describe("when the event happened (server time)"),
      data,
    })
    .meta({ id, description });

export const SessionReapedWebhookSchema = envelope(
  "session.reaped",
  z.object({ ...serviceEntry, reason: z.literal("idle"), idleForSeconds: z.int() }),
  "SessionReapedWebhook",
  "an idle session was stopped by the reaper",
);

export const TurnExpiredWebhookSchema = envelope(
  "turn.expired",
  z.union([
    z.object({ ...serviceEntry, reason: z.literal("stale-turn"), silentForSeconds: z.int() }),
    z.object({
      ...serviceEntry,
      reason: z.literal("request-timeout"),
      waitedForSeconds: z.int().describe("how long the oldest pending request waited for an answer"),
    }),
  ]),
  "TurnExpiredWebhook",
  "a running turn went silent (stale-turn) or waited too long for a person (request-timeout) and was expired",
);

export const SessionAttentionWebhookSchema = envelope(
  "session.attention",
  z.object({
    ...subject,
    reason: z
      .enum(ATTENTION_REASONS)
      .describe("pending-request: nothing was pending and now something is; stall: the session stalled"),
    activeTurnId: z.string().nullable(),
    pendingRequests: PendingRequestsSchema,
  }),
  "SessionAttentionWebhook",
  "a person is now needed: sent once per edge (a first pending request, a stall), never per event",
);

export const SessionLimitResetWebhookSchema = envelope(
  "session.limit-reset",
  z.object({
    ...serviceEntry,
    limitResetsAt: z.iso.datetime().describe("the reset time the provider's usage limit named"),
  }),
  "SessionLimitResetWebhook",
  "the provider's usage limit has reset: the orchestrator can resume the session",
);

export const UsageThresholdWebhookSchema = envelope(
  "usage.threshold",
  z.union([
    z.object({
      tenant: z.string(),
      scope: z.literal("session"),
      threadId: z.string(),
      seq: z.int().describe("the seq of the log entry whose usage crossed it"),
      thresholdUsd: z.number().describe("USAGE_ALERT_USD"),
      costUsd: z.number().describe("the session's known cost after the crossing"),
      unpricedTokens: z.int().describe("tokens without a price, not in costUsd"),
      model: z.string().nullable(),
      provider: z.string().nullable(),
    }),
    z.object({
      tenant: z.string(),
      scope: z.literal("tenant-day"),
      day: z.iso.date().describe("the UTC day"),
      thresholdUsd: z.number().describe("TENANT_DAILY_ALERT_USD"),
      costUsd: z.number().describe("the tenant's known cost of the day after the crossing"),
      unpricedTokens: z.int(),
    }),
  ]),
  "UsageThresholdWebhook",
  "a cost crossed its alert threshold: a session's (USAGE_ALERT_USD) or a tenant's day (TENANT_DAILY_ALERT_USD); once per crossing",
);
