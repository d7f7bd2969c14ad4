/** The hub's own rules, with stand-in sockets: a subscriber that falls too far behind is closed, never waited for. */
import { describe, expect, it } from "vitest";
import type { StreamMessage } from "../../src/contracts/stream.ts";
import { CLOSE_TRY_AGAIN_LATER, LiveHub, MAX_BUFFERED_BYTES } from "../../src/session/live-hub.ts";

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

function hubWith(sockets: StandInSocket[]) {
  // Every stand-in socket is one-message-a-frame ("live"); none is commit-framed.
  const ctx = { getWebSockets: (tag: string) => (tag === "live" ? sockets : []) } as unknown as DurableObjectState;
  return new LiveHub<StreamMessage>(ctx, () => null);
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
