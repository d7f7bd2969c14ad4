/** The hub's own rules, with stand-in sockets: a subscriber that falls too far behind is closed, never waited for. */
import { describe, expect, it } from "vitest";
import type { StreamMessage } from "../../src/contracts/stream.ts";
import { commitFrameWindowMs, LiveHub, MAX_COMMIT_FRAME_WINDOW_MS } from "../../src/live/hub.ts";
import { CLOSE_TRY_AGAIN_LATER, MAX_BUFFERED_BYTES } from "../../src/live/sockets.ts";
import { Subscribers } from "../../src/live/subscribers.ts";

class StandInSocket {
  sent: string[] = [];
  closedWith: number | null = null;
  constructor(public bufferedAmount: number) {}
  send(frame: string) {
    this.sent.push(frame);
  }
  close(code: number) {
    this.closedWith = code;
  }
}

const WINDOW_MS = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const entry = (seq: number) => ({ type: "entry", seq }) as unknown as StreamMessage;
const session = (lastSeq: number) => ({ type: "session", session: { lastSeq } }) as unknown as StreamMessage;
const commit = (...seqs: number[]) => [...seqs.map(entry), session(seqs.at(-1) ?? 0)];

type Sent = { type: string; seq?: number; session?: { lastSeq: number } };
/** A message as the tests compare it: e<seq> for an entry, s<lastSeq> for a session, else its type. */
const label = (message: Sent) =>
  message.type === "entry"
    ? `e${message.seq}`
    : message.type === "session"
      ? `s${message.session?.lastSeq}`
      : message.type;

function hubWith(sockets: StandInSocket[]) {
  // Every stand-in socket is one-message-a-frame ("live"); none is commit-framed.
  const ctx = { getWebSockets: (tag: string) => (tag === "live" ? sockets : []) } as unknown as DurableObjectState;
  return new LiveHub<StreamMessage>(new Subscribers(ctx), () => null);
}

describe("a slow subscriber", () => {
  it("is closed with 1013 once its unsent data passes the bound, while the others keep receiving", () => {
    const slow = new StandInSocket(MAX_BUFFERED_BYTES + 1);
    const healthy = new StandInSocket(0);
    hubWith([slow, healthy]).broadcast([{ type: "synchronized", lastSeq: 3 }]);
    expect(slow.closedWith).toBe(CLOSE_TRY_AGAIN_LATER);
    expect(healthy.closedWith).toBeNull();
    expect(healthy.sent).toEqual([JSON.stringify({ type: "synchronized", lastSeq: 3 })]);
  });

  it("is kept while its unsent data stays within the bound", () => {
    const busy = new StandInSocket(MAX_BUFFERED_BYTES);
    hubWith([busy]).broadcast([{ type: "reset" }]);
    expect(busy.closedWith).toBeNull();
  });
});

describe("commit frames", () => {
  /** A frame as the client reads it: its messages, labelled. */
  const shape = (frame: string) => (JSON.parse(frame) as Sent[]).map(label);

  function commitHub(sockets: StandInSocket[]) {
    const ctx = {
      getWebSockets: (tag: string) => (tag === "live-commit-frames" ? sockets : []),
      // A real socket (from openWebSocket's pair) joins the list as the runtime's would.
      acceptWebSocket: (socket: WebSocket) => {
        socket.accept();
        sockets.push(socket as unknown as StandInSocket);
      },
    } as unknown as DurableObjectState;
    return new LiveHub<StreamMessage>(new Subscribers(ctx), () => null, {
      supersedes: (message) => message.type === "session",
      frameWindowMs: () => WINDOW_MS,
    });
  }

  it("sends a commit after a quiet window at once, and the commits inside the window together at its end", async () => {
    const first = new StandInSocket(0);
    const second = new StandInSocket(0);
    const hub = commitHub([first, second]);
    hub.broadcast(commit(1));
    expect(first.sent.map(shape)).toEqual([["e1", "s1"]]);

    hub.broadcast(commit(2, 3));
    hub.broadcast(commit(4));
    expect(first.sent).toHaveLength(1);
    await sleep(WINDOW_MS * 2);
    // Every entry, in order; the session only as of the frame's last commit.
    expect(first.sent.map(shape)).toEqual([
      ["e1", "s1"],
      ["e2", "e3", "e4", "s4"],
    ]);
    expect(second.sent).toEqual(first.sent);

    await sleep(WINDOW_MS * 2);
    hub.broadcast(commit(5));
    expect(first.sent.map(shape).at(-1)).toEqual(["e5", "s5"]);
  });

  it("sends what waits to the sockets already open before a new one is accepted, so the new one never gets it twice", async () => {
    const earlier = new StandInSocket(0);
    const sockets = [earlier];
    const hub = commitHub(sockets);
    hub.broadcast(commit(1));
    hub.broadcast(commit(2));
    expect(earlier.sent).toHaveLength(1);

    const response = hub.openWebSocket([session(2)], null, null, "commit");
    // The waiting commit went out to the earlier socket before the new one joined the list.
    expect(earlier.sent.map(shape)).toEqual([
      ["e1", "s1"],
      ["e2", "s2"],
    ]);
    const joined = sockets.at(-1) as unknown as WebSocket;
    expect(joined).not.toBe(earlier);
    const client = response.webSocket as WebSocket;
    const received: string[] = [];
    client.addEventListener("message", (event) => received.push(String(event.data)));
    client.accept();
    await sleep(WINDOW_MS * 2);
    expect(received.map(shape)).toEqual([["s2"]]);
  });

  it("sends what waits before the last message when closing everything", () => {
    const socket = new StandInSocket(0);
    const hub = commitHub([socket]);
    hub.broadcast(commit(1));
    hub.broadcast(commit(2));
    hub.closeAll({ type: "purged" }, "purged");
    expect(socket.sent.map(shape)).toEqual([["e1", "s1"], ["e2", "s2"], ["purged"]]);
  });

  it("keeps every message of a hub that supersedes none", async () => {
    const socket = new StandInSocket(0);
    const ctx = { getWebSockets: (tag: string) => (tag === "live-commit-frames" ? [socket] : []) };
    const hub = new LiveHub<StreamMessage>(new Subscribers(ctx as unknown as DurableObjectState), () => null, {
      frameWindowMs: () => WINDOW_MS,
    });
    hub.broadcast(commit(1));
    hub.broadcast(commit(2));
    hub.broadcast(commit(3));
    await sleep(WINDOW_MS * 2);
    expect(socket.sent.map(shape)).toEqual([
      ["e1", "s1"],
      ["e2", "s2", "e3", "s3"],
    ]);
  });
});

describe("event streams", () => {
  /** Reads an event stream's `data:` lines as they arrive, labelled. */
  function reading(response: Response) {
    const seen: string[] = [];
    const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        for (const line of read.value.split("\n")) {
          if (!line.startsWith("data: ")) continue;
          seen.push(label(JSON.parse(line.slice(6)) as Sent));
        }
      }
    })();
    return seen;
  }

  function streamHub() {
    const ctx = { getWebSockets: () => [] } as unknown as DurableObjectState;
    return new LiveHub<StreamMessage>(new Subscribers(ctx), () => null, {
      supersedes: (message) => message.type === "session",
      frameWindowMs: () => WINDOW_MS,
    });
  }

  it("get a commit after a quiet window at once, and the commits inside it together, with the newest session", async () => {
    const hub = streamHub();
    const seen = reading(hub.openEventStream([session(0)], false, null));
    hub.broadcast(commit(1));
    await sleep(5);
    expect(seen).toEqual(["s0", "e1", "s1"]);
    hub.broadcast(commit(2));
    hub.broadcast(commit(3, 4));
    await sleep(5);
    expect(seen).toEqual(["s0", "e1", "s1"]);
    await sleep(WINDOW_MS * 2);
    expect(seen).toEqual(["s0", "e1", "s1", "e2", "e3", "e4", "s4"]);
    hub.closeAll({ type: "purged" }, "purged");
  });

  it("send what waits to the streams already open before a new one opens, so it never gets a commit twice", async () => {
    const hub = streamHub();
    const earlier = reading(hub.openEventStream([session(0)], false, null));
    hub.broadcast(commit(1));
    hub.broadcast(commit(2));
    const later = reading(hub.openEventStream([session(2)], false, null));
    await sleep(WINDOW_MS * 2);
    expect(earlier).toEqual(["s0", "e1", "s1", "e2", "s2"]);
    expect(later).toEqual(["s2"]);
    hub.closeAll({ type: "purged" }, "purged");
  });
});

describe("the commit frame window", () => {
  it("is next to nothing for one subscriber and grows with the subscribers, up to its bound", () => {
    expect(commitFrameWindowMs(1)).toBeLessThan(1);
    expect(commitFrameWindowMs(100)).toBe(20);
    expect(commitFrameWindowMs(256)).toBe(MAX_COMMIT_FRAME_WINDOW_MS);
    expect(MAX_COMMIT_FRAME_WINDOW_MS).toBeLessThanOrEqual(50);
  });
});
