/** Messages of a session's live stream (WebSocket frames, or SSE events named by `type`). */
import { z } from "zod";
import { EpochSchema, LogEntryViewSchema, SessionViewSchema } from "./replies.ts";

export const StreamMessageSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("snapshot"), epoch: EpochSchema.nullable(), session: SessionViewSchema.nullable() }),
    LogEntryViewSchema.extend({ type: z.literal("entry") }),
    z.object({ type: z.literal("synchronized"), lastSeq: z.int() }),
    z.object({ type: z.literal("reset") }),
    z.object({ type: z.literal("behind"), lastSeq: z.int() }),
    z.object({ type: z.literal("session"), session: SessionViewSchema }),
    z.object({ type: z.literal("purged") }),
  ])
  .meta({ id: "StreamMessage" });
export type StreamMessage = z.infer<typeof StreamMessageSchema>;
