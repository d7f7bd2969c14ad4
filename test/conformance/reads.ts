/**
 * The suite's reads (GET, HEAD, OPTIONS), proxied to `/v1/sessions/{threadId}/log` with the query as sent and the
 * request's headers: the service's status and headers come back unchanged, and only a 200's JSON page of log
 * entries (or an SSE `data` event's) is mapped to the stream's data. A byte stream's answers also carry its own
 * content type instead of the log's application/json, and its SSE data base64 when it is not text.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { bytesOf, encodingOf, JSON_TYPE, mediaType, messagesOf } from "./messages.ts";
import { headerObject, relayBytes, returnedHeaders } from "./responses.ts";
import type { Service } from "./service.ts";
import { createSseMapper } from "./sse-mapping.ts";

/** Request headers the proxy does not pass on (hop by hop, or about the request's own body). */
const NOT_FORWARDED = new Set(["host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"]);

export interface Read {
  service: Service;
  byteStreams: boolean;
  threadId: string;
  request: IncomingMessage;
  response: ServerResponse;
  onUnmapped: (what: string) => void;
}

export async function proxyRead({ service, byteStreams, threadId, request, response, onUnmapped }: Read) {
  const method = request.method ?? "GET";
  const streamType = byteStreams && method !== "OPTIONS" ? await service.streamType(threadId) : null;
  const type = streamType ?? JSON_TYPE;
  const abort = new AbortController();
  response.on("close", () => abort.abort());
  const upstream = await service.fetch(threadId, `/log${rawQuery(request.url)}`, {
    method,
    headers: forwardedHeaders(request),
    signal: abort.signal,
    // A preflight carries no credentials; a read gets the tenant's token, as the suite's reads carry none.
    anonymous: method === "OPTIONS",
  });
  const upstreamType = mediaType(upstream.headers.get("content-type"));
  const headers = returnedHeaders(upstream.headers);
  if (type !== JSON_TYPE && upstreamType === JSON_TYPE) headers.set("content-type", type);
  if (method === "HEAD" || upstream.body === null || upstream.status === 204 || upstream.status === 304) {
    response.writeHead(upstream.status, headerObject(headers)).end();
    await upstream.body?.cancel();
    return;
  }
  if (upstreamType === "text/event-stream") return streamSse(upstream, response, headers, type, onUnmapped);
  const body = Buffer.from(await upstream.arrayBuffer());
  if (upstreamType !== JSON_TYPE || upstream.status !== 200) {
    return relayBytes(response, upstream.status, headers, body);
  }
  const mapped = mapPage(body.toString("utf8"), type);
  if (mapped === null) onUnmapped(`GET ${request.url}: ${body.toString("utf8").slice(0, 200)}`);
  relayBytes(response, upstream.status, headers, mapped ?? body);
}

/** A page of log entries as the stream's data; `null` when it is not a page. */
function mapPage(text: string, type: string): Buffer | null {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    return null;
  }
  if (type === JSON_TYPE) {
    const messages = messagesOf(entries);
    return messages === null ? null : Buffer.from(JSON.stringify(messages));
  }
  return bytesOf(entries)?.bytes ?? null;
}

async function streamSse(
  upstream: Response,
  response: ServerResponse,
  headers: Headers,
  type: string,
  onUnmapped: (what: string) => void,
) {
  const encoding = encodingOf(type);
  if (encoding === "binary") headers.set("stream-sse-data-encoding", "base64");
  response.writeHead(upstream.status, headerObject(headers));
  response.flushHeaders();
  const mapper = createSseMapper(encoding, (block) => onUnmapped(`SSE: ${block.slice(0, 200)}`));
  const decoder = new TextDecoder();
  try {
    for await (const chunk of upstream.body as ReadableStream<Uint8Array>) {
      const out = mapper.push(decoder.decode(chunk, { stream: true }));
      if (out !== "") response.write(out);
    }
    const rest = mapper.push(decoder.decode());
    response.end(rest + mapper.flush());
  } catch (error) {
    // The suite stops reading an SSE stream by aborting it: the upstream read ends with the abort.
    if ((error as Error).name !== "AbortError") response.destroy(error as Error);
  }
}

/** The query exactly as the suite sent it: a malformed offset must reach the service malformed. */
function rawQuery(url: string | undefined): string {
  const at = url?.indexOf("?") ?? -1;
  return url === undefined || at < 0 ? "" : url.slice(at);
}

function forwardedHeaders(request: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  // Bodies are mapped here, so they must come uncompressed.
  headers.set("accept-encoding", "identity");
  return headers;
}
