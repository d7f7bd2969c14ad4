/**
 * The service's limits as plain constants, with no schema code: the zod schemas, the client, the CLI and the bridges
 * all import them from here, so a bridge bundle stays free of zod and no copy can drift.
 */

/** turnId, itemId, requestId, providerInstanceId and eventId: 1 to this many characters. */
export const MAX_ID_LENGTH = 256;
/**
 * A threadId, in UTF-16 code units (JavaScript's `length`: a character outside the Basic Multilingual Plane, such as
 * an emoji, counts 2). In UTF-8 that is at most 768 bytes, so `<tenant>/<threadId>` stays well inside the 1,024
 * bytes a Durable Object keeps of the name it was addressed by (a longer name comes back undefined).
 */
export const MAX_THREAD_ID_LENGTH = 256;
/** Lifecycle text (messages, reasons) the projection keeps; longer text is clipped, and bridges clip it first. */
export const MAX_TEXT_LENGTH = 65_536;
/** The end of a crashed provider's stderr that the view keeps (`stderrTail`); bridges send no more than this. */
export const MAX_STDERR_TAIL_LENGTH = 4_096;
/** Nesting deeper than this, in any field, is refused. */
export const MAX_PAYLOAD_DEPTH = 64;
/** Events in one ingest request. */
export const MAX_EVENTS_PER_BATCH = 500;
/** Bytes of one ingest request's body. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Rows of one `GET /v1/usage` report. */
export const MAX_USAGE_ROWS = 10_000;
