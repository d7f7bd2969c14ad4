/** The path parameter every session route shares, and the session object it names for a tenant. */
import { z } from "@hono/zod-openapi";
import { sessionObjectName } from "../session/session-key.ts";

export const ThreadParams = z.object({
  threadId: z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name: "threadId", in: "path" }, example: "thread-42" }),
});

export function sessionStub(env: Env, tenant: string, threadId: string) {
  return env.SESSIONS.getByName(sessionObjectName({ tenant, threadId }));
}
