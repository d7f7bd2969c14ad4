/** Read-only tokens for browsers and phones: what is asked for and what is answered. */
import { z } from "zod";
import { ThreadIdSchema } from "./events.ts";
import { READ_TOKEN_DEFAULT_TTL_SECONDS, READ_TOKEN_MAX_TTL_SECONDS } from "./vocabulary.ts";

export const ReadTokenRequestSchema = z
  .object({
    threadId: ThreadIdSchema.optional().describe("limit the token to this session"),
    ttlSeconds: z
      .int()
      .min(1)
      .max(READ_TOKEN_MAX_TTL_SECONDS)
      .default(READ_TOKEN_DEFAULT_TTL_SECONDS)
      .describe("lifetime in seconds"),
  })
  .meta({ id: "ReadTokenRequest" });

export const ReadTokenSchema = z
  .object({
    token: z.string().describe("send as Authorization: Bearer, or ?access_token= on read routes"),
    expiresAt: z.iso.datetime(),
    threadId: z.string().nullable(),
  })
  .meta({ id: "ReadToken" });
export type ReadToken = z.infer<typeof ReadTokenSchema>;
