/**
 * Usage on the wire beyond the session view: a session's turns (`GET /v1/sessions/{threadId}/turns`) and the
 * tenant's rollups (`GET /v1/usage`). docs/usage.md says how each figure is made.
 */
import { z } from "zod";
import { MAX_USAGE_ROWS } from "./limits.ts";
import { pageSizeParam } from "./query-params.ts";
import { EpochSchema } from "./replies.ts";
import { USAGE_DIMENSIONS, type UsageDimension } from "./vocabulary.ts";

const tokenCount = z.int().min(0);

/** Tokens by kind (T3 Code's names) and their cost: a turn's, or a rollup row's. */
export const UsageFiguresSchema = z
  .object({
    inputTokens: tokenCount,
    cachedInputTokens: tokenCount,
    cacheCreationInputTokens: tokenCount,
    cacheReadInputTokens: tokenCount,
    outputTokens: tokenCount,
    reasoningOutputTokens: tokenCount,
    costUsd: z.number().nullable().describe("null when some of the tokens have no price: unknown, never 0"),
  })
  .meta({ id: "UsageFigures" });
export type UsageFigures = z.infer<typeof UsageFiguresSchema>;

export const TURN_ENDS = ["running", "completed", "failed", "interrupted", "cancelled", "expired", "stopped"] as const;
export type TurnEnd = (typeof TURN_ENDS)[number];

export const TurnViewSchema = z
  .object({
    turnId: z.string(),
    startedAt: z.iso.datetime().describe("server receive time of the turn's start"),
    endedAt: z.iso.datetime().nullable().describe("null while it runs"),
    state: z
      .enum(TURN_ENDS)
      .describe("how it ended: the provider's turn state, expired by the service, stopped with the session"),
    durationMs: z.int().min(0).describe("start to end, or to now while it runs"),
    waitingMs: z.int().min(0).describe("time in the turn with an approval or a question pending: a person's time"),
    usage: UsageFiguresSchema.describe("what the turn added to the session's usage"),
  })
  .meta({ id: "TurnView" });
export type TurnView = z.infer<typeof TurnViewSchema>;

export const MAX_TURNS_PAGE = 500;

export const TurnsQuerySchema = z.object({
  limit: pageSizeParam(MAX_TURNS_PAGE, 50).describe("the latest turns, oldest first"),
});

export const TurnsReplySchema = z
  .object({ threadId: z.string(), epoch: EpochSchema, turns: z.array(TurnViewSchema) })
  .meta({ id: "Turns" });
export type TurnsReply = z.infer<typeof TurnsReplySchema>;

export { MAX_USAGE_ROWS, USAGE_DIMENSIONS, type UsageDimension };

const day = z.iso.date().describe("a UTC day, YYYY-MM-DD");

export const UsageQuerySchema = z
  .object({
    from: day.optional().describe("the first day (default: 29 days before `to`)"),
    to: day.optional().describe("the last day, inclusive (default: today, UTC)"),
    groupBy: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .transform((value, context) => {
        const names = (Array.isArray(value) ? value : [value ?? "day"]).flatMap((part) => part.split(","));
        const unknown = names.filter((name) => !(USAGE_DIMENSIONS as readonly string[]).includes(name));
        if (unknown.length > 0) {
          context.addIssue({
            code: "custom",
            message: `groupBy takes ${USAGE_DIMENSIONS.join(", ")}, not ${unknown.join(", ")}`,
          });
          return z.NEVER;
        }
        // Each once, in the order of USAGE_DIMENSIONS: day, provider, model, thread.
        return USAGE_DIMENSIONS.filter((dimension) => names.includes(dimension));
      })
      .meta({
        type: "string",
        description: "comma-separated: day, provider, model, thread (default day)",
        example: "day,provider",
      }),
    format: z.enum(["json", "csv"]).optional().describe("csv: the rows as text/csv, a header line first"),
    limit: pageSizeParam(MAX_USAGE_ROWS, 1_000).describe("rows at most"),
  })
  .meta({ id: "UsageQuery" });

/** One row of a tenant's usage: the dimensions asked for, then the figures summed over them. */
export const UsageRowSchema = UsageFiguresSchema.extend({
  day: z.iso.date().optional().describe("UTC day the usage arrived"),
  provider: z.string().optional(),
  model: z.string().nullable().optional().describe("null: the provider named none"),
  threadId: z.string().optional(),
  knownCostUsd: z.number().describe("the part of the cost that is known; all of it when unpricedTokens is 0"),
  unpricedTokens: tokenCount.describe("tokens in the row that have no price"),
  sessions: z.int().min(0).describe("sessions with usage in the row"),
}).meta({ id: "UsageRow" });
export type UsageRow = z.infer<typeof UsageRowSchema>;

export const UsageReplySchema = z
  .object({
    from: z.iso.date(),
    to: z.iso.date().describe("inclusive"),
    groupBy: z.array(z.enum(USAGE_DIMENSIONS)),
    rows: z
      .array(UsageRowSchema)
      .describe("ordered by the dimensions, days ascending; thread rows by cost, highest first"),
    totals: UsageRowSchema.omit({ day: true, provider: true, model: true, threadId: true }),
  })
  .meta({ id: "UsageReport" });
export type UsageReply = z.infer<typeof UsageReplySchema>;
