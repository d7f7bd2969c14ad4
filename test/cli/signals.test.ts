/** `send` and its signals: the abort listeners a send puts on them. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { newThreadId } from "../support/api.ts";
import { cli } from "../support/cli.ts";
import { runtimeEvent } from "../support/events.ts";

/** `perThread` content deltas for each thread, interleaved as an orchestrator's stream would be, one JSON a line. */
function interleaved(threads: readonly string[], perThread: number): string[] {
  return Array.from({ length: perThread }, (_, index) =>
    threads.map((threadId) => JSON.stringify(runtimeEvent("content.delta", { delta: `${index}` }, { threadId }))),
  ).flat();
}

/** Live abort listeners per signal, as seen through EventTarget's methods (Node 20 warns past 10 on one signal). */
function watchAbortListeners() {
  const live = new Map<AbortSignal, Set<unknown>>();
  let peak = 0;
  const { addEventListener, removeEventListener } = EventTarget.prototype;
  vi.spyOn(EventTarget.prototype, "addEventListener").mockImplementation(function (this: EventTarget, ...args) {
    const [type, listener] = args;
    if (type === "abort" && this instanceof AbortSignal && listener !== null) {
      const listeners = live.get(this) ?? new Set();
      live.set(this, listeners.add(listener));
      peak = Math.max(peak, listeners.size);
    }
    return addEventListener.apply(this, args);
  });
  vi.spyOn(EventTarget.prototype, "removeEventListener").mockImplementation(function (this: EventTarget, ...args) {
    const [type, listener] = args;
    if (type === "abort" && this instanceof AbortSignal) live.get(this)?.delete(listener);
    return removeEventListener.apply(this, args);
  });
  return {
    peak: () => peak,
    /** Listeners still waiting on a signal that can yet abort. */
    left: () => [...live].filter(([signal]) => !signal.aborted).reduce((sum, [, listeners]) => sum + listeners.size, 0),
  };
}

describe("abort listeners", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("a send to 20 threads holds one abort listener on a signal, not one per thread, and leaves none behind", async () => {
    const threads = Array.from({ length: 20 }, () => newThreadId());
    const listeners = watchAbortListeners();
    const run = await cli(["send", "-"], { files: { "-": interleaved(threads, 10) } });
    expect(run.stdout).toMatch(/^200 events in [\d.]+s: 200 stored, /);
    expect(listeners.peak()).toBe(1);
    expect(listeners.left()).toBe(0);
  });
});
