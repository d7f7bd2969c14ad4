/** Live reads of one session: a hibernatable WebSocket (`/live`) and Server-Sent Events (`/stream`). */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { RESUME_POINT_PATTERN, ResumePointSchema } from "../contracts/query-params.ts";
import { MAX_BACKLOG_BYTES, MAX_BACKLOG_ENTRIES } from "../domain/subscription.ts";
import { SSE_HEARTBEAT_MS } from "../live/event-stream.ts";
import { SSE_MAX_DURATION_MS } from "../live/hub.ts";
import type { AppEnv } from "./app-env.ts";
import { requireDecodablePath } from "./decodable-path.ts";
import { sseResumePoint } from "./last-event-id.ts";
import { fail } from "./problem.ts";
import { problems } from "./route-docs.ts";
import { sessionOf, ThreadParams } from "./session-stub.ts";
import { eventStreamHead, forwardSubscription } from "./subscription.ts";
import { validationHook } from "./validation.ts";

const StreamQuery = z.object({
  after: ResumePointSchema.optional().openapi({
    type: "string",
    pattern: RESUME_POINT_PATTERN,
    description:
      "<epoch>:<seq> resumes after that entry of that life; 0 or none starts the current life from its first " +
      "entry; a bare seq above 0 names no life, so it gets `reset` and the current life from its start",
    example: "0",
  }),
});

const LiveQuery = StreamQuery.extend({
  frames: z
    .enum(["message", "commit"])
    .default("message")
    .openapi({
      description:
        "message: one StreamMessage a text frame. commit: each frame is a JSON array of messages, a commit's " +
        "together (the opening too, a frame per 512 KiB); commits close together share a frame (at most 0.25 ms " +
        "a commit-framed subscriber, 40 ms in all, with only the newest session view): a frame is what a socket " +
        "costs the session",
    }),
});

const protocol =
  `First a snapshot, then the backlog after \`after\` (at most ${MAX_BACKLOG_ENTRIES} entries and ` +
  `${MAX_BACKLOG_BYTES / 1024 / 1024} MiB, else \`behind\` and a close) and \`synchronized\`, then each commit's ` +
  "entries and the session. Frames are StreamMessage JSON.";

const liveRoute = createRoute({
  operationId: "subscribeSessionWebSocket",
  method: "get",
  path: "/v1/sessions/{threadId}/live",
  tags: ["live"],
  summary: "Follow a session over a WebSocket (hibernatable)",
  description: protocol,
  security: [{ bearer: [] }],
  middleware: [requireDecodablePath] as const,
  request: { params: ThreadParams, query: LiveQuery },
  responses: {
    101: { description: "Switching Protocols: one StreamMessage per text frame, or arrays with frames=commit" },
    ...problems(400, 401, 404, 422, 426, 429),
  },
});

const streamRoute = createRoute({
  operationId: "subscribeSessionEvents",
  method: "get",
  path: "/v1/sessions/{threadId}/stream",
  tags: ["live"],
  summary: "Follow a session as Server-Sent Events",
  description:
    `${protocol} Each SSE event is named by the message type; entries carry \`id: <epoch>:<seq>\`, and ` +
    `\`Last-Event-ID\` resumes like \`after\`. A comment heartbeat every ${SSE_HEARTBEAT_MS / 1000} s; the ` +
    `response ends after ${SSE_MAX_DURATION_MS / 60_000} minutes, and the client reconnects.`,
  security: [{ bearer: [] }],
  middleware: [requireDecodablePath] as const,
  request: {
    params: ThreadParams,
    query: StreamQuery,
    headers: z.object({
      "last-event-id": z.string().optional().openapi({ description: "the id of the last entry received" }),
    }),
  },
  responses: {
    200: { description: "text/event-stream", content: { "text/event-stream": { schema: z.string() } } },
    ...problems(400, 401, 404, 422, 429),
  },
});

export const streamRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(liveRoute, async (c) => {
    const { threadId } = c.req.valid("param");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      fail("upgrade-required", "Open this route as a WebSocket (Upgrade: websocket); /stream serves the same as SSE.");
    }
    const { frames, after } = c.req.valid("query");
    const subscription = { transport: "websocket" as const, resume: after ?? null, framing: frames };
    return (await forwardSubscription(c, sessionOf(c, threadId), subscription, "session", {
      upgrade: "websocket",
    })) as never;
  })
  .openapi(streamRoute, async (c) => {
    const { threadId } = c.req.valid("param");
    const resume = sseResumePoint(c, c.req.valid("query").after, ResumePointSchema, "<epoch>:<seq>");
    if (c.req.method === "HEAD") {
      sessionOf(c, threadId); // A read token limited to another session is refused here too, as on GET.
      return eventStreamHead() as never;
    }
    const subscription = { transport: "event-stream" as const, resume: resume ?? null };
    return (await forwardSubscription(c, sessionOf(c, threadId), subscription, "session")) as never;
  });
