/**
 * The suite's writes, done through the service's ingest API (the session log has no DS write path): PUT ingests the
 * marker and the initial data, POST one event per message (or per byte append), DELETE deletes the session.
 * What a session log cannot do (TTL, producers, Stream-Seq, closure, forks; content types other than JSON unless byte
 * streams are on) is refused with 400, the protocol's answer to headers or parameters a server does not accept, and
 * never with a 5xx, which the DS client retries until the case times out.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { dataEvents, JSON_TYPE, MARKER_EVENT_ID, markerEvent, mediaType, parseJsonBody } from "./messages.ts";
import { answer, readBody, relay, safetyHeaders } from "./responses.ts";
import type { Service } from "./service.ts";

/** Request headers of DS features a session log does not have, with the feature each belongs to. */
const UNSUPPORTED_HEADERS: Record<string, string> = {
  "stream-ttl": "TTL",
  "stream-expires-at": "expiry",
  "stream-seq": "Stream-Seq writer sequencing",
  "producer-id": "idempotent producers",
  "producer-epoch": "idempotent producers",
  "producer-seq": "idempotent producers",
  "stream-closed": "stream closure",
  "stream-forked-from": "forks",
  "stream-fork-offset": "forks",
  "stream-fork-sub-offset": "forks",
};

export interface Write {
  service: Service;
  /** Content types other than application/json are kept as bytes instead of refused. */
  byteStreams: boolean;
  threadId: string;
  request: IncomingMessage;
  response: ServerResponse;
}

/** PUT: the marker and the initial data in one ingest; a marker already there makes it an idempotent create. */
export async function create({ service, byteStreams, threadId, request, response }: Write) {
  const body = await readBody(request);
  const unsupported = unsupportedFeature(request);
  if (unsupported !== null) return refuse(response, unsupported);
  // PROTOCOL.md 5.1: a server MAY default the content type; a session log's is JSON.
  const type = mediaType(request.headers["content-type"]) ?? JSON_TYPE;
  if (type !== JSON_TYPE && !byteStreams) return refuse(response, `content type ${type} (a session log is JSON only)`);
  const data = dataOf(type, body, true);
  if (!data.ok) return answer(response, 400, {}, data.detail);
  const marker = markerEvent(threadId, type);
  let ingested = await service.ingest(threadId, [marker, ...dataEvents(threadId, data.data, true, new Date())]);
  // Created before with another body: DS keeps the first one and answers 200, so ask again with the marker alone.
  // A marker with another content type is still a 409: the configuration differs.
  if (ingested.status === 409) {
    await ingested.body?.cancel();
    ingested = await service.ingest(threadId, [marker]);
  }
  if (ingested.status !== 200) return relay(response, ingested);
  const reply = (await ingested.json()) as { results: { eventId: string; outcome: string }[] };
  const created = reply.results.find((result) => result.eventId === MARKER_EVENT_ID)?.outcome !== "duplicate";
  service.remember(threadId, type);
  const path = new URL(request.url ?? "/", "http://adapter").pathname;
  answer(response, created ? 201 : 200, {
    ...safetyHeaders(ingested),
    "content-type": type,
    ...(await service.tailHeader(threadId)),
    ...(created ? { location: `http://${request.headers.host}${path}` } : {}),
  });
}

/** POST: each message of the body one event (a byte append one event), ingested in order. */
export async function append({ service, threadId, request, response }: Write) {
  const body = await readBody(request);
  const streamType = await service.streamType(threadId);
  if (streamType === null) return relay(response, await service.fetch(threadId, ""));
  const unsupported = unsupportedFeature(request);
  if (unsupported !== null) return refuse(response, unsupported);
  const type = mediaType(request.headers["content-type"]);
  if (type === null) return answer(response, 400, {}, "Content-Type is required");
  if (type !== streamType) return answer(response, 409, {}, `the stream's content type is ${streamType}, not ${type}`);
  if (body.length === 0) return answer(response, 400, {}, "an append needs a body");
  const data = dataOf(type, body, false);
  if (!data.ok) return answer(response, 400, {}, data.detail);
  const events = dataEvents(threadId, data.data, false, new Date());
  if (events.length === 0) return answer(response, 400, {}, "an empty JSON array appends nothing");
  const ingested = await service.ingest(threadId, events);
  if (ingested.status !== 200) return relay(response, ingested);
  await ingested.body?.cancel();
  answer(response, 204, { ...safetyHeaders(ingested), ...(await service.tailHeader(threadId)) });
}

export async function remove({ service, threadId, response }: Write) {
  const deleted = await service.fetch(threadId, "", { method: "DELETE" });
  if (deleted.status === 204) service.remember(threadId, null);
  return relay(response, deleted);
}

type Data = { ok: true; data: { messages: unknown[] } | { bytes: Buffer } } | { ok: false; detail: string };

function dataOf(type: string, body: Buffer, initial: boolean): Data {
  if (type !== JSON_TYPE) return { ok: true, data: { bytes: body } };
  if (initial && body.length === 0) return { ok: true, data: { messages: [] } };
  const parsed = parseJsonBody(body.toString("utf8"));
  return parsed.ok ? { ok: true, data: { messages: parsed.messages } } : parsed;
}

function unsupportedFeature(request: IncomingMessage): string | null {
  for (const name of Object.keys(request.headers)) {
    const feature = UNSUPPORTED_HEADERS[name];
    if (feature !== undefined) return `${feature} (${name})`;
  }
  return null;
}

function refuse(response: ServerResponse, feature: string) {
  answer(response, 400, {}, `not supported by a session log: ${feature}`);
}
