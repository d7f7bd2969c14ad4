/** Where a live subscriber's replay starts: the rules of docs/streams.md, case by case. */
import { describe, expect, it } from "vitest";
import { planReplay } from "../../src/domain/subscription.ts";

describe("planReplay", () => {
  it("starts the current life from its first entry when the subscriber gives no point, or seq 0", () => {
    expect(planReplay(null, "e1", 10)).toEqual({ kind: "replay", afterSeq: 0, reset: false });
    expect(planReplay({ epoch: null, seq: 0 }, "e1", 10)).toEqual({ kind: "replay", afterSeq: 0, reset: false });
    expect(planReplay({ epoch: null, seq: 0 }, null, 0)).toEqual({ kind: "replay", afterSeq: 0, reset: false });
    expect(planReplay(null, null, 0)).toEqual({ kind: "replay", afterSeq: 0, reset: false });
  });

  it("resumes after a seq of this life given with its epoch", () => {
    expect(planReplay({ epoch: "e1", seq: 5 }, "e1", 10)).toEqual({ kind: "replay", afterSeq: 5, reset: false });
    expect(planReplay({ epoch: "e1", seq: 10 }, "e1", 10)).toEqual({ kind: "replay", afterSeq: 10, reset: false });
    expect(planReplay({ epoch: "e1", seq: 0 }, "e1", 10)).toEqual({ kind: "replay", afterSeq: 0, reset: false });
  });

  it("resets a bare seq above 0, which names no life, and replays this life from its start", () => {
    expect(planReplay({ epoch: null, seq: 5 }, "e1", 10)).toEqual({ kind: "replay", afterSeq: 0, reset: true });
    expect(planReplay({ epoch: null, seq: 10 }, "e1", 10)).toEqual({ kind: "replay", afterSeq: 0, reset: true });
    expect(planReplay({ epoch: null, seq: 3 }, null, 0)).toEqual({ kind: "replay", afterSeq: 0, reset: true });
  });

  it("resets a point of another life, or past the last seq, and replays from seq 1", () => {
    expect(planReplay({ epoch: "old", seq: 5 }, "e1", 10)).toEqual({ kind: "replay", afterSeq: 0, reset: true });
    expect(planReplay({ epoch: "e1", seq: 11 }, "e1", 10)).toEqual({ kind: "replay", afterSeq: 0, reset: true });
    expect(planReplay({ epoch: "e1", seq: 0 }, null, 0)).toEqual({ kind: "replay", afterSeq: 0, reset: true });
  });

  it("sends at most 1,000 entries of backlog; past that the subscriber is behind", () => {
    expect(planReplay(null, "e1", 1000)).toEqual({ kind: "replay", afterSeq: 0, reset: false });
    expect(planReplay(null, "e1", 1001)).toEqual({ kind: "behind" });
    expect(planReplay({ epoch: "e1", seq: 1000 }, "e1", 2000)).toEqual({
      kind: "replay",
      afterSeq: 1000,
      reset: false,
    });
    expect(planReplay({ epoch: "e1", seq: 999 }, "e1", 2000)).toEqual({ kind: "behind" });
    // A reset replays from seq 1, so the whole log counts.
    expect(planReplay({ epoch: "old", seq: 1990 }, "e1", 2000)).toEqual({ kind: "behind" });
    expect(planReplay({ epoch: null, seq: 1990 }, "e1", 2000)).toEqual({ kind: "behind" });
  });
});
