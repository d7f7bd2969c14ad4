/**
 * How the conformance adapter turns Durable Streams data into the service's runtime events and back. A JSON-mode
 * message is the payload of one `conformance.message` event; with byte streams on (adapter option), an append of
 * any other content type is one `conformance.bytes` event carrying its bytes in base64. Everything else in a
 * session's log (the marker a stream is created with, entries the service writes itself) is left out of reads.
 */
import { randomUUID } from "node:crypto";

export const PROVIDER = "conformance";
export const MESSAGE_TYPE = "conformance.message";
export const BYTES_TYPE = "conformance.bytes";
export const MARKER_TYPE = "conformance.stream";
/** The marker and the initial data have fixed ids and times, so creating a stream again is a duplicate. */
export const MARKER_EVENT_ID = "conformance-stream";
const FIXED_TIME = "1970-01-01T00:00:00.000Z";

export const JSON_TYPE = "application/json";

/** How a stream's data is carried: JSON messages, or bytes shown as text or as base64 in SSE. */
export type Encoding = "json" | "text" | "binary";

export function encodingOf(mediaType: string): Encoding {
  if (mediaType === JSON_TYPE) return "json";
  return mediaType.startsWith("text/") ? "text" : "binary";
}

export interface RuntimeEvent {
  eventId: string;
  type: string;
  provider: string;
  threadId: string;
  createdAt: string;
  payload: Record<string, unknown>;
}

function event(threadId: string, eventId: string, type: string, createdAt: string, payload: Record<string, unknown>) {
  return { eventId, type, provider: PROVIDER, threadId, createdAt, payload };
}

/** The event that creates the session of a stream, carrying the stream's content type. */
export function markerEvent(threadId: string, contentType: string): RuntimeEvent {
  return event(threadId, MARKER_EVENT_ID, MARKER_TYPE, FIXED_TIME, { contentType });
}

/** The content type a log's first entry (the marker) names; `null` when it is not a marker. */
export function markerContentType(entry: unknown): string | null {
  const found = eventOf(entry);
  const contentType = found?.type === MARKER_TYPE ? found.payload?.contentType : undefined;
  return typeof contentType === "string" ? contentType : null;
}

/** The events of a stream's data: initial data (PUT) gets fixed ids, so the same body sent again is a duplicate. */
export function dataEvents(
  threadId: string,
  data: { messages: unknown[] } | { bytes: Buffer },
  initial: boolean,
  now: Date,
): RuntimeEvent[] {
  const id = (index: number) => (initial ? `conformance-initial-${index}` : randomUUID());
  const createdAt = initial ? FIXED_TIME : now.toISOString();
  if ("bytes" in data) {
    if (data.bytes.length === 0) return [];
    return [event(threadId, id(0), BYTES_TYPE, createdAt, { base64: data.bytes.toString("base64") })];
  }
  return data.messages.map((message, index) => event(threadId, id(index), MESSAGE_TYPE, createdAt, { message }));
}

export type ParsedBody = { ok: true; messages: unknown[] } | { ok: false; detail: string };

/**
 * The messages of a JSON-mode body (PROTOCOL.md 7.1): a top-level array is flattened one level, anything else is one
 * message. `[]` is no message: valid for PUT, refused for POST by the caller.
 */
export function parseJsonBody(text: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, detail: `the body is not JSON: ${(error as Error).message}` };
  }
  return { ok: true, messages: Array.isArray(value) ? value : [value] };
}

function eventOf(entry: unknown): { type?: unknown; provider?: unknown; payload?: Record<string, unknown> } | null {
  if (typeof entry !== "object" || entry === null) return null;
  const found = (entry as { event?: unknown }).event;
  return typeof found === "object" && found !== null ? (found as ReturnType<typeof eventOf>) : null;
}

/** The messages of a page of log entries; `null` when the value is not an array (it is then passed on as it is). */
export function messagesOf(entries: unknown): unknown[] | null {
  if (!Array.isArray(entries)) return null;
  const messages: unknown[] = [];
  for (const entry of entries) {
    const found = eventOf(entry);
    if (found?.type !== MESSAGE_TYPE || found.provider !== PROVIDER || found.payload == null) continue;
    if ("message" in found.payload) messages.push(found.payload.message);
  }
  return messages;
}

/** The bytes a page of log entries carries, in order; `null` when the value is not an array. */
export function bytesOf(entries: unknown): { bytes: Buffer; count: number } | null {
  if (!Array.isArray(entries)) return null;
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const found = eventOf(entry);
    if (found?.type !== BYTES_TYPE || found.provider !== PROVIDER) continue;
    const base64 = found.payload?.base64;
    if (typeof base64 === "string") parts.push(Buffer.from(base64, "base64"));
  }
  return { bytes: Buffer.concat(parts), count: parts.length };
}

/** The media type of a Content-Type header: lower case, without parameters; `null` when absent or empty. */
export function mediaType(header: string | undefined | null): string | null {
  const type = header?.split(";")[0]?.trim().toLowerCase();
  return type === undefined || type === "" ? null : type;
}
