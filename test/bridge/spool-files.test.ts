/**
 * The spool on disk: one file a run, so two runs of one thread at once never clear each other's events, and a run
 * takes over, once and in order, what earlier runs of its thread left.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileSpool } from "../../src/cli/node-agents.ts";
import type { RuntimeEvent } from "../../src/contracts/events.ts";

const event = (eventId: string): RuntimeEvent => ({
  eventId,
  type: "content.delta",
  provider: "codex",
  threadId: "thread/with:odd chars",
  createdAt: "2026-12-06T10:00:00.000Z",
  payload: { delta: eventId },
});
const ids = (events: readonly RuntimeEvent[]) => events.map((each) => each.eventId);

/** Runs in processes of their own: `running` holds the pids that still run. */
const running = new Set<number>();
let nextPid = 1000;
const THREAD = "thread/with:odd chars";
function spoolOfRun(runId: string, threadId = THREAD) {
  const pid = ++nextPid;
  running.add(pid);
  const spool = fileSpool(dir, threadId, runId, { pid, runs: (other) => running.has(other) });
  return { spool, end: () => running.delete(pid) };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "spool-files-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("fileSpool", () => {
  it("keeps each run's events in its own file, mode 0600, and clears only its own", async () => {
    const a = spoolOfRun("runA");
    const b = spoolOfRun("runB");
    await a.spool.append([event("a1"), event("a2")]);
    await b.spool.append([event("b1")]);
    expect(readdirSync(dir)).toHaveLength(2);
    expect(statSync(a.spool.path).mode & 0o777).toBe(0o600);
    await b.spool.clear();
    // A run that still runs sends its own events: a new run of the thread leaves its file alone.
    expect(await spoolOfRun("runC").spool.load()).toEqual([]);
    a.end();
    // Once it has ended, the next run takes over what it left.
    expect(ids(await spoolOfRun("runD").spool.load())).toEqual(["a1", "a2"]);
  });

  it("takes over an ended run's events once: they move into the new run's file before they are sent", async () => {
    const earlier = spoolOfRun("runA");
    await earlier.spool.append([event("a1")]);
    await earlier.spool.append([event("a2")]);
    earlier.end();
    const next = spoolOfRun("runB");
    expect(ids(await next.spool.load())).toEqual(["a1", "a2"]);
    expect(readdirSync(dir)).toEqual([next.spool.path.slice(dir.length + 1)]);
    // The taker still runs: a third run takes nothing; had the taker been killed, its file holds what it took.
    expect(await spoolOfRun("runC").spool.load()).toEqual([]);
    next.end();
    expect(ids(await spoolOfRun("runD").spool.load())).toEqual(["a1", "a2"]);
  });

  it("gives an ended run's file to one of two runs that start at once", async () => {
    const earlier = spoolOfRun("runA");
    await earlier.spool.append([event("a1"), event("a2")]);
    earlier.end();
    const [c, d] = await Promise.all([spoolOfRun("runC").spool.load(), spoolOfRun("runD").spool.load()]);
    expect([ids(c ?? []), ids(d ?? [])].sort((x, y) => y.length - x.length)).toEqual([["a1", "a2"], []]);
  });

  it("takes over several ended runs oldest first, and leaves other threads' files alone", async () => {
    const first = spoolOfRun("run1");
    await first.spool.append([event("x1")]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = spoolOfRun("run0");
    await second.spool.append([event("y1")]);
    const other = spoolOfRun("run9", "another thread");
    await other.spool.append([event("z1")]);
    for (const run of [first, second, other]) run.end();
    expect(ids(await spoolOfRun("run2").spool.load())).toEqual(["x1", "y1"]);
    expect(ids(await spoolOfRun("run3", "another thread").spool.load())).toEqual(["z1"]);
  });

  it("takes over 0.5's one file a thread, and loads nothing from a directory not made yet", async () => {
    const legacy = fileSpool(dir, THREAD, "old").path.replace(/\.\d+\.old\.ndjson$/, ".ndjson");
    writeFileSync(legacy, `${JSON.stringify(event("old1"))}\n`, { mode: 0o600 });
    expect(ids(await spoolOfRun("runE").spool.load())).toEqual(["old1"]);
    expect(await fileSpool(join(dir, "missing"), "t", "r").load()).toEqual([]);
  });
});
