/**
 * The logs by offset across a restart of `wrangler dev` (same state directory): @durable-streams/client follows a
 * session's log and the directory's in each mode, and every item arrives once, in order, with no gap, whether it
 * resumes from an offset it saved or its live read reconnects by itself.
 */
import { stream } from "@durable-streams/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, type DevServer, startDevServer } from "../browser/support/dev-server.ts";

let server: DevServer;
const auth = { authorization: `Bearer ${API_TOKEN}` };

beforeAll(async () => {
  server = await startDevServer();
});

afterAll(async () => {
  await server?.stop();
});

interface Note {
  event: { eventId: string; payload: { n: number } };
}
interface Change {
  type: string;
  version: number;
  session?: { threadId: string };
  threadId?: string;
}

async function append(threadId: string, from: number, count: number): Promise<void> {
  const events = Array.from({ length: count }, (_, i) => ({
    eventId: `note-${from + i}`,
    type: "item.note",
    provider: "codex",
    threadId,
    createdAt: new Date().toISOString(),
    payload: { n: from + i },
  }));
  const response = await fetch(`${server.origin}/v1/sessions/${threadId}/events`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify(events),
  });
  expect(response.status).toBe(200);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sessionLog = (threadId: string) => `${server.origin}/v1/sessions/${threadId}/log`;

/** Catch-up from an offset until up to date: what a client that saved its offset reads after a restart. */
async function readFrom<T>(url: string, offset: string): Promise<{ items: T[]; offset: string }> {
  const items: T[] = [];
  for (let upToDate = false; !upToDate; ) {
    const chunk = await stream<T>({ url, headers: auth, offset, live: false });
    items.push(...(await chunk.json()));
    ({ offset, upToDate } = chunk);
  }
  return { items, offset };
}

const BACKOFF = { initialDelay: 100, maxDelay: 500, multiplier: 1.5 };

/**
 * Follows a log with the client as an app would: it keeps each batch's offset, and when the subscription ends (the
 * server went away: @durable-streams/client 0.2.7 ends an SSE subscription whose body is cut, and gives up a
 * long-poll's retries only at `stop`) it subscribes again from there.
 */
function follow<T>(url: string, live: "long-poll" | "sse", from: string, onItems: (items: readonly T[]) => void) {
  let offset = from;
  let stopped = false;
  let controller = new AbortController();
  void (async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await stream<T>({
          url,
          headers: auth,
          offset,
          live,
          signal: controller.signal,
          backoffOptions: BACKOFF,
          onError: () => (stopped ? undefined : {}),
        });
        response.subscribeJson((batch) => {
          onItems(batch.items);
          offset = batch.offset;
        });
        await response.closed;
      } catch {
        // The server went away mid-read: subscribe again from the last offset.
      }
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    stop() {
      stopped = true;
      controller.abort();
    },
  };
}

/** Resolves once `ready()` holds, checked after each batch. */
function waiter(ready: () => boolean) {
  let wake: () => void = () => {};
  return {
    check: () => {
      if (ready()) wake();
    },
    until: () =>
      new Promise<void>((resolve) => {
        wake = resolve;
        if (ready()) resolve();
      }),
  };
}

describe("a session's log across a restart", () => {
  it("resumes from a saved offset with exactly what came after it", async () => {
    const threadId = `restart-${crypto.randomUUID()}`;
    await append(threadId, 1, 5);
    const before = await readFrom<Note>(sessionLog(threadId), "-1");
    expect(before.items.map((item) => item.event.payload.n)).toEqual(range(1, 5));
    await server.restart();
    await append(threadId, 6, 3);
    const after = await readFrom<Note>(sessionLog(threadId), before.offset);
    expect(after.items.map((item) => item.event.payload.n)).toEqual(range(6, 8));
  });

  for (const live of ["long-poll", "sse"] as const) {
    it(`is followed over ${live} through the restart: each entry once, in order`, async () => {
      const threadId = `restart-${live}-${crypto.randomUUID()}`;
      await append(threadId, 1, 3);
      const seen: number[] = [];
      let wanted = 3;
      const progress = waiter(() => seen.length >= wanted);
      const reader = follow<Note>(sessionLog(threadId), live, "-1", (items) => {
        seen.push(...items.map((item) => item.event.payload.n));
        progress.check();
      });
      await progress.until();
      await server.restart();
      await append(threadId, 4, 4);
      wanted = 7;
      await progress.until();
      reader.stop();
      expect(seen).toEqual(range(1, 7));
    });
  }
});

describe("the directory's log across a restart", () => {
  for (const live of [false, "long-poll", "sse"] as const) {
    it(`gives each change once, in order, read ${live === false ? "by saved offset" : `over ${live}`}`, async () => {
      const threads = [1, 2, 3, 4].map((n) => `dir-${n}-${crypto.randomUUID()}`);
      const mine = (changes: readonly Change[]) =>
        changes.filter((change) => threads.includes(change.session?.threadId ?? change.threadId ?? ""));
      /** No change twice or out of order (versions only grow), and the threads in the order they began. */
      const expectOnceInOrder = (changes: readonly Change[]) => {
        const versions = changes.map((change) => change.version);
        expect(versions).toEqual([...new Set(versions)].toSorted((a, b) => a - b));
        const order = [...new Set(changes.map((change) => threads.indexOf(change.session?.threadId ?? "")))];
        expect(order).toEqual([0, 1, 2, 3]);
      };
      const url = `${server.origin}/v1/directory/log`;
      const start = (await stream({ url, headers: auth, offset: "now", live: false })).offset;
      await append(threads[0] as string, 1, 1);
      await append(threads[1] as string, 1, 1);
      if (live === false) {
        const before = await readFrom<Change>(url, start);
        await server.restart();
        await append(threads[2] as string, 1, 1);
        await append(threads[3] as string, 1, 1);
        const after = await readFrom<Change>(url, before.offset);
        expectOnceInOrder([...mine(before.items), ...mine(after.items)]);
        return;
      }
      const seen: Change[] = [];
      let wanted = 2;
      const threadsSeen = () => new Set(seen.map((change) => change.session?.threadId)).size;
      const progress = waiter(() => threadsSeen() >= wanted);
      const reader = follow<Change>(url, live, start, (items) => {
        seen.push(...mine(items));
        progress.check();
      });
      await progress.until();
      await server.restart();
      await append(threads[2] as string, 1, 1);
      await append(threads[3] as string, 1, 1);
      wanted = 4;
      await progress.until();
      reader.stop();
      expectOnceInOrder(seen);
    });
  }
});
