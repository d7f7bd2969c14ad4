/** Messages of a session's live stream (WebSocket frames, or SSE events named by `type`). */
import { z } from "zod";
import { LogEntryViewSchema, SessionViewSchema } from "./replies.ts";

/** Tells apart two lives of one threadId: minted when a session's first event is stored. */
const epoch = z
  .string()
  .describe("minted when the session's first event is stored; changes if it is deleted and begun again");

export const StreamMessageSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("snapshot"), epoch: epoch.nullable(), session: SessionViewSchema.nullable() }),
    LogEntryViewSchema.extend({ type: z.literal("entry") }),
    z.object({ type: z.literal("synchronized"), lastSeq: z.int() }),
    z.object({ type: z.literal("reset") }),
    z.object({ type: z.literal("behind"), lastSeq: z.int() }),
    z.object({ type: z.literal("session"), session: SessionViewSchema }),
    z.object({ type: z.literal("purged") }),
  ])
  .meta({ id: "StreamMessage" });
export type StreamMessage = z.infer<typeof StreamMessageSchema>;

/**
 * Where a subscriber resumes: a bare seq of the current life, or `<epoch>:<seq>` as SSE `id:` lines carry it.
 * Refuses anything else, so a typo is a 4xx rather than a replay from the start.
 */
export const ResumePointSchema = z
  .string()
  .regex(/^(?:[0-9a-z]{1,32}:)?\d{1,15}$/, "must be a seq, or <epoch>:<seq>")
  .transform((text) => {
    const separator = text.lastIndexOf(":");
    return separator < 0
      ? { epoch: null, seq: Number(text) }
      : { epoch: text.slice(0, separator), seq: Number(text.slice(separator + 1)) };
  });
export type ResumePoint = z.infer<typeof ResumePointSchema>;
