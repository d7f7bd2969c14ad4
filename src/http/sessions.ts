/** /v1/sessions routes: decode and check the request, then hand it to the tenant's session object. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context, TypedResponse } from "hono";
import { createMiddleware } from "hono/factory";
import { validator } from "hono/validator";
import { isCertainlyValidBatch, isThreadId } from "../contracts/event-check.ts";
import { EventBatchSchema, type RuntimeEventInput } from "../contracts/events.ts";
import { eventTexts } from "../contracts/json-text.ts";
import { MAX_BODY_BYTES } from "../contracts/limits.ts";
import { pageSizeParam, RESUME_POINT_PATTERN, ResumePointSchema } from "../contracts/query-params.ts";
import { EventPageSchema, type IngestReply, IngestReplySchema, SessionViewSchema } from "../contracts/replies.ts";
import type { EventIdConflict } from "../domain/ingest.ts";
import type { AppEnv } from "./app-env.ts";
import { limitBody } from "./body-limit.ts";
import { requireDecodablePath } from "./decodable-path.ts";
import { fail } from "./problem.ts";
import { problems } from "./route-docs.ts";
import { notFound, sessionOf, ThreadParams } from "./session-stub.ts";
import { schemaProblem, validationHook } from "./validation.ts";

const JSON_CONTENT = { "content-type": "application/json" };

const requireJson = createMiddleware<AppEnv>(async (c, next) => {
  const mediaType = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    fail("unsupported-media-type", "Send the events as Content-Type: application/json.");
  }
  await next();
});

const ingestRoute = createRoute({
  operationId: "ingestEvents",
  method: "post",
  path: "/v1/sessions/{threadId}/events",
  tags: ["sessions"],
  summary: "Ingest one provider runtime event or a batch of up to 500",
  security: [{ bearer: [] }],
  middleware: [requireDecodablePath, limitBody(MAX_BODY_BYTES), requireJson] as const,
  request: {
    params: ThreadParams,
    body: { required: true, content: { "application/json": { schema: EventBatchSchema } } },
  },
  responses: {
    200: {
      description: "Stored durably; one result per event",
      content: { "application/json": { schema: IngestReplySchema } },
    },
    ...problems(400, 401, 403, 409, 413, 415, 422),
  },
});

const readRoute = createRoute({
  operationId: "getSession",
  method: "get",
  path: "/v1/sessions/{threadId}",
  tags: ["sessions"],
  summary: "Read the projected session",
  security: [{ bearer: [] }],
  middleware: [requireDecodablePath] as const,
  request: { params: ThreadParams },
  responses: {
    200: { description: "The session", content: { "application/json": { schema: SessionViewSchema } } },
    ...problems(400, 401, 404, 422),
  },
});

const EventsQuery = z.object({
  after: ResumePointSchema.optional().openapi({
    type: "string",
    pattern: RESUME_POINT_PATTERN,
    description:
      "return events with seq greater than this: a seq of the current life, or <epoch>:<seq>, which answers 409 " +
      "epoch-changed when the session was deleted and begun again since (default 0)",
    example: "0",
  }),
  limit: pageSizeParam(1000, 100),
});

const listRoute = createRoute({
  operationId: "listSessionEvents",
  method: "get",
  path: "/v1/sessions/{threadId}/events",
  tags: ["sessions"],
  summary: "Read the stored event log in seq order",
  security: [{ bearer: [] }],
  middleware: [requireDecodablePath] as const,
  request: { params: ThreadParams, query: EventsQuery },
  responses: {
    200: { description: "A page of the log", content: { "application/json": { schema: EventPageSchema } } },
    ...problems(400, 401, 404, 409, 422),
  },
});

const deleteRoute = createRoute({
  operationId: "deleteSession",
  method: "delete",
  path: "/v1/sessions/{threadId}",
  tags: ["sessions"],
  summary: "Purge a session and its log at once",
  security: [{ bearer: [] }],
  middleware: [requireDecodablePath] as const,
  request: { params: ThreadParams },
  responses: { 204: { description: "Purged" }, ...problems(400, 401, 403, 404, 422) },
});

/** The events of a request that name another session than the path. */
function foreignEvents(
  events: readonly { threadId: string }[],
  threadId: string,
  pointerOf: (index: number) => string,
) {
  const foreign: { pointer: string; detail: string }[] = [];
  events.forEach((event, index) => {
    if (event.threadId !== threadId)
      foreign.push({ pointer: pointerOf(index), detail: "must equal the threadId in the path" });
  });
  return foreign;
}

/**
 * Reads the body as text first, so the text the handler stores is the one sent, not a re-serialisation of the parse;
 * and parses it here, once, for the validator (which would otherwise parse it again through a new Response).
 */
const keepBodyText = createMiddleware<AppEnv>(async (c, next) => {
  const text = await c.req.text();
  const parsed = parseJson(text);
  // A rejection is only read by the validator next, which answers it with 400.
  c.req.bodyCache.json = parsed.ok ? Promise.resolve(parsed.value) : Promise.reject(parsed.error);
  c.req.bodyCache.json.catch(() => {});
  await next();
});

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Checks the body against the schema, but hands on the parse, not the schema's output (which drops a `__proto__`
 * key): what is stored is each event's text as sent (a re-serialisation would round a number beyond 2^53).
 */
const eventBatch = validator("json", (value: unknown): RuntimeEventInput | RuntimeEventInput[] => {
  // The ordinary body passes the hand check (tested against the schema); anything else gets the schema's errors.
  if (isCertainlyValidBatch(value)) return value as RuntimeEventInput | RuntimeEventInput[];
  const checked = EventBatchSchema.safeParse(value);
  if (!checked.success) schemaProblem("body", checked.error.issues);
  return value as RuntimeEventInput | RuntimeEventInput[];
});

function threadIdOf(c: Context<AppEnv>): string {
  // The hand check takes the ordinary threadId; the schema words the problem for any other.
  const threadId = c.req.param("threadId");
  if (isThreadId(threadId)) return threadId;
  const checked = ThreadParams.safeParse(c.req.param());
  if (!checked.success) schemaProblem("param", checked.error.issues);
  return checked.data.threadId;
}

function conflictProblem(conflicts: readonly EventIdConflict[], pointerOf: (index: number) => string): never {
  fail(
    "event-id-conflict",
    "An eventId is already stored with different content; nothing from this request was stored. Resend the " +
      "original event unchanged, or give the new one its own eventId.",
    {
      errors: conflicts.map(({ index, eventId, seq }) => ({
        pointer: pointerOf(index),
        detail: `eventId ${JSON.stringify(eventId)} is stored at seq ${seq} with different content`,
      })),
    },
  );
}

const documented = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
// Documented by the route, validated by the handler: the body must reach the session as the text it was sent as.
const { middleware: ingestMiddleware, ...ingestDocument } = ingestRoute;
documented.openAPIRegistry.registerPath(ingestDocument);

export const sessionRoutes = documented
  .openapi(readRoute, async (c) => {
    const { threadId } = c.req.valid("param");
    const session = await sessionOf(c, threadId).read();
    // The object keeps the view's JSON from its last commit: a read only carries it.
    return session === null ? notFound(threadId) : (c.body(session, 200, JSON_CONTENT) as never);
  })
  .openapi(listRoute, async (c) => {
    const { threadId } = c.req.valid("param");
    const { after, limit } = c.req.valid("query");
    const listing = await sessionOf(c, threadId).listEvents(after ?? { epoch: null, seq: 0 }, limit);
    if (listing === null) return notFound(threadId);
    // The page's JSON is built in the session object, each event spliced in as it was received.
    if (!("epochChanged" in listing)) return c.body(listing.json, 200, JSON_CONTENT) as never;
    return fail("epoch-changed", "The session was deleted and begun again since that seq: read it from its start.", {
      epoch: listing.epoch,
    });
  })
  .openapi(deleteRoute, async (c) => {
    const { threadId } = c.req.valid("param");
    const outcome = await sessionOf(c, threadId).purge();
    if (outcome === "unavailable") {
      fail("directory-unavailable", "The tenant directory could not be updated; nothing was deleted. Retry.");
    }
    return outcome === "purged" ? c.body(null, 204) : notFound(threadId);
  })
  .post("/v1/sessions/:threadId/events", ...ingestMiddleware, keepBodyText, eventBatch, async (c) => {
    const threadId = threadIdOf(c);
    const body = c.req.valid("json");
    const events = Array.isArray(body) ? body : [body];
    const texts = eventTexts(await c.req.text());
    const pointerOf = (index: number) => (Array.isArray(body) ? `/${index}` : "");
    const mismatched = foreignEvents(events, threadId, (index) => `${pointerOf(index)}/threadId`);
    if (mismatched.length > 0) {
      fail("validation-failed", "Every event must belong to the session in the path.", { errors: mismatched });
    }
    const result = await sessionOf(c, threadId).ingest(texts);
    if (!result.ok) conflictProblem(result.conflicts, pointerOf);
    return c.body(result.json, 200, JSON_CONTENT) as unknown as TypedResponse<IngestReply, 200, "json">;
  });
