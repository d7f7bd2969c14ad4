/**
 * `frames=commit`: the same entries in the same order as one-a-frame, but one WebSocket frame per commit (or per
 * several, close together, with the session as of the last).
 */
import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import type { StreamMessage } from "../../src/contracts/stream.ts";
import { commitFrames, MAX_COMMIT_FRAME_BYTES } from "../../src/live/sockets.ts";
import { api, newThreadId, request, sessionPath } from "../support/api.ts";
import { ev } from "../support/events.ts";
import { isType, openLive } from "../support/live.ts";

async function post(threadId: string, events: RuntimeEvent[]) {
  expect((await api.post(threadId, events)).status).toBe(200);
}

const typesOf = (frame: string) => (JSON.parse(frame) as StreamMessage[]).map((message) => message.type);
const lastSeqIs = (seq: number) => (message: StreamMessage) =>
  message.type === "session" && message.session.lastSeq === seq;

describe("frames=commit", () => {
  it("sends a commit's messages as one JSON array frame, the same messages as one-a-frame", async () => {
    const threadId = newThreadId();
    const o = { threadId };
    await post(threadId, [ev.sessionStarted(o), ev.turnStarted("t1", o)]);
    const oneEach = await openLive(threadId, "0");
    const perCommit = await openLive(threadId, "0", { query: "frames=commit" });
    await Promise.all([oneEach.until(isType("synchronized")), perCommit.until(isType("synchronized"))]);

    await post(threadId, [ev.contentDelta("t1", o), ev.contentDelta("t1", o), ev.contentDelta("t1", o)]);
    // Commits close together may share a frame (below); this one comes after the first has gone out.
    await perCommit.until(lastSeqIs(5));
    await post(threadId, [ev.turnCompleted("t1", "completed", o)]);
    await Promise.all([oneEach.until(lastSeqIs(6)), perCommit.until(lastSeqIs(6))]);

    expect(perCommit.messages).toEqual(oneEach.messages);
    expect(perCommit.frames.map(typesOf)).toEqual([
      ["snapshot", "entry", "entry", "synchronized"],
      ["entry", "entry", "entry", "session"],
      ["entry", "session"],
    ]);
    expect(oneEach.frames).toHaveLength(10);
    oneEach.close();
    perCommit.close();
  });

  it("never splits a commit: under concurrent ingest every entry arrives once, in order, each frame ending with its session", async () => {
    const threadId = newThreadId();
    const o = { threadId };
    await post(threadId, [ev.sessionStarted(o), ev.turnStarted("t1", o)]);
    const subscribers = await Promise.all(
      Array.from({ length: 3 }, () => openLive(threadId, undefined, { query: "frames=commit" })),
    );
    await Promise.all(subscribers.map((live) => live.until(isType("synchronized"))));
    const batches = Array.from({ length: 20 }, (_, index) =>
      Array.from({ length: 1 + (index % 3) }, () => ev.contentDelta("t1", o)),
    );
    await Promise.all(batches.map((batch) => post(threadId, batch)));
    const lastSeq = 2 + batches.flat().length;
    for (const live of subscribers) {
      await live.until(lastSeqIs(lastSeq));
      const frames = live.frames.slice(1).map((frame) => JSON.parse(frame) as StreamMessage[]);
      const seqs = frames.flat().flatMap((message) => (message.type === "entry" ? [message.seq] : []));
      expect(seqs).toEqual(Array.from({ length: lastSeq - 2 }, (_, index) => index + 3));
      for (const frame of frames) {
        const entries = frame.flatMap((message) => (message.type === "entry" ? [message] : []));
        const sessions = frame.filter(isType("session"));
        expect(sessions).toHaveLength(1);
        expect(frame.at(-1)).toBe(sessions[0]);
        expect(lastSeqIs(entries.at(-1)?.seq ?? -1)(sessions[0] as StreamMessage)).toBe(true);
      }
      live.close();
    }
  });

  it("sends purged as an array too, then closes normally", async () => {
    const threadId = newThreadId();
    await post(threadId, [ev.sessionStarted({ threadId })]);
    const live = await openLive(threadId, undefined, { query: "frames=commit" });
    await live.until(isType("synchronized"));
    expect((await api.delete(threadId)).status).toBe(204);
    expect(await live.closed).toMatchObject({ code: 1000 });
    expect(live.frames.at(-1)).toBe('[{"type":"purged"}]');
  });

  it("refuses an unknown framing with a 422 problem", async () => {
    const response = await request("GET", `${sessionPath(newThreadId())}/live?frames=batch`, undefined, {
      headers: { upgrade: "websocket" },
    });
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("commitFrames", () => {
  it("keeps the order and starts a new frame before one would pass its size", () => {
    const big = (n: number) => JSON.stringify({ type: "entry", seq: n, pad: "x".repeat(MAX_COMMIT_FRAME_BYTES / 3) });
    const texts = [big(1), big(2), big(3), big(4), JSON.stringify({ type: "session" })];
    const frames = commitFrames(texts);
    expect(frames.map((frame) => (JSON.parse(frame) as { seq?: number }[]).map((m) => m.seq ?? "session"))).toEqual([
      [1, 2],
      [3, 4, "session"],
    ]);
    expect(frames.every((frame) => frame.length <= MAX_COMMIT_FRAME_BYTES + 2)).toBe(true);
    expect(commitFrames([])).toEqual([]);
  });
});
