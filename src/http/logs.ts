/**
 * The Durable Streams read protocol (JSON mode) on a session's log and on the tenant directory's change log:
 * catch-up by offset, long-poll, and SSE (docs/streams.md). The offset is checked here; the object serves the read.
 */
import { createRoute, type Hook, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { RESUME_POINT_PATTERN, ResumePointSchema } from "../contracts/query-params.ts";
import { BEGINNING, NOW } from "../live/durable-streams.ts";
import { LONG_POLL_TIMEOUT_MS } from "../live/log-tail.ts";
import {
  DIRECTORY_OFFSET_PATTERN,
  logStart,
  parseDirectoryOffset,
  parseSessionOffset,
  SESSION_OFFSET_PATTERN,
} from "../live/offsets.ts";
import type { LogRead, LogStart } from "../live/subscription-request.ts";
import type { AppEnv } from "./app-env.ts";
import { requireDecodablePath } from "./decodable-path.ts";
import { directoryOf } from "./directory.ts";
import { fail } from "./problem.ts";
import { problems } from "./route-docs.ts";
import { sessionOf, ThreadParams } from "./session-stub.ts";
import { forwardSubscription, type Place } from "./subscription.ts";
import { validationHook } from "./validation.ts";

const CURSOR = /^[0-9]{1,15}$/;

function logQuery(offsetPattern: string, after: string) {
  return z.object({
    offset: z
      .string()
      .optional()
      .openapi({
        description: `${BEGINNING} (the start, also when absent), ${NOW} (the tail), or a Stream-Next-Offset this log gave`,
        pattern: `^(-1|now|${offsetPattern.slice(1, -1)})$`,
      }),
    live: z
      .enum(["long-poll", "sse"])
      .optional()
      .openapi({
        description: `long-poll: wait up to ${LONG_POLL_TIMEOUT_MS / 1000} s for data, else 204; sse: a stream of data and control events`,
      }),
    cursor: z.string().optional().openapi({ description: "the Stream-Cursor of the previous live answer" }),
    after: z.string().optional().openapi({ description: after }),
  });
}

const responses = {
  200: {
    description:
      "A JSON array of the log's items after the offset (a page), with Stream-Next-Offset, Stream-Up-To-Date at " +
      "the tail, and ETag; with live=sse, text/event-stream of `data` and `control` events",
    content: { "application/json": { schema: z.array(z.unknown()) }, "text/event-stream": { schema: z.string() } },
  },
  204: { description: "Long-poll: nothing new in its time (Stream-Next-Offset, Stream-Cursor, Stream-Up-To-Date)" },
  304: { description: "If-None-Match named this chunk's ETag" },
};

const sessionLogRoute = createRoute({
  operationId: "readSessionLog",
  method: "get",
  path: "/v1/sessions/{threadId}/log",
  tags: ["live"],
  summary: "Read a session's log by offset: Durable Streams catch-up, long-poll or SSE",
  security: [{ bearer: [] }],
  middleware: [requireDecodablePath] as const,
  request: {
    params: ThreadParams,
    query: logQuery(
      SESSION_OFFSET_PATTERN,
      `alias of offset: a seq of the current life, or <epoch>:<seq> (${RESUME_POINT_PATTERN})`,
    ),
  },
  responses: { ...responses, ...problems(400, 401, 404, 410, 422, 429) },
});

const directoryLogRoute = createRoute({
  operationId: "readDirectoryLog",
  method: "get",
  path: "/v1/directory/log",
  tags: ["directory"],
  summary: "Read the tenant directory's changes by offset: Durable Streams catch-up, long-poll or SSE",
  description:
    "Items are the directory's upsert and remove messages. The directory keeps a window of recent changes: " +
    "offset -1 starts at the oldest it keeps, and an older offset is gone (410): list the sessions again.",
  security: [{ bearer: [] }],
  request: { query: logQuery(DIRECTORY_OFFSET_PATTERN, "alias of offset: a directory version") },
  responses: { ...responses, ...problems(400, 401, 403, 410, 422, 429) },
});

function malformed(detail: string): never {
  fail("malformed-offset", detail, { errors: [{ pointer: "offset", detail }] });
}

/** The read the query asks for; a 400 for an offset that is missing where required, repeated, or not this log's. */
function logRead<P>(
  c: Context<AppEnv>,
  parse: (offset: string) => P | null,
  parseAfter: (after: string) => P | null,
): LogRead<P> {
  const query = new URL(c.req.url).searchParams;
  const [offset, ...moreOffsets] = query.getAll("offset");
  const [after, ...moreAfters] = query.getAll("after");
  if (moreOffsets.length > 0 || moreAfters.length > 0) malformed("Give the offset once.");
  if (offset !== undefined && after !== undefined) malformed("Give offset or its alias after, not both.");
  const live = query.get("live");
  if (live !== null && live !== "long-poll" && live !== "sse") malformed("live is long-poll or sse.");
  let start: LogStart<P> | null = { kind: "beginning" };
  if (offset !== undefined) start = logStart(offset, parse);
  else if (after !== undefined) {
    const position = parseAfter(after);
    start = position === null ? null : { kind: "after", position };
  } else if (live !== null) malformed("A live read needs an offset: -1, now, or the last Stream-Next-Offset.");
  if (start === null) malformed("The offset is not one this log gives: pass -1, now, or a Stream-Next-Offset.");
  const cursor = query.get("cursor");
  return {
    start,
    live: live ?? "none",
    cursor: cursor !== null && CURSOR.test(cursor) ? Number(cursor) : null,
    ifNoneMatch: c.req.header("if-none-match") ?? null,
  };
}

/** HEAD answers the tail's headers without reading, waiting, or streaming. */
function headOrRead<P>(c: Context<AppEnv>, read: LogRead<P>): LogRead<P> {
  return c.req.method === "HEAD" ? { ...read, start: { kind: "now" }, live: "none" } : read;
}

async function forwardLog<P>(
  c: Context<AppEnv>,
  server: Parameters<typeof forwardSubscription>[1],
  read: LogRead<P>,
  place: Place,
) {
  return forwardSubscription<never, P>(c, server, { transport: "log", read: headOrRead(c, read) }, place);
}

function seqAlias(after: string) {
  const parsed = ResumePointSchema.safeParse(after);
  return parsed.success ? parsed.data : null;
}

function versionAlias(after: string) {
  return CURSOR.test(after) ? Number(after) : null;
}

/** The protocol answers a bad read with 400 (the rest of the API's 422 stays for a bad threadId). */
// biome-ignore lint/suspicious/noExplicitAny: the hook serves both routes, whatever their input types.
const logHook: Hook<any, AppEnv, any, any> = (result, c) => {
  if (!result.success && result.target === "query")
    malformed("live is long-poll or sse; offset is -1, now, or an offset this log gave.");
  return validationHook(result, c);
};

export const logRoutes = new OpenAPIHono<AppEnv>({ defaultHook: logHook })
  .openapi(sessionLogRoute, async (c) => {
    const { threadId } = c.req.valid("param");
    const read = logRead(c, parseSessionOffset, seqAlias);
    return (await forwardLog(c, sessionOf(c, threadId), read, "session")) as never;
  })
  .openapi(directoryLogRoute, async (c) => {
    const read = logRead(c, parseDirectoryOffset, versionAlias);
    return (await forwardLog(c, directoryOf(c), read, "directory")) as never;
  });
