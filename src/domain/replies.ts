/** Shapes of what the service answers; the OpenAPI document and the TypeScript types both come from these. */
import { z } from "zod";
import { RuntimeEventSchema } from "./events.ts";
import { IGNORE_REASONS, OUTCOMES } from "./projection.ts";
import { SESSION_STATUSES } from "./session.ts";

const isoTime = z.string().describe("ISO 8601 time");

export const SessionViewSchema = z.object({
  threadId: z.string(),
  status: z.enum(SESSION_STATUSES),
  providerName: z.string().nullable(),
  activeTurnId: z.string().nullable().describe("non-null only while status is starting or running"),
  lastError: z.string().nullable(),
  updatedAt: isoTime.nullable().describe("createdAt of the last applied lifecycle event (provider clock)"),
  lastEventAt: isoTime.nullable().describe("server receive time of the last accepted event"),
  eventCount: z.int(),
  lastSeq: z.int(),
  reapAt: isoTime.nullable().describe("next idle reap or turn expiry"),
  reapedAt: isoTime.nullable(),
  reapReason: z.enum(["idle"]).nullable(),
  storageBytes: z.int().describe("size of the session's SQLite storage (log, projection, outbox)"),
  notification: z
    .object({
      id: z.string().describe("the webhook-id"),
      type: z.string(),
      state: z.enum(["pending", "delivered", "failed"]),
      attempts: z.int(),
      lastError: z.string().nullable(),
    })
    .nullable(),
});
export type SessionView = z.infer<typeof SessionViewSchema>;

export const EventResultSchema = z.object({
  eventId: z.string(),
  seq: z.int().describe("the event's place in the log; for a duplicate, the place of the stored original"),
  outcome: z.enum([...OUTCOMES, "duplicate"]),
  reason: z.enum(IGNORE_REASONS).optional(),
});
export type EventResult = z.infer<typeof EventResultSchema>;

export const IngestReplySchema = z.object({ session: SessionViewSchema, results: z.array(EventResultSchema) });
export type IngestReply = z.infer<typeof IngestReplySchema>;

export const EventPageSchema = z.object({
  events: z.array(
    z.object({
      seq: z.int(),
      receivedAt: isoTime,
      origin: z.enum(["provider", "service"]).describe("service: written by the reaper or the turn watchdog"),
      outcome: z.enum(OUTCOMES),
      reason: z.enum(IGNORE_REASONS).optional(),
      event: RuntimeEventSchema,
    }),
  ),
  nextAfter: z.int().nullable().describe("pass as ?after= for the next page; null at the end of the log"),
});
export type EventPage = z.infer<typeof EventPageSchema>;
