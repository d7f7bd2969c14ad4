/** The tenant directory: one summary per session, listed newest activity first, and its change stream. */
import { z } from "zod";
import { pageSizeParam } from "./query-params.ts";
import { SessionViewSchema } from "./replies.ts";
import { SESSION_STATUSES } from "./vocabulary.ts";

export const SessionSummarySchema = SessionViewSchema.pick({
  threadId: true,
  status: true,
  providerName: true,
  activeTurnId: true,
  lastError: true,
  lastEventAt: true,
  deadline: true,
  pendingRequests: true,
  health: true,
  tasks: true,
  limitResetsAt: true,
  attention: true,
})
  .extend({
    costUsd: z
      .number()
      .nullable()
      .describe("the session's cost when the directory was last told (at a turn's end, or every 30 s while it grows)"),
  })
  .meta({
    id: "SessionSummary",
    description: "a session as the directory lists it; lastEventAt and deadline may lag by up to 30 s",
  });
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

export const MAX_DIRECTORY_PAGE = 200;

const flag = z
  .enum(["true", "false"])
  .optional()
  .transform((value) => value === "true");

export const DirectoryQuerySchema = z.object({
  status: z
    .union([z.enum(SESSION_STATUSES), z.array(z.enum(SESSION_STATUSES))])
    .optional()
    // Each value once: repeats select nothing more.
    .transform((value) => (value === undefined ? [] : [...new Set(Array.isArray(value) ? value : [value])])),
  active: flag.describe("only sessions that are starting or running"),
  attention: flag.describe("only sessions that need a person: approvals or questions pending, or stalled"),
  health: z.enum(["stalled"]).optional().describe("only sessions whose turn has stalled (`health.state`)"),
  tasks: z.enum(["running"]).optional().describe("only sessions with a background task running"),
  limited: flag.describe("only sessions held by a provider usage limit until `limitResetsAt`"),
  limit: pageSizeParam(MAX_DIRECTORY_PAGE, 50),
  cursor: z.string().max(512).optional().describe("nextCursor of the previous page"),
});
export type DirectoryQuery = z.infer<typeof DirectoryQuerySchema>;

export const DirectoryPageSchema = z
  .object({
    sessions: z.array(SessionSummarySchema),
    nextCursor: z.string().nullable(),
    version: z.int().describe("the directory's version when read: resume its stream after it"),
  })
  .meta({ id: "DirectoryPage" });
export type DirectoryPage = z.infer<typeof DirectoryPageSchema>;

export const DirectoryMessageSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("upsert"), version: z.int(), session: SessionSummarySchema }),
    z.object({ type: z.literal("remove"), version: z.int(), threadId: z.string() }),
    z.object({ type: z.literal("synchronized"), version: z.int() }),
    z.object({ type: z.literal("reset"), version: z.int() }),
  ])
  .meta({ id: "DirectoryMessage" });
export type DirectoryMessage = z.infer<typeof DirectoryMessageSchema>;

/** What a session's update or removal got from its directory (an RPC reply): a failure is data, not a throw. */
export type DirectoryWrite = { ok: true; version: number } | { ok: false; error: string };
