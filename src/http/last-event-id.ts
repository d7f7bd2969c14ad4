/**
 * Where an SSE reader resumes. An EventSource reconnects with the URL it was opened with and the newest id it saw:
 * `Last-Event-ID` is the newer point, so it wins over `after`, or the reader would be sent what it has again.
 */
import type { Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "./app-env.ts";
import { fail } from "./problem.ts";

export function sseResumePoint<T>(
  c: Context<AppEnv>,
  after: T | undefined,
  rule: z.ZodType<T>,
  expected: string,
): T | undefined {
  const lastEventId = c.req.header("last-event-id");
  // An empty id is the SSE way of saying none.
  if (lastEventId === undefined || lastEventId === "") return after;
  const parsed = rule.safeParse(lastEventId);
  if (!parsed.success) {
    fail("validation-failed", `Last-Event-ID must be an id this stream sent (${expected}).`, {
      errors: [{ pointer: "last-event-id", detail: `must be ${expected}` }],
    });
  }
  return parsed.data;
}
