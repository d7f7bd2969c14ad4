/**
 * A stand-in for the service's ingest route in plain Node, for tests of processes that forward to it (the bridge's
 * wrap mode): it stores events per thread in order, answers a repeated eventId as a duplicate, and can be stopped
 * and started again on the same port, as a real service that goes away and comes back.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { RuntimeEvent } from "../../src/contracts/events.ts";

export interface IngestServer {
  origin: string;
  /** Stored events by thread, in the order they were stored. */
  stored(threadId: string): RuntimeEvent[];
  /** How many times an event already stored was sent again. */
  duplicates(threadId: string): number;
  /** Stops answering (open connections are cut); `start()` answers again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Resolves once the thread holds at least `count` events. */
  storedAtLeast(threadId: string, count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startIngestServer(): Promise<IngestServer> {
  const threads = new Map<string, { events: RuntimeEvent[]; ids: Set<string>; duplicates: number }>();
  const waiters = new Set<() => void>();
  const thread = (threadId: string) => {
    const entry = threads.get(threadId) ?? { events: [], ids: new Set<string>(), duplicates: 0 };
    threads.set(threadId, entry);
    return entry;
  };
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = async () => {
    if (server !== null) return;
    const created = createServer((request, response) => {
      const match = /^\/v1\/sessions\/([^/]+)\/events$/.exec(request.url ?? "");
      if (request.method !== "POST" || match === null) {
        response
          .writeHead(404, { "content-type": "application/problem+json" })
          .end('{"status":404,"title":"Not Found"}');
        return;
      }
      const threadId = decodeURIComponent(match[1] ?? "");
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => {
        body += chunk;
      });
      request.on("end", () => {
        const entry = thread(threadId);
        const results = [JSON.parse(body) as RuntimeEvent | RuntimeEvent[]].flat().map((event) => {
          if (entry.ids.has(event.eventId)) {
            entry.duplicates += 1;
            return { eventId: event.eventId, seq: 0, outcome: "duplicate" };
          }
          entry.ids.add(event.eventId);
          entry.events.push(event);
          return { eventId: event.eventId, seq: entry.events.length, outcome: "recorded" };
        });
        for (const wake of waiters) wake();
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ session: {}, results }));
      });
    });
    created.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => created.listen(port, "127.0.0.1", resolve));
    port = (created.address() as AddressInfo).port;
    server = created;
  };
  const stop = async () => {
    const running = server;
    server = null;
    if (running === null) return;
    const closed = new Promise<void>((resolve) => running.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  await listen();
  return {
    origin: `http://127.0.0.1:${port}`,
    stored: (threadId) => [...thread(threadId).events],
    duplicates: (threadId) => thread(threadId).duplicates,
    stop,
    start: listen,
    storedAtLeast: (threadId, count) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (thread(threadId).events.length < count) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    close: stop,
  };
}
