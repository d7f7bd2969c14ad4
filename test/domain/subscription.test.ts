/** Where a live subscriber's replay starts: the rules of docs/streams.md, case by case. */
import { describe, expect, it } from "vitest";
import { planReplay } from "../../src/domain/subscription.ts";

describe("planReplay", () => {
  it("starts from the snapshot when the subscriber gives no resume point", () => {
    expect(planReplay(null, "e1", 10)).toEqual({ kind: "snapshot-only" });
  });

  it("replays after a seq of this life, given bare or with its epoch", () => {
    expect(planReplay({ epoch: null, seq: 5 }, "e1", 10)).toEqual({ kind: "replay", afterSeq: 5, reset: false });
    expect(planReplay({ epoch: "e1", seq: 5 }, "e1", 10)).toEqual({ kind: "replay", afterSeq: 5, reset: false });
    expect(planReplay({ epoch: "e1", seq: 10 }, "e1", 10)).toEqual({ kind: "replay", afterSeq: 10, reset: false });
    expect(planReplay({ epoch: null, seq: 0 }, null, 0)).toEqual({ kind: "replay", afterSeq: 0, reset: false });
  });

  it("resets and replays from seq 1 for a point of another life, or past the last seq", () => {
    expect(planReplay({ epoch: "old", seq: 5 }, "e1", 10)).toEqual({ kind: "replay", afterSeq: 0, reset: true });
    expect(planReplay({ epoch: "e1", seq: 11 }, "e1", 10)).toEqual({ kind: "replay", afterSeq: 0, reset: true });
    expect(planReplay({ epoch: null, seq: 3 }, null, 0)).toEqual({ kind: "replay", afterSeq: 0, reset: true });
    expect(planReplay({ epoch: "e1", seq: 0 }, null, 0)).toEqual({ kind: "replay", afterSeq: 0, reset: true });
  });

  it("sends at most 1,000 entries of backlog; past that the subscriber is behind", () => {
    expect(planReplay({ epoch: null, seq: 0 }, "e1", 1000)).toEqual({ kind: "replay", afterSeq: 0, reset: false });
    expect(planReplay({ epoch: null, seq: 0 }, "e1", 1001)).toEqual({ kind: "behind" });
    expect(planReplay({ epoch: null, seq: 1000 }, "e1", 2000)).toEqual({
      kind: "replay",
      afterSeq: 1000,
      reset: false,
    });
    expect(planReplay({ epoch: null, seq: 999 }, "e1", 2000)).toEqual({ kind: "behind" });
    // A reset replays from seq 1, so the whole log counts.
    expect(planReplay({ epoch: "old", seq: 1990 }, "e1", 2000)).toEqual({ kind: "behind" });
  });
});
