/** POST /v1/read-tokens: an API token mints a read-only token for a browser or a phone. */
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { ReadTokenRequestSchema, ReadTokenSchema } from "../contracts/read-tokens.ts";
import type { AppEnv } from "./app-env.ts";
import { readTokenKeys, SELF_REVOCATION_PATH } from "./auth.ts";
import { limitBody } from "./body-limit.ts";
import { fail } from "./problem.ts";
import { signReadToken } from "./read-tokens.ts";
import { remember } from "./revocations.ts";
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

const revokeAllRoute = createRoute({
  operationId: "revokeReadTokens",
  method: "post",
  path: "/v1/read-tokens/revoke",
  tags: ["read tokens"],
  summary: "Revoke every read token of the tenant minted until now (API token only)",
  description:
    "Requests with a revoked token are refused at once through this Worker instance, and everywhere within 60 s " +
    "(each instance reuses what it read of the revocations for at most that long); open subscriptions opened " +
    "with one close with 4401 within 60 s.",
  security: [{ bearer: [] }],
  responses: { 204: { description: "Revoked, durably" }, ...problems(401, 403) },
});

const revokeSelfRoute = createRoute({
  operationId: "revokeThisReadToken",
  method: "delete",
  path: SELF_REVOCATION_PATH,
  tags: ["read tokens"],
  summary: "Revoke the read token that makes this request (a sign-out)",
  description: "Only a read token can revoke itself; an API token is refused with 403.",
  security: [{ bearer: [] }],
  responses: { 204: { description: "Revoked, durably" }, ...problems(401, 403) },
});

export const readTokenRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(mintRoute, async (c) => {
    const keys = readTokenKeys(c.env);
    if (keys === null) {
      fail("not-configured", "READ_TOKEN_SECRET is not set: read tokens cannot be issued until it is.", {
        variables: ["READ_TOKEN_SECRET"],
      });
    }
    // Without a Content-Type the validator is skipped and hands over `{}`: defaults are applied here either way.
    const { threadId, ttlSeconds } = ReadTokenRequestSchema.parse(c.req.valid("json"));
    const issuedAt = Date.now();
    const expiresAt = issuedAt + ttlSeconds * 1000;
    const token = await signReadToken(keys, {
      tenant: c.get("tenant"),
      threadId: threadId ?? null,
      issuedAt,
      expiresAt,
      jti: crypto.randomUUID(),
    });
    return c.json({ token, expiresAt: new Date(expiresAt).toISOString(), threadId: threadId ?? null }, 201);
  })
  .openapi(revokeAllRoute, async (c) => {
    const tenant = c.get("tenant");
    remember(tenant, await c.env.DIRECTORY.getByName(tenant).revokeAll(), Date.now());
    return c.body(null, 204);
  })
  .openapi(revokeSelfRoute, async (c) => {
    const access = c.get("access");
    if (access.kind !== "read") {
      fail("forbidden", "Only a read token can revoke itself: send the read token to sign out with.");
    }
    const tenant = c.get("tenant");
    const { jti, expiresAt } = access.grant;
    remember(tenant, await c.env.DIRECTORY.getByName(tenant).revokeToken(jti, expiresAt), Date.now());
    return c.body(null, 204);
  });
