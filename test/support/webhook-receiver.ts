/**
 * A local webhook receiver for the workerd tests, in Node: it verifies every delivery with the independent
 * `standardwebhooks` implementation and keeps what it received, keyed by threadId.
 * POST /hooks/reap        a delivery (401 unless `verify()` accepts it; 503 while failures are scheduled for that thread)
 * POST /control/fail      {threadId, times}: fail the next deliveries for that thread
 * POST /control/clock     {threadId, now}: the sending object's (faked) clock, which `verify()` checks the timestamp against
 * GET  /received?threadId list of {headers, body, verified, status}
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import type { TestProject } from "vitest/node";
import { TEST_WEBHOOK_SECRET } from "./test-config.ts";
import type { ReceivedDelivery } from "./webhook-delivery.ts";

declare module "vitest" {
  interface ProvidedContext {
    webhookReceiverUrl: string;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/**
 * The library's full `verify()`, tolerance unchanged, at the sender's clock: the tests fake the object's clock hours
 * ahead, and `verify()` reads `Date.now()` synchronously, so swapping it for the call alone is seen by nothing else.
 */
function verifiesAt(verifier: Webhook, headers: Record<string, string>, body: string, senderNow: number): boolean {
  const realNow = Date.now;
  Date.now = () => senderNow;
  try {
    verifier.verify(body, headers);
    return true;
  } catch {
    return false;
  } finally {
    Date.now = realNow;
  }
}

function threadIdOf(body: string): string {
  try {
    return (JSON.parse(body) as { data?: { threadId?: string } }).data?.threadId ?? "unknown";
  } catch {
    return "unknown";
  }
}

export default async function setup(project: TestProject) {
  const verifier = new Webhook(TEST_WEBHOOK_SECRET);
  const received = new Map<string, ReceivedDelivery[]>();
  const failures = new Map<string, number>();
  const senderClocks = new Map<string, number>();

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://receiver");
    const body = await readBody(request);
    if (request.method === "POST" && url.pathname === "/hooks/reap") {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      const threadId = threadIdOf(body);
      const verified = verifiesAt(verifier, headers, body, senderClocks.get(threadId) ?? Date.now());
      const remainingFailures = failures.get(threadId) ?? 0;
      const status = !verified ? 401 : remainingFailures > 0 ? 503 : 204;
      if (remainingFailures > 0) failures.set(threadId, remainingFailures - 1);
      received.set(threadId, [...(received.get(threadId) ?? []), { headers, body, verified, status }]);
      response.writeHead(status).end();
      return;
    }
    if (request.method === "POST" && url.pathname === "/control/fail") {
      const { threadId, times } = JSON.parse(body) as { threadId: string; times: number };
      failures.set(threadId, times);
      response.writeHead(204).end();
      return;
    }
    if (request.method === "POST" && url.pathname === "/control/clock") {
      const { threadId, now } = JSON.parse(body) as { threadId: string; now: number };
      senderClocks.set(threadId, now);
      response.writeHead(204).end();
      return;
    }
    if (request.method === "GET" && url.pathname === "/received") {
      const threadId = url.searchParams.get("threadId") ?? "";
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(received.get(threadId) ?? []));
      return;
    }
    response.writeHead(404).end();
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("webhookReceiverUrl", `http://127.0.0.1:${port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
