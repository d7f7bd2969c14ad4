/** The provider runtime event contract: T3 Code's ProviderRuntimeEvent envelope, lifecycle payloads checked. */
import { z } from "zod";
import { MAX_EVENTS_PER_BATCH, MAX_ID_LENGTH, MAX_PAYLOAD_DEPTH, MAX_THREAD_ID_LENGTH } from "./limits.ts";

/** The bounds live in limits.ts, without zod, for the bridges and the client; the schemas enforce them. */
export { MAX_EVENTS_PER_BATCH, MAX_PAYLOAD_DEPTH, MAX_THREAD_ID_LENGTH };

/** `session.state.changed` states; `interrupted` is not in the reference contract but its mapper accepts it. */
export const RUNTIME_SESSION_STATES = [
  "starting",
  "ready",
  "running",
  "waiting",
  "stopped",
  "error",
  "interrupted",
] as const;
export type RuntimeSessionState = (typeof RUNTIME_SESSION_STATES)[number];

export const RUNTIME_TURN_STATES = ["completed", "failed", "interrupted", "cancelled"] as const;
export type RuntimeTurnState = (typeof RUNTIME_TURN_STATES)[number];

/** Lifecycle text of any length: text over the projection's limit is clipped there, never refused (refusing loses the event). */
const optionalText = z.string().nullish();

/** Payloads of the events that can move the session lifecycle; every other type is stored as it is. */
const lifecyclePayloadSchemas = {
  "session.started": z.looseObject({ message: optionalText }),
  "thread.started": z.looseObject({ providerThreadId: optionalText }),
  "session.state.changed": z.looseObject({ state: z.enum(RUNTIME_SESSION_STATES), reason: optionalText }),
  "session.exited": z.looseObject({
    reason: optionalText,
    recoverable: z.boolean().nullish(),
    exitKind: z.enum(["graceful", "error"]).nullish(),
  }),
  "turn.started": z.looseObject({}),
  "turn.completed": z.looseObject({ state: z.enum(RUNTIME_TURN_STATES), errorMessage: optionalText }),
  "turn.aborted": z.looseObject({ reason: z.string() }),
  "runtime.error": z.looseObject({ message: z.string(), class: optionalText }),
} as const;

export type LifecycleEventType = keyof typeof lifecyclePayloadSchemas;
export type LifecyclePayload<K extends LifecycleEventType> = z.infer<(typeof lifecyclePayloadSchemas)[K]>;

export function isLifecycleEventType(type: string): type is LifecycleEventType {
  return Object.hasOwn(lifecyclePayloadSchemas, type);
}

const id = z.string().min(1).max(MAX_ID_LENGTH);

/** Cc: the C0 controls, DEL and the C1 controls (U+0000-U+001F, U+007F-U+009F). */
const CONTROL_CHARACTER = /\p{Cc}/u;

/**
 * The session an event belongs to; the path names it too, so it must spell the same in both. Well-formed Unicode:
 * a lone surrogate has no UTF-8 spelling, so no path could name it.
 */
export const ThreadIdSchema = z
  .string()
  .min(1)
  // `length`, not zod's max(), which counts code points: 256 emoji would pass it and name no object.
  .refine(
    (threadId) => threadId.length <= MAX_THREAD_ID_LENGTH,
    `must be at most ${MAX_THREAD_ID_LENGTH} UTF-16 code units (an emoji counts 2)`,
  )
  .refine((threadId) => !CONTROL_CHARACTER.test(threadId), "must not contain control characters")
  .refine((threadId) => threadId.isWellFormed(), "must be well-formed Unicode")
  .meta({ maxLength: MAX_THREAD_ID_LENGTH, pattern: "^[^\\u0000-\\u001F\\u007F-\\u009F]+$" });

export const RuntimeEventSchema = z
  .looseObject({
    // Lone surrogates cannot be stored as an SQLite key and read back equal, so a replay could not be recognised.
    eventId: z
      .string()
      .min(1)
      .max(128)
      .refine((eventId) => eventId.isWellFormed(), "must be well-formed Unicode"),
    type: z.string().min(1).max(128),
    provider: z.string().min(1).max(128),
    threadId: ThreadIdSchema,
    // Any string, as the reference types it (IsoDateTime = Schema.String): stored as sent, read by the projection if it can.
    createdAt: z.string().describe("the provider's time of the event, stored as sent; see docs/lifecycle-rules.md"),
    turnId: id.nullish(),
    itemId: id.nullish(),
    requestId: id.nullish(),
    providerInstanceId: id.nullish(),
    providerRefs: z.looseObject({}).nullish(),
    raw: z.looseObject({}).nullish(),
    // Any non-negative integer as sent, beyond 2^53 too: the text is stored as received, the fold compares numbers.
    sessionSequence: z
      .number()
      .min(0)
      .refine(Number.isInteger, "must be an integer")
      .meta({ type: "integer" })
      .nullish(),
    payload: z.looseObject({}).nullish(),
  })
  .superRefine((event, ctx) => {
    for (const [key, value] of Object.entries(event)) {
      if (exceedsDepth(value, MAX_PAYLOAD_DEPTH)) {
        ctx.addIssue({ code: "custom", path: [key], message: `nesting deeper than ${MAX_PAYLOAD_DEPTH} levels` });
      }
    }
    if (!isLifecycleEventType(event.type)) return;
    const parsed = lifecyclePayloadSchemas[event.type].safeParse(event.payload ?? {});
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: "custom", path: ["payload", ...issue.path], message: issue.message });
    }
  })
  .meta({ id: "RuntimeEvent", description: "A provider runtime event (T3 Code's ProviderRuntimeEvent envelope)" });

/** A provider runtime event as accepted at the edge; unknown fields are kept. */
export type RuntimeEvent = z.infer<typeof RuntimeEventSchema>;
/** An event as a client sends it. */
export type RuntimeEventInput = z.input<typeof RuntimeEventSchema>;

/** One event or a batch of them, as POSTed by an orchestrator. */
export const EventBatchSchema = z
  .union([RuntimeEventSchema, z.array(RuntimeEventSchema).min(1).max(MAX_EVENTS_PER_BATCH)])
  .meta({ id: "EventBatch", description: `One event, or an array of 1 to ${MAX_EVENTS_PER_BATCH} events` });

/** The payload of a lifecycle event; events reach the domain only after `RuntimeEventSchema` checked it. */
export function lifecyclePayload<K extends LifecycleEventType>(event: RuntimeEvent): LifecyclePayload<K> {
  return (event.payload ?? {}) as LifecyclePayload<K>;
}

/** Iterative, so hostile nesting cannot overflow the stack while it is being measured. */
function exceedsDepth(value: unknown, maxDepth: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (current === null || typeof current !== "object") continue;
    if (depth >= maxDepth) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}
