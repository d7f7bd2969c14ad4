/** `send` and its signals: Ctrl-C pressed as the Node entry wires it, and the abort listeners a send leaves on them. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { INTERRUPTED_STATUS, interruptSignal } from "../../src/cli/interrupt.ts";
import type { Fetch } from "../../src/client/index.ts";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import { newThreadId } from "../support/api.ts";
import { cli } from "../support/cli.ts";
import { serviceFetch, testClient } from "../support/client-fetch.ts";
import { runtimeEvent } from "../support/events.ts";

const client = testClient();

/** A `process` whose Ctrl-C the test presses. */
function terminal() {
  let onInterrupt = () => {};
  const exit = vi.fn<(code: number) => void>();
  const process = {
    on: (_event: "SIGINT", listener: () => void) => {
      onInterrupt = listener;
    },
    exit,
  };
  return { signal: interruptSignal(process), pressCtrlC: () => onInterrupt(), exit };
}

/** `perThread` content deltas for each thread, interleaved as an orchestrator's stream would be, one JSON a line. */
function interleaved(threads: readonly string[], perThread: number): string[] {
  return Array.from({ length: perThread }, (_, index) =>
    threads.map((threadId) => JSON.stringify(runtimeEvent("content.delta", { delta: `${index}` }, { threadId }))),
  ).flat();
}

/** The counts of an interrupted send's summary line. */
function interruptedSummary(stdout: string) {
  const summary = /^(\d+) events in [\d.]+s, interrupted: (.+)$/m.exec(stdout);
  if (summary === null) throw new Error(`no summary of an interrupted send in ${JSON.stringify(stdout)}`);
  const count = (name: string) => Number(new RegExp(`(\\d+) ${name},`).exec(summary[2] ?? "")?.[1] ?? Number.NaN);
  return {
    read: Number(summary[1]),
    stored: count("stored"),
    duplicate: count("duplicate"),
    refused: count("refused"),
    notSent: count("not sent"),
  };
}

describe("Ctrl-C during send", () => {
  it("stops reading, sends what it read, prints stored + duplicate + refused + not sent = read, and exits 130", async () => {
    const threads = [newThreadId(), newThreadId(), newThreadId(), newThreadId()];
    const file = interleaved(threads, 5_000);
    file.splice(2, 0, "{ not json");
    const alreadyStored = file.slice(0, 2).map((line) => JSON.parse(line) as RuntimeEvent);
    for (const event of alreadyStored) await client.ingest(event.threadId, event);
    const { signal, pressCtrlC, exit } = terminal();
    let posts = 0;
    const fetch: Fetch = (input, init) => {
      if (init?.method === "POST" && ++posts === 1) pressCtrlC();
      return serviceFetch(input, init);
    };

    const run = await cli(["send", "events.ndjson"], { files: { "events.ndjson": file }, fetch, signal });

    expect(exit).not.toHaveBeenCalled();
    expect(run.status).toBe(INTERRUPTED_STATUS);
    const { read, stored, duplicate, refused, notSent } = interruptedSummary(run.stdout);
    expect(stored + duplicate + refused + notSent).toBe(read);
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(file.length);
    expect({ duplicate, refused }).toEqual({ duplicate: alreadyStored.length, refused: 1 });
    let held = 0;
    for (const threadId of threads) held += (await client.session(threadId)).eventCount;
    expect(held).toBe(alreadyStored.length + stored);
  });

  it("exits at once with 130 at the second Ctrl-C", () => {
    const { signal, pressCtrlC, exit } = terminal();
    pressCtrlC();
    expect(signal.aborted).toBe(true);
    expect(exit).not.toHaveBeenCalled();
    pressCtrlC();
    expect(exit).toHaveBeenCalledExactlyOnceWith(INTERRUPTED_STATUS);
  });
});

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
