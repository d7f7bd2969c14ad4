/** `live()` and `directory()`: resumed after the last thing yielded, across dropped connections, behind and reset. */
import { describe, expect, it } from "vitest";
import type { Client, StreamMessage } from "../../src/client/index.ts";
import { newThreadId } from "../support/api.ts";
import { cuttingFetch, serviceFetch, testClient } from "../support/client-fetch.ts";
import { ev, runtimeEvent } from "../support/events.ts";

const client = testClient();

const deltas = (threadId: string, count: number) =>
  Array.from({ length: count }, (_, index) => runtimeEvent("content.delta", { delta: `d${index}` }, { threadId }));

/** Entry seqs until `lastSeq` is reached, with the other message types in between. */
async function entriesUntil(messages: AsyncIterable<StreamMessage>, lastSeq: number) {
  const seqs: number[] = [];
  const types: string[] = [];
  for await (const message of messages) {
    types.push(message.type);
    if (message.type !== "entry") continue;
    seqs.push(message.seq);
    if (message.seq >= lastSeq) break;
  }
  return { seqs, types };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

async function ingestInBatches(target: Client, threadId: string, batches: number, size: number) {
  for (let batch = 0; batch < batches; batch++) await target.ingest(threadId, deltas(threadId, size));
}

describe("live()", () => {
  it("resumes after a dropped connection without a gap or a duplicate", async () => {
    const threadId = newThreadId();
    await client.ingest(threadId, deltas(threadId, 10));
    const cutting = cuttingFetch(/\/stream/, 900, 3);
    const following = entriesUntil(testClient(cutting).live(threadId), 60);
    await ingestInBatches(client, threadId, 10, 5);
    const { seqs } = await following;
    expect(seqs).toEqual(range(1, 60));
    expect(cutting.cuts()).toBe(3);
    // Three reconnections with jittered backoff: on a loaded 2-core machine this takes more than 5 s.
  }, 20_000);

  it("starts after a session view's point (its epoch and lastSeq), then follows live", async () => {
    const threadId = newThreadId();
    await client.ingest(threadId, deltas(threadId, 3));
    const view = await client.session(threadId);
    const messages = client.live(threadId, { after: { epoch: view.epoch, seq: view.lastSeq } });
    const first = await messages.next();
    expect(first.value).toMatchObject({ type: "snapshot", epoch: view.epoch, session: { lastSeq: 3 } });
    await client.ingest(threadId, deltas(threadId, 2));
    expect((await entriesUntil(messages, 5)).seqs).toEqual([4, 5]);
  });

  it("reads the current life from its first entry without `after`", async () => {
    const threadId = newThreadId();
    await client.ingest(threadId, deltas(threadId, 3));
    const { seqs, types } = await entriesUntil(client.live(threadId), 3);
    expect(types[0]).toBe("snapshot");
    expect(seqs).toEqual([1, 2, 3]);
  });

  it("never skips the new life's first entries after a delete and a new session under the same threadId", async () => {
    const threadId = newThreadId();
    await client.ingest(threadId, deltas(threadId, 3));
    const oldLife = await client.session(threadId);
    await client.delete(threadId);
    await client.ingest(threadId, deltas(threadId, 2));
    const { seqs, types } = await entriesUntil(client.live(threadId, { after: { epoch: oldLife.epoch, seq: 1 } }), 2);
    expect(types.slice(0, 2)).toEqual(["snapshot", "reset"]);
    expect(seqs).toEqual([1, 2]);
    expect((await client.session(threadId)).epoch).not.toBe(oldLife.epoch);
  });

  it("pages the log when the stream says it is behind, then resubscribes", async () => {
    const threadId = newThreadId();
    await ingestInBatches(client, threadId, 3, 400);
    let pages = 0;
    const counting = testClient((input, init) => {
      if (String(input).includes("/events?")) pages += 1;
      return serviceFetch(input, init);
    });
    const following = entriesUntil(counting.live(threadId), 1210);
    await client.ingest(threadId, deltas(threadId, 10));
    const { seqs } = await following;
    expect(seqs).toEqual(range(1, 1210));
    expect(pages).toBeGreaterThanOrEqual(12);
  });

  it("keeps the old life's point when a connection drops between the new life's snapshot and its reset", async () => {
    const threadId = newThreadId();
    await client.ingest(threadId, deltas(threadId, 3));
    const oldLife = await client.session(threadId);
    await client.delete(threadId);
    await client.ingest(threadId, deltas(threadId, 5));
    // The first connection ends right after its first SSE event, the snapshot of the new life.
    let cut = false;
    const cutAfterSnapshot: typeof serviceFetch = async (input, init) => {
      const response = await serviceFetch(input, init);
      if (cut || !String(input).includes("/stream") || response.body === null) return response;
      cut = true;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!text.includes("\n\n")) text += (await reader.read()).value ?? "";
      await reader.cancel();
      return new Response(text.slice(0, text.indexOf("\n\n") + 2), response);
    };
    const following = testClient(cutAfterSnapshot).live(threadId, { after: { epoch: oldLife.epoch, seq: 3 } });
    const { seqs, types } = await entriesUntil(following, 5);
    expect(cut).toBe(true);
    expect(types).toContain("reset");
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });

  it("replays from seq 1 after a reset", async () => {
    const threadId = newThreadId();
    await client.ingest(threadId, deltas(threadId, 3));
    const { epoch } = await client.session(threadId);
    const { seqs, types } = await entriesUntil(client.live(threadId, { after: { epoch, seq: 50 } }), 3);
    expect(types.slice(0, 2)).toEqual(["snapshot", "reset"]);
    expect(seqs).toEqual([1, 2, 3]);
  });

  it("ends when the session is purged", async () => {
    const threadId = newThreadId();
    await client.ingest(threadId, ev.sessionStarted({ threadId }));
    const types: string[] = [];
    for await (const message of client.live(threadId)) {
      types.push(message.type);
      if (message.type === "synchronized") await client.delete(threadId);
    }
    expect(types.at(-1)).toBe("purged");
  });

  it("stops at its AbortSignal", async () => {
    const threadId = newThreadId();
    await client.ingest(threadId, deltas(threadId, 2));
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const message of client.live(threadId, { signal: controller.signal })) {
        seen.push(message.type);
        if (message.type === "synchronized") controller.abort(new Error("done watching"));
      }
    })();
    await expect(following).rejects.toThrow("done watching");
    expect(seen).toEqual(["snapshot", "entry", "entry", "synchronized"]);
  });
});

describe("directory()", () => {
  it("resumes by version across dropped connections, each change once", async () => {
    const prefix = `dir-${crypto.randomUUID()}-`;
    const { version } = await client.listPage({ limit: 1 });
    const cutting = cuttingFetch(/\/v1\/directory\/stream/, 700, 3);
    const wanted = new Set(range(0, 7).map((index) => `${prefix}${index}`));
    const versions: number[] = [];
    const following = (async () => {
      for await (const message of testClient(cutting).directory({ after: version })) {
        if (message.type !== "upsert" && message.type !== "remove") continue;
        versions.push(message.version);
        if (message.type === "upsert") wanted.delete(message.session.threadId);
        if (wanted.size === 0) return;
      }
    })();
    for (const threadId of [...wanted]) await client.ingest(threadId, ev.sessionStarted({ threadId }));
    await following;
    expect(versions).toEqual(range(version + 1, version + versions.length));
    expect(cutting.cuts()).toBeGreaterThanOrEqual(1);
  });
});
