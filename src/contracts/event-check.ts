/** A hand-written check that says "certainly valid" for ordinary events without running zod; false means "ask zod". */
import { isLifecycleEventType, RUNTIME_SESSION_STATES, RUNTIME_TURN_STATES } from "./events.ts";
import { MAX_EVENTS_PER_BATCH, MAX_ID_LENGTH, MAX_PAYLOAD_DEPTH, MAX_THREAD_ID_LENGTH } from "./limits.ts";

// The limit `RuntimeEventSchema` writes inline. Lengths are compared in UTF-16 units: never more than zod's code points.
const MAX_NAME_LENGTH = 128; // eventId, type, provider

type Fields = Record<string, unknown>;

/**
 * True only if `EventBatchSchema` accepts `value` (one event, or an array of 1 to 500); false when in doubt.
 * `value` is data as `JSON.parse` returns it: enumerable data properties, no accessors or proxies.
 */
export function isCertainlyValidBatch(value: unknown): boolean {
  if (!Array.isArray(value)) return isCertainlyValidEvent(value);
  if (value.length === 0 || value.length > MAX_EVENTS_PER_BATCH) return false;
  for (let index = 0; index < value.length; index += 1) {
    if (!isCertainlyValidEvent(value[index])) return false;
  }
  return true;
}

/** True only if `RuntimeEventSchema` accepts `value`; false when in doubt. */
export function isCertainlyValidEvent(value: unknown): boolean {
  if (!isObject(value)) return false;
  const { eventId, type, provider, threadId, createdAt, sessionSequence, payload } = value;
  if (!isText(eventId, 1, MAX_NAME_LENGTH) || !eventId.isWellFormed()) return false;
  if (!isText(type, 1, MAX_NAME_LENGTH) || !isText(provider, 1, MAX_NAME_LENGTH)) return false;
  if (!isThreadId(threadId)) return false;
  if (typeof createdAt !== "string") return false;
  if (!isOptionalId(value.turnId) || !isOptionalId(value.itemId)) return false;
  if (!isOptionalId(value.requestId) || !isOptionalId(value.providerInstanceId)) return false;
  if (!isOptionalObject(value.providerRefs) || !isOptionalObject(value.raw) || !isOptionalObject(payload)) return false;
  if (sessionSequence != null && !isWholeNumber(sessionSequence)) return false;
  for (const key in value) {
    if (!isShallow(value[key], 0)) return false;
  }
  return isCertainlyValidPayload(type, payload ?? {});
}

/** The lifecycle payload rules of `RuntimeEventSchema`, field by field; every other type takes any object. */
function isCertainlyValidPayload(eventType: string, payload: Fields): boolean {
  if (!isLifecycleEventType(eventType)) return true;
  switch (eventType) {
    case "session.started":
      return isOptionalText(payload.message);
    case "thread.started":
      return isOptionalText(payload.providerThreadId);
    case "session.state.changed":
      return isOneOf(payload.state, RUNTIME_SESSION_STATES) && isOptionalText(payload.reason);
    case "session.exited":
      return (
        isOptionalText(payload.reason) &&
        (payload.recoverable == null || typeof payload.recoverable === "boolean") &&
        (payload.exitKind == null || payload.exitKind === "graceful" || payload.exitKind === "error")
      );
    case "turn.started":
      return true;
    case "turn.completed":
      return isOneOf(payload.state, RUNTIME_TURN_STATES) && isOptionalText(payload.errorMessage);
    case "turn.aborted":
      return typeof payload.reason === "string";
    case "runtime.error":
      return typeof payload.message === "string" && isOptionalText(payload.class);
    default:
      eventType satisfies never;
      return false;
  }
}

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isOptionalObject(value: unknown): value is Fields | null | undefined {
  return value == null || isObject(value);
}

function isText(value: unknown, min: number, max: number): value is string {
  return typeof value === "string" && value.length >= min && value.length <= max;
}

function isOptionalId(value: unknown): boolean {
  return value == null || isText(value, 1, MAX_ID_LENGTH);
}

function isOptionalText(value: unknown): boolean {
  return value == null || typeof value === "string";
}

function isOneOf(value: unknown, allowed: readonly string[]): boolean {
  return typeof value === "string" && allowed.includes(value);
}

function isWholeNumber(value: unknown): boolean {
  return typeof value === "number" && value >= 0 && Number.isInteger(value);
}

/**
 * Not empty, at most 256 UTF-16 units, no C0/DEL/C1 control character (Unicode's Cc), no lone surrogate: exactly
 * ThreadIdSchema's rules (a property test holds them equal), for the path parameter of every ingest.
 */
export function isThreadId(value: unknown): value is string {
  if (!isText(value, 1, MAX_THREAD_ID_LENGTH)) return false;
  let surrogates = false;
  for (let index = 0; index < value.length; index += 1) {
    const unit = value.charCodeAt(index);
    if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f)) return false;
    if (unit >= 0xd800 && unit <= 0xdfff) surrogates = true;
  }
  return !surrogates || value.isWellFormed();
}

/** No object nested `MAX_PAYLOAD_DEPTH` levels below a field; the recursion stops there, so it cannot overflow. */
function isShallow(value: unknown, depth: number): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (depth >= MAX_PAYLOAD_DEPTH) return false;
  for (const key in value) {
    if (!isShallow((value as Fields)[key], depth + 1)) return false;
  }
  return true;
}
