/** The Hono app: middleware order, the one error path, and route mounting. */
import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./app-env.ts";
import { authenticateTenant } from "./auth.ts";
import { problemKindForStatus, problemResponse } from "./problem.ts";
import { sessionRoutes } from "./sessions.ts";
import { validationHook } from "./validation.ts";

export const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

app.use(secureHeaders());

app.get("/healthz", (c) => c.json({ ok: true }));

app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
app.doc31("/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "provider-sessions",
    version: "0.1.0",
    description: "Session state of coding-agent runtimes, projected from their provider runtime events.",
  },
});

app.use("/v1/*", authenticateTenant);
app.route("/", sessionRoutes);

app.notFound((c) => problemResponse("not-found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`));

app.onError((error, c) => {
  if (error instanceof HTTPException) {
    const response = error.getResponse();
    if (response.headers.get("content-type") === "application/problem+json") return response;
    return problemResponse(problemKindForStatus(error.status), error.message || response.statusText);
  }
  console.error(
    JSON.stringify({ message: "unhandled error", method: c.req.method, path: c.req.path, error: String(error) }),
  );
  // A failure after the commit (re-arming the alarm) leaves the write stored: the detail must not promise otherwise.
  return problemResponse(
    "internal",
    "The request failed unexpectedly; a write may or may not have been stored: retry it, replays are deduplicated.",
  );
});
