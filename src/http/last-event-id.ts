/**
 * Where an SSE reader resumes. An EventSource reconnects with the URL it was opened with and the newest id it saw:
 * `Last-Event-ID` is the newer point, so it wins over `after`, or the reader would be sent what it has again.
 */
import type { Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "./app-env.ts";
import { fail } from "./problem.ts";

export function sseResumePoint(
  c: Context<AppEnv>,
  after: string | undefined,
  rule: z.ZodType,
  expected: string,
): string | undefined {
  const lastEventId = c.req.header("last-event-id");
  // An empty id is the SSE way of saying none.
  if (lastEventId === undefined || lastEventId === "") return after;
  if (!rule.safeParse(lastEventId).success) {
    fail("validation-failed", `Last-Event-ID must be an id this stream sent (${expected}).`, {
      errors: [{ pointer: "last-event-id", detail: `must be ${expected}` }],
    });
  }
  return lastEventId;
}
