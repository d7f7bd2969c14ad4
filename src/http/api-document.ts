/**
 * The parts of the OpenAPI document no route declares: the stream messages (WebSocket frames and SSE data), the
 * webhooks this service sends, and the security scheme, so a generated client types them too.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { DirectoryMessageSchema } from "../contracts/directory.ts";
import { StreamMessageSchema } from "../contracts/stream.ts";
import {
  SessionAttentionWebhookSchema,
  SessionLimitResetWebhookSchema,
  SessionReapedWebhookSchema,
  TurnExpiredWebhookSchema,
  UsageThresholdWebhookSchema,
} from "../contracts/webhooks.ts";
import type { AppEnv } from "./app-env.ts";

const WebhookHeaders = z.object({
  "webhook-id": z.string().describe("the same for every attempt of one notification: deduplicate by it"),
  "webhook-timestamp": z.string().describe("seconds since the epoch, when this attempt was signed"),
  "webhook-signature": z.string().describe("v1,<base64 HMAC-SHA256 of id.timestamp.body under WEBHOOK_SECRET>"),
});

const WEBHOOKS = [
  { name: "session.reaped", schema: SessionReapedWebhookSchema },
  { name: "turn.expired", schema: TurnExpiredWebhookSchema },
  { name: "session.attention", schema: SessionAttentionWebhookSchema },
  { name: "session.limit-reset", schema: SessionLimitResetWebhookSchema },
  { name: "usage.threshold", schema: UsageThresholdWebhookSchema },
] as const;

export function describeUndeclaredParts(app: OpenAPIHono<AppEnv>): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  registry.register("StreamMessage", StreamMessageSchema);
  registry.register("DirectoryMessage", DirectoryMessageSchema);
  for (const { name, schema } of WEBHOOKS) {
    registry.registerWebhook({
      method: "post",
      path: name,
      operationId: `webhook:${name}`,
      summary: `${name}, POSTed to WEBHOOK_URL (Standard Webhooks, signed)`,
      // Signed with WEBHOOK_SECRET (webhook-signature), not a bearer token.
      security: [],
      request: { headers: WebhookHeaders, body: { content: { "application/json": { schema } } } },
      responses: {
        204: {
          description: "Any 2xx acknowledges the delivery; anything else is retried with backoff for up to 25 hours",
        },
      },
    });
  }
}
