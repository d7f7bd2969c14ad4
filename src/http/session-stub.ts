/** The path parameter every session route shares, and the session object it names for the caller. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ThreadIdSchema } from "../contracts/events.ts";
import { sessionObjectName } from "../session/session-key.ts";
import type { AppEnv } from "./app-env.ts";
import { fail } from "./problem.ts";

export const ThreadParams = z.object({
  threadId: ThreadIdSchema.meta({
    param: { name: "threadId", in: "path" },
    example: "thread-42",
    description:
      "1-256 Unicode code points (not UTF-16 units: an emoji counts once), no control characters, well-formed " +
      "Unicode; percent-encoded UTF-8 in the path (a literal % is %25)",
  }),
});

/** The caller's session object; a read token limited to another thread sees no such session. */
export function sessionOf(c: Context<AppEnv>, threadId: string) {
  const access = c.get("access");
  if (access.kind === "read" && access.threadId !== null && access.threadId !== threadId) notFound(threadId);
  return c.env.SESSIONS.getByName(sessionObjectName({ tenant: c.get("tenant"), threadId }));
}

export function notFound(threadId: string): never {
  fail("session-not-found", `No session ${JSON.stringify(threadId)} for this tenant.`);
}
