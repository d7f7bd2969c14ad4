/**
 * The webhooks this service sends (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` headers,
 * a JSON body of `type`, `timestamp`, `data`), as the OpenAPI document's `webhooks` section describes them.
 */
import { z } from "zod";
import { PendingRequestsSchema } from "./replies.ts";

const subject = {
  tenant: z.string(),
  threadId: z.string(),
  seq: z.int().describe("the seq of the log entry the notification is about"),
};

/** Fields of the service's own log entry (`turn.expired`, `session.reaped`) that every such notification carries. */
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
  z.object({ ...serviceEntry, reason: z.literal("stale-turn"), silentForSeconds: z.int() }),
  "TurnExpiredWebhook",
  "a running turn went silent and was interrupted by the watchdog",
);

export const SessionAttentionWebhookSchema = envelope(
  "session.attention",
  z.object({ ...subject, activeTurnId: z.string().nullable(), pendingRequests: PendingRequestsSchema }),
  "SessionAttentionWebhook",
  "something now waits for a person: sent when the session goes from nothing pending to something",
);
