/** POST /v1/read-tokens: an API token mints a read-only token for a browser or a phone. */
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { ReadTokenRequestSchema, ReadTokenSchema } from "../contracts/read-tokens.ts";
import type { AppEnv } from "./app-env.ts";
import { readTokenSecret } from "./auth.ts";
import { limitBody } from "./body-limit.ts";
import { fail } from "./problem.ts";
import { signReadToken } from "./read-tokens.ts";
import { problems } from "./route-docs.ts";
import { validationHook } from "./validation.ts";

const MAX_BODY_BYTES = 16 * 1024;

/**
 * The body is optional: none asks for every default, and so does an empty one sent as JSON (which the validator would
 * otherwise refuse as malformed). Any other media type is refused by the route's own media-type check (415).
 */
const emptyBodyAsDefaults = createMiddleware<AppEnv>(async (c, next) => {
  const mediaType = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType === "application/json" && (await c.req.text()) === "") {
    // The validator parses the cached text (Hono caches the promise, whatever the field's declared type).
    (c.req.bodyCache as unknown as { text?: Promise<string> }).text = Promise.resolve("{}");
  }
  await next();
});

const mintRoute = createRoute({
  operationId: "createReadToken",
  method: "post",
  path: "/v1/read-tokens",
  tags: ["read tokens"],
  summary: "Mint a read-only token (optionally for one session)",
  description:
    "The token reads (GET, /live, /stream) as `Authorization: Bearer` or `?access_token=`; a write with it is 403. " +
    "A subscription opened with it ends when it expires (WebSocket close 4401).",
  security: [{ bearer: [] }],
  middleware: [limitBody(MAX_BODY_BYTES), emptyBodyAsDefaults] as const,
  request: {
    body: {
      required: false,
      description: `Optional, at most ${MAX_BODY_BYTES / 1024} KiB: no body (or an empty one) takes every default`,
      content: { "application/json": { schema: ReadTokenRequestSchema } },
    },
  },
  responses: {
    201: { description: "The token", content: { "application/json": { schema: ReadTokenSchema } } },
    ...problems(400, 401, 403, 413, 415, 422),
  },
});

export const readTokenRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  mintRoute,
  async (c) => {
    const secret = readTokenSecret(c.env);
    if (secret === null) {
      fail("not-configured", "READ_TOKEN_SECRET is not set: read tokens cannot be issued until it is.", {
        variables: ["READ_TOKEN_SECRET"],
      });
    }
    // Without a Content-Type the validator is skipped and hands over `{}`: defaults are applied here either way.
    const { threadId, ttlSeconds } = ReadTokenRequestSchema.parse(c.req.valid("json"));
    const expiresAt = Date.now() + ttlSeconds * 1000;
    const token = await signReadToken(secret, { tenant: c.get("tenant"), threadId: threadId ?? null, expiresAt });
    return c.json({ token, expiresAt: new Date(expiresAt).toISOString(), threadId: threadId ?? null }, 201);
  },
);
