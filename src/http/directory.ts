/** The tenant directory: list sessions newest activity first, and follow its changes live. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { DirectoryPageSchema, DirectoryQuerySchema } from "../contracts/directory.ts";
import { wholeNumberParam } from "../contracts/query-params.ts";
import type { AppEnv } from "./app-env.ts";
import { sseResumePoint } from "./last-event-id.ts";
import { fail } from "./problem.ts";
import { problems } from "./route-docs.ts";
import { eventStreamHead, forwardSubscription } from "./subscription.ts";
import { validationHook } from "./validation.ts";

const listRoute = createRoute({
  operationId: "listSessions",
  method: "get",
  path: "/v1/sessions",
  tags: ["directory"],
  summary: "List the tenant's sessions, newest activity first",
  description:
    "Filters combine: `status` (repeat it for several), `active=true` (starting or running), `attention=true` " +
    "(approvals or questions pending, or stalled), `health=stalled`, `tasks=running` (a background task running), " +
    "`limited=true` (held by a usage limit). `lastEventAt` and `deadline` may lag by up to 30 s.",
  security: [{ bearer: [] }],
  request: { query: DirectoryQuerySchema },
  responses: {
    200: { description: "A page of summaries", content: { "application/json": { schema: DirectoryPageSchema } } },
    ...problems(401, 403, 422),
  },
});

const VersionSchema = wholeNumberParam("the version of your listing: the changes after it are sent first");

const DirectoryStreamQuery = z.object({ after: VersionSchema.optional() });

const liveRoute = createRoute({
  operationId: "subscribeDirectoryWebSocket",
  method: "get",
  path: "/v1/directory/live",
  tags: ["directory"],
  summary: "Follow the directory over a WebSocket: upsert and remove messages by version",
  security: [{ bearer: [] }],
  request: { query: DirectoryStreamQuery },
  responses: {
    101: { description: "Switching Protocols: one DirectoryMessage per text frame" },
    ...problems(401, 403, 422, 426, 429),
  },
});

const streamRoute = createRoute({
  operationId: "subscribeDirectoryEvents",
  method: "get",
  path: "/v1/directory/stream",
  tags: ["directory"],
  summary: "Follow the directory as Server-Sent Events (id: version; Last-Event-ID resumes)",
  security: [{ bearer: [] }],
  request: {
    query: DirectoryStreamQuery,
    headers: z.object({ "last-event-id": z.string().optional() }),
  },
  responses: {
    200: { description: "text/event-stream", content: { "text/event-stream": { schema: z.string() } } },
    ...problems(401, 403, 422, 429),
  },
});

/** The caller's tenant directory; a read token limited to one thread may not list the others. */
/** The caller's tenant directory; a read token limited to one session may not read it. */
export function directoryOf(c: Context<AppEnv>) {
  const access = c.get("access");
  if (access.kind === "read" && access.threadId !== null) {
    fail("forbidden", "This read token is limited to one session: it cannot list the directory.");
  }
  return c.env.DIRECTORY.getByName(c.get("tenant"));
}

export const directoryRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(listRoute, async (c) => {
    const { status, active, attention, health, tasks, limited, limit, cursor } = c.req.valid("query");
    const filter = {
      statuses: status,
      active,
      attention,
      stalled: health === "stalled",
      tasksRunning: tasks === "running",
      limited,
    };
    const listing = await directoryOf(c).list(filter, cursor ?? null, limit);
    if (!listing.ok) {
      fail("validation-failed", "The cursor is not one this directory gave out.", {
        errors: [{ pointer: "cursor", detail: "pass nextCursor from the previous page, unchanged" }],
      });
    }
    return c.json(listing.page, 200);
  })
  .openapi(liveRoute, async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      fail("upgrade-required", "Open this route as a WebSocket (Upgrade: websocket); /v1/directory/stream serves SSE.");
    }
    const { after } = c.req.valid("query");
    const subscription = { transport: "websocket" as const, resume: after ?? null, framing: "message" as const };
    return (await forwardSubscription(c, directoryOf(c), subscription, "directory", { upgrade: "websocket" })) as never;
  })
  .openapi(streamRoute, async (c) => {
    const resume = sseResumePoint(c, c.req.valid("query").after, VersionSchema, "a version");
    if (c.req.method === "HEAD") {
      directoryOf(c); // A read token limited to one session is refused here too, as on GET.
      return eventStreamHead() as never;
    }
    const subscription = { transport: "event-stream" as const, resume: resume ?? null };
    return (await forwardSubscription(c, directoryOf(c), subscription, "directory")) as never;
  });
