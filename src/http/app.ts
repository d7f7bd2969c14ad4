/** The Hono app: middleware order, the one error path, and route mounting. `AppType` types `hono/client`. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { ProblemSchema } from "../contracts/problem.ts";
import { describeUndeclaredParts } from "./api-document.ts";
import type { AppEnv } from "./app-env.ts";
import { authenticateTenant, enforceReadOnly } from "./auth.ts";
import { configurationProblem, requireConfiguration } from "./configuration.ts";
import { crossOrigin } from "./cors.ts";
import { directoryRoutes } from "./directory.ts";
import { logRoutes } from "./logs.ts";
import { allowedMethods, isReadMethod } from "./methods.ts";
import { problemKindForStatus, problemResponse } from "./problem.ts";
import { limitQueryRepeats } from "./query-repeats.ts";
import { readTokenRoutes } from "./read-token-routes.ts";
import { sessionRoutes } from "./sessions.ts";
import { streamRoutes } from "./streams.ts";
import { usageRoutes } from "./usage.ts";
import { validationHook } from "./validation.ts";

const healthRoute = createRoute({
  operationId: "getHealth",
  method: "get",
  path: "/healthz",
  tags: ["service"],
  summary: "Liveness and configuration check (no authentication)",
  security: [],
  responses: {
    200: {
      description: "The Worker runs and its configuration is usable",
      content: { "application/json": { schema: z.object({ ok: z.literal(true) }).meta({ id: "Health" }) } },
    },
    503: {
      description: "The configuration is missing or invalid (RFC 9457 problem naming the variables)",
      content: { "application/problem+json": { schema: ProblemSchema } },
    },
  },
});

export const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

// Middleware first: Hono runs handlers and middleware in the order they are registered. CORS comes before
// authentication: a preflight carries no credentials.
// The API answers JSON only: of the secure headers an HTML page needs, nosniff is the one that applies. Set before
// the handler, so the response carries it as built, not rebuilt afterwards (problems set it themselves).
app.use(async (c, next) => {
  c.header("x-content-type-options", "nosniff");
  await next();
});
app.use(crossOrigin);
app.use("/v1/*", requireConfiguration, authenticateTenant, enforceReadOnly, limitQueryRepeats);

/** Chained, so the type carries every route for `hc<AppType>`. */
const routes = app
  .openapi(healthRoute, (c) => {
    const problem = configurationProblem(c.env, "health");
    if (problem !== null) return problem as never;
    return c.json({ ok: true as const }, 200);
  })
  .route("/", sessionRoutes)
  .route("/", usageRoutes)
  .route("/", streamRoutes)
  .route("/", logRoutes)
  .route("/", readTokenRoutes)
  .route("/", directoryRoutes);

export type AppType = typeof routes;

describeUndeclaredParts(app);
app.doc31("/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "provider-sessions",
    version: "0.7.0",
    description: "Session state of coding-agent runtimes, projected from their provider runtime events.",
  },
  servers: [{ url: "/", description: "the Worker serving this document" }],
  tags: [
    { name: "sessions", description: "Ingest events and read a session's projection and log" },
    { name: "live", description: "Follow a session as it changes: WebSocket or Server-Sent Events" },
    { name: "directory", description: "The tenant's sessions: a filtered listing and its live changes" },
    { name: "read tokens", description: "Read-only tokens for browsers and phones" },
    { name: "service", description: "Health and the API description" },
  ],
});

app.notFound((c) => {
  const path = new URL(c.req.url).pathname;
  const allowed = allowedMethods(app.routes, path);
  if (allowed.length === 0) return problemResponse("not-found", `No route for ${c.req.method} ${path}.`);
  return problemResponse(
    "method-not-allowed",
    `${path} answers ${allowed.join(", ")}, not ${c.req.method}.`,
    {},
    { allow: allowed.join(", ") },
  );
});

app.onError((error, c) => {
  if (error instanceof HTTPException) {
    const response = error.getResponse();
    if (response.headers.get("content-type") === "application/problem+json") return response;
    return problemResponse(problemKindForStatus(error.status), error.message || response.statusText);
  }
  console.error(
    JSON.stringify({ message: "unhandled error", method: c.req.method, path: c.req.path, error: String(error) }),
  );
  // A failure after the commit (re-arming the alarm) leaves a write stored: the detail must not promise otherwise.
  return problemResponse(
    "internal",
    isReadMethod(c.req.method)
      ? "The request failed unexpectedly; retry it."
      : "The request failed unexpectedly; a write may or may not have been stored: retry it, replays are deduplicated.",
  );
});
