/** A read done again once a burst of changes settles, one at a time, never missing the last change (refresher.ts). */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Refresher } from "../../src/dashboard/refresher.ts";

const TIMING = { quietMs: 400, maxWaitMs: 3000 };

/** A read that counts its calls and finishes only when told. */
function reads() {
  const pending: (() => void)[] = [];
  let calls = 0;
  const read = () => {
    calls++;
    return new Promise<void>((resolve) => pending.push(resolve));
  };
  return {
    read,
    calls: () => calls,
    finish: async () => {
      pending.shift()?.();
      await vi.advanceTimersByTimeAsync(0);
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("a refresher", () => {
  it("reads once for a burst of requests, when it has been quiet for a while", async () => {
    const { read, calls } = reads();
    const refresher = new Refresher(read, TIMING);
    for (let message = 0; message < 20; message++) {
      refresher.request();
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(calls()).toBe(0);
    // The last request was 50 ms ago: 350 ms more of quiet.
    await vi.advanceTimersByTimeAsync(349);
    expect(calls()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls()).toBe(1);
  });

  it("reads at least every maxWaitMs while a burst goes on", async () => {
    const { read, calls, finish } = reads();
    const refresher = new Refresher(read, TIMING);
    for (let message = 0; message < 100; message++) {
      refresher.request();
      await vi.advanceTimersByTimeAsync(100);
      await finish();
    }
    // 10 s of a message every 100 ms: a read at 3 s, 6 s and 9 s.
    expect(calls()).toBe(3);
  });

  it("reads once more after a read under way when asked during it, and not twice at once", async () => {
    const { read, calls, finish } = reads();
    const refresher = new Refresher(read, TIMING);
    refresher.now();
    expect(calls()).toBe(1);
    refresher.now();
    refresher.request();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls()).toBe(1);
    await finish();
    expect(calls()).toBe(2);
    await finish();
    expect(calls()).toBe(2);
  });

  it("reads no more once disposed", async () => {
    const { read, calls } = reads();
    const refresher = new Refresher(read, TIMING);
    refresher.request();
    refresher.dispose();
    refresher.request();
    refresher.now();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls()).toBe(0);
  });
});
