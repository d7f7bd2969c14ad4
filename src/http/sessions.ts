/** /v1/sessions routes: decode and check the request, then hand it to the tenant's session object. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { EventBatchSchema, type RuntimeEvent } from "../domain/events.ts";
import { EventPageSchema, IngestReplySchema, SessionViewSchema } from "../domain/replies.ts";
import { sessionObjectName } from "../session/session-key.ts";
import type { AppEnv } from "./app-env.ts";
import { fail, problemResponse } from "./problem.ts";
import { validationHook } from "./validation.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

const ThreadParams = z.object({
  threadId: z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name: "threadId", in: "path" }, example: "thread-42" }),
});

const ProblemSchema = z
  .object({ type: z.string(), title: z.string(), status: z.int(), detail: z.string() })
  .loose()
  .openapi("Problem");
const problemContent = { "application/problem+json": { schema: ProblemSchema } };
const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, { description: "RFC 9457 problem", content: problemContent }]));

const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => problemResponse("payload-too-large", `The body exceeds ${MAX_BODY_BYTES} bytes.`),
});

const requireJson = createMiddleware<AppEnv>(async (c, next) => {
  const mediaType = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    fail("unsupported-media-type", "Send the events as Content-Type: application/json.");
  }
  await next();
});

const ingestRoute = createRoute({
  method: "post",
  path: "/v1/sessions/{threadId}/events",
  summary: "Ingest one provider runtime event or a batch of up to 500",
  security: [{ bearer: [] }],
  middleware: [limitBody, requireJson] as const,
  request: {
    params: ThreadParams,
    body: { required: true, content: { "application/json": { schema: EventBatchSchema } } },
  },
  responses: {
    200: {
      description: "Stored durably; one result per event",
      content: { "application/json": { schema: IngestReplySchema } },
    },
    ...problems(400, 401, 413, 415, 422, 503),
  },
});

const readRoute = createRoute({
  method: "get",
  path: "/v1/sessions/{threadId}",
  summary: "Read the projected session",
  security: [{ bearer: [] }],
  request: { params: ThreadParams },
  responses: {
    200: { description: "The session", content: { "application/json": { schema: SessionViewSchema } } },
    ...problems(401, 404, 422, 503),
  },
});

const EventsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0).openapi({ description: "return events with seq greater than this" }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/sessions/{threadId}/events",
  summary: "Read the stored event log in seq order",
  security: [{ bearer: [] }],
  request: { params: ThreadParams, query: EventsQuery },
  responses: {
    200: { description: "A page of the log", content: { "application/json": { schema: EventPageSchema } } },
    ...problems(401, 404, 422, 503),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/v1/sessions/{threadId}",
  summary: "Purge a session and its log at once",
  security: [{ bearer: [] }],
  request: { params: ThreadParams },
  responses: { 204: { description: "Purged" }, ...problems(401, 404, 422, 503) },
});

export const sessionRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

function sessionStub(env: Env, tenant: string, threadId: string) {
  return env.SESSIONS.getByName(sessionObjectName({ tenant, threadId }));
}

function notFound(threadId: string): never {
  fail("session-not-found", `No session ${JSON.stringify(threadId)} for this tenant.`);
}

sessionRoutes.openapi(ingestRoute, async (c) => {
  const { threadId } = c.req.valid("param");
  const body = c.req.valid("json");
  const events: RuntimeEvent[] = Array.isArray(body) ? body : [body];
  const mismatched = events.flatMap((event, index) =>
    event.threadId === threadId
      ? []
      : [
          {
            pointer: Array.isArray(body) ? `/${index}/threadId` : "/threadId",
            detail: "must equal the threadId in the path",
          },
        ],
  );
  if (mismatched.length > 0) {
    fail("validation-failed", "Every event must belong to the session in the path.", { errors: mismatched });
  }
  const reply = await sessionStub(c.env, c.get("tenant"), threadId).ingest(events);
  return c.json(reply, 200);
});

sessionRoutes.openapi(readRoute, async (c) => {
  const { threadId } = c.req.valid("param");
  const session = await sessionStub(c.env, c.get("tenant"), threadId).read();
  return session === null ? notFound(threadId) : c.json(session, 200);
});

sessionRoutes.openapi(listRoute, async (c) => {
  const { threadId } = c.req.valid("param");
  const { after, limit } = c.req.valid("query");
  const page = await sessionStub(c.env, c.get("tenant"), threadId).listEvents(after, limit);
  return page === null ? notFound(threadId) : c.json(page, 200);
});

sessionRoutes.openapi(deleteRoute, async (c) => {
  const { threadId } = c.req.valid("param");
  const purged = await sessionStub(c.env, c.get("tenant"), threadId).purge();
  return purged ? c.body(null, 204) : notFound(threadId);
});
