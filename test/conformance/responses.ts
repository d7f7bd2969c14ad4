/** The adapter's own answers, and the service's passed on (hop-by-hop headers and stale lengths removed). */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Headers that stop being true once a body is mapped, and hop-by-hop ones. */
const NOT_RETURNED = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"]);
/** Headers the service puts on every answer, copied onto the adapter's own write answers. */
const SAFETY_HEADERS = ["x-content-type-options", "cross-origin-resource-policy"];

export function returnedHeaders(from: Headers): Headers {
  const headers = new Headers();
  from.forEach((value, name) => {
    if (!NOT_RETURNED.has(name)) headers.append(name, value);
  });
  return headers;
}

export function headerObject(headers: Headers): Record<string, string | string[]> {
  const object: Record<string, string | string[]> = {};
  headers.forEach((value, name) => {
    object[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) object["set-cookie"] = cookies;
  return object;
}

export function safetyHeaders(from: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of SAFETY_HEADERS) {
    const value = from.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return headers;
}

/** A service answer passed on as it is (a problem, a 404, a DELETE's 204). */
export async function relay(response: ServerResponse, upstream: Response) {
  const body = Buffer.from(await upstream.arrayBuffer());
  relayBytes(response, upstream.status, returnedHeaders(upstream.headers), body);
}

export function relayBytes(response: ServerResponse, status: number, headers: Headers, body: Buffer) {
  const out = headerObject(headers);
  const empty = status === 204 || status === 304;
  if (!empty) out["content-length"] = String(body.length);
  response.writeHead(status, out).end(empty ? undefined : body);
}

/** An answer of the adapter's own: no body, or a problem with `detail`. */
export function answer(response: ServerResponse, status: number, headers: Record<string, string>, detail?: string) {
  if (detail === undefined) {
    response.writeHead(status, headers).end();
    return;
  }
  const body = JSON.stringify({ title: "conformance adapter", status, detail });
  response
    .writeHead(status, {
      "content-type": "application/problem+json",
      "content-length": String(Buffer.byteLength(body)),
      ...headers,
    })
    .end(body);
}

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
