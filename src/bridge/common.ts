/**
 * What every bridge shares: reading untyped messages, clipping to the service's limits, and event ids. Ids are either
 * derived from content (stdout mode: a re-read transcript yields the same ids) or from the run's identity and the
 * message's place in it (wrap mode: a replayed recording yields the same ids, two live runs never collide).
 */
import { toBase64url } from "../base64url.ts";
import { canonicalJson } from "../contracts/canonical-json.ts";
import type { RuntimeEvent } from "../contracts/events.ts";
import { MAX_ID_LENGTH, MAX_PAYLOAD_DEPTH, MAX_TEXT_LENGTH } from "../contracts/limits.ts";
import { depthExceeds, isRecord } from "./json-rpc.ts";

export type BridgeKind = "codex" | "claude" | "acp";
export const BRIDGE_KINDS: readonly BridgeKind[] = ["codex", "claude", "acp"];

/** `createdAt` of events before anything has shown a time. */
export const UNKNOWN_TIME = "1970-01-01T00:00:00.000Z";
/** A message's params sit two levels below the event (`raw.payload`), whose nesting the service bounds. */
export const MAX_PARAMS_DEPTH = MAX_PAYLOAD_DEPTH - 4;
/** Keeps one event well under the service's 1 MiB body, whatever the characters encode to. */
export const MAX_PARAMS_CHARACTERS = 131_072;

/** Who a wrap-mode run is: minted at spawn, written at the head of a recording, read back by a replay. */
export interface RunIdentity {
  runId: string;
  kind: BridgeKind;
  threadId: string;
  startedAt: string;
}

/** The direction of a message on the agent's stdio: `in` the client wrote to its stdin, `out` it wrote to stdout. */
export type Direction = "in" | "out";

export function newRunId(): string {
  return toBase64url(crypto.getRandomValues(new Uint8Array(16)).buffer as ArrayBuffer);
}

/**
 * The id of the `index`-th event of the `ordinal`-th line in direction `dir` of a run: equal on replay, distinct
 * across runs. `-w` marks wrap mode, so no wrap-mode id equals a stdout-mode (content-derived) one.
 */
export function placeEventId(run: RunIdentity, dir: Direction, ordinal: number, index: number): string {
  return `${run.kind}-w${run.runId}-${dir}${ordinal}-${index}`;
}

/** Ids of the events a run's own edges stand for (its spawn, its exit). */
export function edgeEventId(run: RunIdentity, edge: "start" | "exit"): string {
  return `${run.kind}-w${run.runId}-${edge}`;
}

/** SHA-256 of the values in canonical JSON, base64url: the content-derived id of stdout mode. */
export async function contentDigest(values: readonly unknown[]): Promise<string> {
  const key = canonicalJson(values);
  return toBase64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
}

export function record(value: unknown): Record<string, unknown> | null {
  return isRecord(value) ? value : null;
}

export function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** The first MAX_TEXT_LENGTH UTF-16 units, one fewer when the cut would split a surrogate pair (as the projection clips). */
export function clip(value: string): string {
  if (value.length <= MAX_TEXT_LENGTH) return value;
  const last = value.charCodeAt(MAX_TEXT_LENGTH - 1);
  return value.slice(0, last >= 0xd800 && last <= 0xdbff ? MAX_TEXT_LENGTH - 1 : MAX_TEXT_LENGTH);
}

/** A string usable as turnId, itemId or requestId, or null. */
export function validId(value: unknown): string | null {
  const id = text(value);
  return id !== null && id.length > 0 && id.length <= MAX_ID_LENGTH ? id : null;
}

export function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => source[key] !== undefined).map((key) => [key, source[key]]));
}

/** A message as an event stores it in `raw.payload`; too large or too deep for the service, a note says what was left out. */
export function storable(params: Record<string, unknown>): Record<string, unknown> {
  const characters = JSON.stringify(params).length;
  if (characters > MAX_PARAMS_CHARACTERS) {
    return { omitted: `params of ${characters} characters (the bridge stores at most ${MAX_PARAMS_CHARACTERS})` };
  }
  if (depthExceeds(params, MAX_PARAMS_DEPTH)) {
    return { omitted: `params nested deeper than ${MAX_PARAMS_DEPTH} levels` };
  }
  return params;
}

/** Years 0 to 9999 only: ISO 8601 spells later ones with a sign the service refuses. */
const LAST_ISO_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** `value` counted in units of `msPerUnit` milliseconds since the epoch, as ISO 8601; null if it is no such time. */
export function isoTime(value: unknown, msPerUnit: number): string | null {
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  const ms = Math.round(value * msPerUnit);
  return ms >= 0 && ms <= LAST_ISO_MS ? new Date(ms).toISOString() : null;
}

/** What one message becomes before the envelope: type, payload and the ids it names. */
export interface Draft {
  type: string;
  payload?: Record<string, unknown>;
  turnId?: string | null;
  itemId?: string | null;
  requestId?: string | null;
}

/** The envelope every wrap-mode bridge puts around a draft: ids, provider refs and the message it came from. */
export function draftEvent(
  run: RunIdentity,
  draft: Draft,
  envelope: {
    eventId: string;
    createdAt: string;
    provider: BridgeKind;
    /** The provider's id for the request the message belongs to, when it has one. */
    providerRequestId: string | null;
    raw: { source: string; method: string; payload: Record<string, unknown> };
  },
): RuntimeEvent {
  const { turnId = null, itemId = null, requestId = null } = draft;
  const { providerRequestId } = envelope;
  return {
    eventId: envelope.eventId,
    type: draft.type,
    provider: envelope.provider,
    threadId: run.threadId,
    createdAt: envelope.createdAt,
    ...(turnId === null ? {} : { turnId }),
    ...(itemId === null ? {} : { itemId }),
    ...(requestId === null ? {} : { requestId }),
    providerRefs: {
      ...(itemId === null ? {} : { providerItemId: itemId }),
      ...(providerRequestId === null ? {} : { providerRequestId }),
    },
    raw: envelope.raw,
    ...(draft.payload === undefined ? {} : { payload: draft.payload }),
  };
}
