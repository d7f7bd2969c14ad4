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
      "1-256 UTF-16 code units, as JavaScript's length counts them (an emoji outside the Basic Multilingual Plane " +
      "counts 2, so JSON Schema's maxLength, which counts code points, is looser than the service), no control " +
      "characters, well-formed Unicode; percent-encoded UTF-8 in the path (a literal % is %25)",
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
