/** POST /v1/read-tokens: an API token mints a read-only token for a browser or a phone. */
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { ReadTokenRequestSchema, ReadTokenSchema } from "../contracts/read-tokens.ts";
import type { AppEnv } from "./app-env.ts";
import { readTokenSecret } from "./auth.ts";
import { fail } from "./problem.ts";
import { signReadToken } from "./read-tokens.ts";
import { problems } from "./route-docs.ts";
import { validationHook } from "./validation.ts";

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
  request: { body: { required: false, content: { "application/json": { schema: ReadTokenRequestSchema } } } },
  responses: {
    201: { description: "The token", content: { "application/json": { schema: ReadTokenSchema } } },
    ...problems(401, 403, 422),
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
    const { threadId, ttlSeconds } = c.req.valid("json");
    const expiresAt = Date.now() + ttlSeconds * 1000;
    const token = await signReadToken(secret, { tenant: c.get("tenant"), threadId: threadId ?? null, expiresAt });
    return c.json({ token, expiresAt: new Date(expiresAt).toISOString(), threadId: threadId ?? null }, 201);
  },
);
