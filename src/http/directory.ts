/** The tenant directory: list sessions newest activity first, and follow its changes live. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { DirectoryPageSchema, DirectoryQuerySchema } from "../contracts/directory.ts";
import { MAX_SUBSCRIBERS } from "../session/live-hub.ts";
import type { AppEnv } from "./app-env.ts";
import { fail } from "./problem.ts";
import { problems } from "./route-docs.ts";
import { forwardSubscription } from "./subscription.ts";
import { validationHook } from "./validation.ts";

const listRoute = createRoute({
  operationId: "listSessions",
  method: "get",
  path: "/v1/sessions",
  tags: ["directory"],
  summary: "List the tenant's sessions, newest activity first",
  description:
    "Filters combine: `status` (repeat it for several), `active=true` (starting or running), `attention=true` " +
    "(approvals or questions pending). `lastEventAt` and `deadline` may lag by up to 30 s.",
  security: [{ bearer: [] }],
  request: { query: DirectoryQuerySchema },
  responses: {
    200: { description: "A page of summaries", content: { "application/json": { schema: DirectoryPageSchema } } },
    ...problems(401, 403, 422),
  },
});

const DirectoryStreamQuery = z.object({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({ description: "the version of your listing: the changes after it are sent first" }),
});

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
function directoryOf(c: Context<AppEnv>) {
  const access = c.get("access");
  if (access.kind === "read" && access.threadId !== null) {
    fail("forbidden", "This read token is limited to one session: it cannot list the directory.");
  }
  return c.env.DIRECTORY.getByName(c.get("tenant"));
}

async function subscribe(c: Context<AppEnv>, path: string, after: number | undefined, headers: HeadersInit) {
  const response = await forwardSubscription(
    c,
    directoryOf(c),
    path,
    after === undefined ? undefined : String(after),
    headers,
  );
  if (response.status === 429) {
    fail("too-many-subscribers", `This directory has ${MAX_SUBSCRIBERS} subscribers; close one or try again later.`);
  }
  return response;
}

export const directoryRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(listRoute, async (c) => {
    const { status, active, attention, limit, cursor } = c.req.valid("query");
    const listing = await directoryOf(c).list({ statuses: status, active, attention }, cursor ?? null, limit);
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
    return (await subscribe(c, "/live", c.req.valid("query").after, { upgrade: "websocket" })) as never;
  })
  .openapi(streamRoute, async (c) => {
    let after = c.req.valid("query").after;
    const lastEventId = c.req.valid("header")["last-event-id"];
    if (after === undefined && lastEventId !== undefined && lastEventId !== "") {
      if (!/^\d{1,15}$/.test(lastEventId)) {
        fail("validation-failed", "Last-Event-ID must be a version this stream sent.", {
          errors: [{ pointer: "last-event-id", detail: "must be a whole number" }],
        });
      }
      after = Number(lastEventId);
    }
    return (await subscribe(c, "/stream", after, {})) as never;
  });
