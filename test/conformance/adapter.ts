/**
 * A test-only Durable Streams server in front of the service, for the protocol's conformance suite: each stream path
 * is a session (`conf-<run>-<hash of the path>`), read through `/v1/sessions/{threadId}/log` (reads.ts) and written
 * through the ingest API (writes.ts), since the service implements the protocol's read path only.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { proxyRead } from "./reads.ts";
import { answer } from "./responses.ts";
import { createService } from "./service.ts";
import { append, create, remove, type Write } from "./writes.ts";

export interface AdapterOptions {
  /** The service's origin, e.g. http://127.0.0.1:8787. */
  service: string;
  token: string;
  /** Keep appends of other content types as bytes (one event each) instead of refusing them: see README.md. */
  byteStreams?: boolean;
  /** Makes this run's threadIds its own; a new one per run. */
  nonce?: string;
  /** Told about anything the adapter could not map (a body that is not a log page, an SSE data event) or a fault. */
  onUnmapped?: (what: string) => void;
}

export interface Adapter {
  url: string;
  threadIdOf(path: string): string;
  close(): Promise<void>;
}

export async function startAdapter(options: AdapterOptions, port = 0): Promise<Adapter> {
  const nonce = options.nonce ?? randomBytes(4).toString("hex");
  const threadIdOf = (path: string) => `conf-${nonce}-${createHash("sha256").update(path).digest("hex").slice(0, 16)}`;
  const service = createService(options.service, options.token);
  const byteStreams = options.byteStreams ?? false;
  const onUnmapped = options.onUnmapped ?? (() => {});
  const server = createServer((request, response) => {
    const threadId = threadIdOf(new URL(request.url ?? "/", "http://adapter").pathname);
    const write: Write = { service, byteStreams, threadId, request, response };
    const handled = (() => {
      switch (request.method) {
        case "GET":
        case "HEAD":
        case "OPTIONS":
          return proxyRead({ ...write, onUnmapped });
        case "PUT":
          return create(write);
        case "POST":
          return append(write);
        case "DELETE":
          return remove(write);
        default:
          return answer(response, 405, { allow: "GET, HEAD, OPTIONS, PUT, POST, DELETE" }, "method not allowed");
      }
    })();
    Promise.resolve(handled).catch((error: unknown) => {
      // The suite ends a long-poll or an SSE read by aborting it; the upstream request is aborted with it.
      if ((error as Error).name === "AbortError") return;
      onUnmapped(`fault in ${request.method} ${request.url}: ${(error as Error).stack ?? error}`);
      // 502 and not a 4xx: an adapter fault must not pass for an answer of the service.
      if (!response.headersSent) answer(response, 502, {}, `adapter: ${(error as Error).message}`);
      else response.destroy(error as Error);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${bound}`, threadIdOf, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
