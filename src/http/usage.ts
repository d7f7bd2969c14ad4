/**
 * Usage routes: a session's turns (`/v1/sessions/{threadId}/turns`) and the tenant's rollups (`/v1/usage`);
 * docs/usage.md says how each figure is made.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { DAY_MS, rangeStart, utcDay } from "../contracts/days.ts";
import {
  TurnsQuerySchema,
  TurnsReplySchema,
  UsageQuerySchema,
  type UsageReply,
  UsageReplySchema,
} from "../contracts/usage.ts";
import { usageCsv } from "../contracts/usage-csv.ts";
import type { AppEnv } from "./app-env.ts";
import { requireDecodablePath } from "./decodable-path.ts";
import { directoryOf } from "./directory.ts";
import { fail } from "./problem.ts";
import { problems } from "./route-docs.ts";
import { notFound, sessionOf, ThreadParams } from "./session-stub.ts";
import { validationHook } from "./validation.ts";

const turnsRoute = createRoute({
  operationId: "listSessionTurns",
  method: "get",
  path: "/v1/sessions/{threadId}/turns",
  tags: ["sessions"],
  summary: "A session's turns: their times, how each ended, a person's waiting time and the usage each added",
  security: [{ bearer: [] }],
  middleware: [requireDecodablePath] as const,
  request: { params: ThreadParams, query: TurnsQuerySchema },
  responses: {
    200: {
      description: "The latest turns, oldest first",
      content: { "application/json": { schema: TurnsReplySchema } },
    },
    ...problems(400, 401, 404, 422),
  },
});

const usageRoute = createRoute({
  operationId: "getUsage",
  method: "get",
  path: "/v1/usage",
  tags: ["usage"],
  summary: "The tenant's tokens and cost over a range of days, grouped by day, provider, model or thread",
  security: [{ bearer: [] }],
  request: { query: UsageQuerySchema },
  responses: {
    200: {
      description: "The rows and their totals (`format=csv`: the rows as CSV)",
      content: {
        "application/json": { schema: UsageReplySchema },
        "text/csv": { schema: z.string() },
      },
    },
    ...problems(400, 401, 403, 422),
  },
});

/** A report spans at most ten years of days (USAGE_RETENTION_DAYS keeps at most that much). */
const MAX_SPAN_DAYS = 3_650;

export const usageRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(turnsRoute, async (c) => {
    const { threadId } = c.req.valid("param");
    const { limit } = c.req.valid("query");
    const turns = await sessionOf(c, threadId).turns(limit);
    return turns === null ? notFound(threadId) : c.json(turns, 200);
  })
  .openapi(usageRoute, async (c) => {
    const { from, to, groupBy, format, limit } = c.req.valid("query");
    const last = to ?? utcDay(Date.now());
    const first = from ?? rangeStart(last, 30);
    if (first > last) {
      fail("validation-failed", "The range ends before it starts.", {
        errors: [{ pointer: "from", detail: `must not be after to (${last})` }],
      });
    }
    if ((Date.parse(last) - Date.parse(first)) / DAY_MS >= MAX_SPAN_DAYS) {
      fail("validation-failed", "The range is too long.", {
        errors: [{ pointer: "from", detail: `at most ${MAX_SPAN_DAYS} days before to` }],
      });
    }
    const { rows, totals } = await directoryOf(c).usage({ from: first, to: last, groupBy, limit });
    const report: UsageReply = { from: first, to: last, groupBy, rows, totals };
    if (format !== "csv") return c.json(report, 200);
    return c.body(usageCsv(report), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="usage-${first}-to-${last}.csv"`,
    }) as never;
  });
