/** Usage routes: a session's turns (`/v1/sessions/{threadId}/turns`); docs/usage.md says how each figure is made. */
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { TurnsQuerySchema, TurnsReplySchema } from "../contracts/usage.ts";
import type { AppEnv } from "./app-env.ts";
import { requireDecodablePath } from "./decodable-path.ts";
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

export const usageRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(turnsRoute, async (c) => {
  const { threadId } = c.req.valid("param");
  const { limit } = c.req.valid("query");
  const turns = await sessionOf(c, threadId).turns(limit);
  return turns === null ? notFound(threadId) : c.json(turns, 200);
});
