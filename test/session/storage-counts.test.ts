/**
 * What an ingest costs in billed storage, counted exactly inside the objects from SQLite's own cursors: statement
 * calls, rows written (a unique index's entry counts as a row) and rows read, and alarm writes. The expected figures
 * are the design's (one INSERT for a first-time event, the snapshot's one row when a listed field changes), so a
 * change that adds a write per event fails here.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { EventPage, IngestReply } from "../../src/contracts/replies.ts";
import type { StorageCounts } from "../../src/sql-meter.ts";
import { api, json, newThreadId } from "../support/api.ts";
import { ev, runtimeEvent } from "../support/events.ts";
import { sessionStub } from "../support/session-object.ts";

type Cost = StorageCounts;

const minus = (after: Cost, before: Cost): Cost => ({
  statements: after.statements - before.statements,
  rowsRead: after.rowsRead - before.rowsRead,
  rowsWritten: after.rowsWritten - before.rowsWritten,
  alarmWrites: after.alarmWrites - before.alarmWrites,
});

const directory = () => env.DIRECTORY.getByName("acme");

/**
 * Until the directory lists the session with `status`: the update goes out after the reply. Read through the
 * test's own handle, which the objects' meters do not count.
 */
async function listedAs(threadId: string, status: string): Promise<void> {
  await vi.waitUntil(async () => {
    const [row] = await runInDurableObject(directory(), (_, ctx) =>
      ctx.storage.sql.exec<{ status: string }>("SELECT status FROM entries WHERE thread_id = ?", threadId).toArray(),
    );
    return row?.status === status;
  });
}

/** The session object's and the directory's storage cost of one POST, and of the directory update it caused. */
async function costOf(threadId: string, body: unknown) {
  const session = sessionStub(threadId);
  const before = { session: await session.storageCounts(), directory: await directory().storageCounts() };
  const response = await api.post(threadId, body);
  expect(response.status).toBe(200);
  const reply = await json<IngestReply>(response);
  const atReply = await session.storageCounts();
  await listedAs(threadId, reply.session.status);
  // An acknowledgement, if one came, is in memory only: give it time to show if it wrote anything.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const after = { session: await session.storageCounts(), directory: await directory().storageCounts() };
  return {
    reply,
    ingest: minus(atReply, before.session),
    acknowledgement: minus(after.session, atReply),
    directory: minus(after.directory, before.directory),
  };
}

const none: Cost = { statements: 0, rowsRead: 0, rowsWritten: 0, alarmWrites: 0 };

async function runningSession() {
  const threadId = newThreadId();
  const o = { threadId };
  await costOf(threadId, [ev.sessionStarted(o), ev.turnStarted("t1", o)]);
  return { threadId, o };
}

describe("rows and statements per ingest", () => {
  it("stores a first-time content event with one INSERT: its row and its eventId's index entry", async () => {
    const { threadId, o } = await runningSession();
    const { ingest, acknowledgement, directory } = await costOf(threadId, ev.contentDelta("t1", o));
    // The insert probes the unique index: that is the one row read.
    expect(ingest).toEqual({ statements: 1, rowsWritten: 2, rowsRead: 1, alarmWrites: 0 });
    expect(acknowledgement).toEqual(none);
    expect(directory).toEqual(none);
  });

  it("stores a lifecycle event with its INSERT and the snapshot's one row, which holds the directory outbox too", async () => {
    const { threadId, o } = await runningSession();
    const { ingest, acknowledgement, directory } = await costOf(threadId, ev.turnCompleted("t1", "completed", o));
    // Ready, the session's next wake is the idle reap (30 min), later than the alarm set at the running turn's stall
    // check (5 min): the alarm stays, and wakes once to find nothing due. Never an alarm write an event.
    expect(ingest).toEqual({ statements: 2, rowsWritten: 3, rowsRead: 2, alarmWrites: 0 });
    // The directory's acknowledgement is kept in memory: no second write of that row.
    expect(acknowledgement).toEqual(none);
    // The directory: the unchanged-check's read, the entry (its row and two index entries), the change for replay.
    expect(directory).toMatchObject({ rowsWritten: expect.any(Number), alarmWrites: 0 });
    expect(directory.rowsWritten).toBeGreaterThan(0);
  });

  it("records a repeated session.health and a task's progress within a minute without a snapshot row", async () => {
    const { threadId, o } = await runningSession();
    const task = (type: string, payload: Record<string, unknown> = {}) =>
      runtimeEvent(type, { taskId: "build", ...payload }, { ...o, turnId: "t1" });
    await costOf(threadId, [ev.health(o), task("task.started", { description: "npm run build" })]);
    for (const event of [ev.health(o), task("task.progress", { description: "compiling" })]) {
      const { ingest } = await costOf(threadId, event);
      expect(ingest, event.type).toEqual({ statements: 1, rowsWritten: 2, rowsRead: 1, alarmWrites: 0 });
    }
  });

  it("stores a token-usage report and the price it was given within a lifecycle event's 3 rows, and shows it", async () => {
    const threadId = newThreadId();
    const o = { threadId };
    const turn = runtimeEvent("turn.started", { model: "gpt-5-codex" }, { ...o, turnId: "t1" });
    await costOf(threadId, [ev.sessionStarted(o), turn]);
    // Codex's `thread/tokenUsage/updated` as the bridge forwards it: running totals, the last call, the window.
    const breakdown = { totalTokens: 12_000, inputTokens: 10_000, cachedInputTokens: 4_000, outputTokens: 2_000 };
    const usage = { total: { ...breakdown, reasoningOutputTokens: 500 }, last: { ...breakdown, totalTokens: 9_000 } };
    const report = runtimeEvent(
      "thread.token-usage.updated",
      { usage: { ...usage, modelContextWindow: 272_000 } },
      { ...o, turnId: "t1" },
    );
    const { ingest, reply } = await costOf(threadId, report);
    // The report's row and index entry, the price's row (service entries are outside the index); no snapshot row.
    expect(ingest.rowsWritten).toBe(3);
    expect(ingest.statements).toBeLessThanOrEqual(2);
    // The usage goes to the directory by the alarm, so the first report after a quiet spell may bring it forward.
    expect(ingest.alarmWrites).toBeLessThanOrEqual(1);
    // GPT-5's published rates: $1.25 a million uncached input, $0.125 cached, $10 output (reasoning is output).
    const costUsd = (6_000 * 1.25 + 4_000 * 0.125 + 2_000 * 10) / 1e6;
    expect(reply.session.usage).toMatchObject({
      inputTokens: 10_000,
      cachedInputTokens: 4_000,
      outputTokens: 2_000,
      reasoningOutputTokens: 500,
      contextWindow: { used: 9_000, max: 272_000 },
      cost: { source: "builtin-pricing", model: "gpt-5" },
    });
    expect(reply.session.usage?.costUsd).toBeCloseTo(costUsd, 10);
    expect(reply.session.usage?.cost?.pricingVersion).toMatch(/^@pydantic\/genai-prices@\d/);

    // The next report within 30 s: the same 3 rows, and the alarm already set.
    const totals = { ...usage.total, inputTokens: 11_000, totalTokens: 13_000 };
    const next = runtimeEvent(
      "thread.token-usage.updated",
      { usage: { ...usage, total: totals } },
      { ...o, turnId: "t1" },
    );
    const second = await costOf(threadId, next);
    expect(second.ingest).toMatchObject({ rowsWritten: 3, alarmWrites: 0 });
  });

  it("adds the snapshot's one row for tool.denied and for a task's start and end", async () => {
    const { threadId, o } = await runningSession();
    const task = (type: string) => runtimeEvent(type, { taskId: "lint" }, { ...o, turnId: "t1" });
    const denied = runtimeEvent("tool.denied", { toolName: "Bash", reason: "policy" }, { ...o, turnId: "t1" });
    for (const event of [denied, task("task.started"), task("task.completed")]) {
      const { ingest } = await costOf(threadId, event);
      expect(ingest, event.type).toMatchObject({ statements: 2, rowsWritten: 3 });
    }
  });

  it("stores 100 content events at 2 rows each, in statements of 32 rows", async () => {
    const { threadId, o } = await runningSession();
    const batch = Array.from({ length: 100 }, () => ev.contentDelta("t1", o));
    const { ingest } = await costOf(threadId, batch);
    expect(ingest).toEqual({ statements: 4, rowsWritten: 200, rowsRead: 100, alarmWrites: 0 });
  });

  it("adds one row for the snapshot to a batch of 100 that ends the turn", async () => {
    const { threadId, o } = await runningSession();
    const batch = [
      ...Array.from({ length: 99 }, () => ev.contentDelta("t1", o)),
      ev.turnCompleted("t1", "completed", o),
    ];
    const { ingest } = await costOf(threadId, batch);
    expect(ingest).toEqual({ statements: 5, rowsWritten: 201, rowsRead: 101, alarmWrites: 0 });
  });

  it("stores a batch holding an ignored event (which keeps its reason) in statements of 14 rows", async () => {
    const { threadId, o } = await runningSession();
    const batch = [
      ...Array.from({ length: 49 }, () => ev.contentDelta("t1", o)),
      ev.turnCompleted("other-turn", "completed", o),
      ...Array.from({ length: 50 }, () => ev.contentDelta("t1", o)),
    ];
    const { ingest } = await costOf(threadId, batch);
    expect(ingest).toMatchObject({ statements: 8, rowsWritten: 200 });
    const page = await json<EventPage>(await api.events(threadId, "?limit=500"));
    const stored = page.events.slice(-100);
    expect(stored.map((entry) => entry.seq)).toEqual(stored.map((_, index) => (stored[0]?.seq ?? 0) + index));
    expect(stored.filter((entry) => entry.outcome === "ignored")).toEqual([
      expect.objectContaining({
        reason: "not-the-active-turn",
        event: expect.objectContaining({ turnId: "other-turn" }),
      }),
    ]);
  });

  it("writes a new session's schema, epoch and first event in three statement calls, and its first alarm", async () => {
    const threadId = newThreadId();
    const { ingest, directory } = await costOf(threadId, ev.sessionStarted({ threadId }));
    // The schema and its two meta rows (schema version, epoch) in one call, the event's 2 rows, the snapshot's 1.
    expect(ingest).toMatchObject({ statements: 3, rowsWritten: 5, alarmWrites: 1 });
    expect(directory.alarmWrites).toBe(0);
    expect(directory.rowsWritten).toBeGreaterThan(0);
  });

  it("answers a resend from the unique index's refusal and one lookup, writing nothing", async () => {
    const { threadId, o } = await runningSession();
    const delta = ev.contentDelta("t1", o);
    await costOf(threadId, delta);
    const { ingest, reply } = await costOf(threadId, delta);
    expect(reply.results[0]?.outcome).toBe("duplicate");
    expect(ingest).toMatchObject({ rowsWritten: 0, alarmWrites: 0 });
  });

  it("writes the snapshot at least every 500 events, so a wake folds at most 500", async () => {
    const { threadId, o } = await runningSession();
    const snapshotSeq = async () =>
      JSON.parse(
        (
          await runInDurableObject(sessionStub(threadId), (_, ctx) =>
            ctx.storage.sql.exec<{ state: string }>("SELECT state FROM session").one(),
          )
        ).state,
      ).lastSeq as number;
    expect(await snapshotSeq()).toBe(2);
    for (let i = 0; i < 4; i += 1) {
      const { ingest } = await costOf(
        threadId,
        Array.from({ length: 100 }, () => ev.contentDelta("t1", o)),
      );
      expect(ingest.rowsWritten).toBe(200);
    }
    expect(await snapshotSeq()).toBe(2);
    // Seq 502 is 500 past the snapshot: this batch writes it.
    const { ingest } = await costOf(
      threadId,
      Array.from({ length: 100 }, () => ev.contentDelta("t1", o)),
    );
    expect(ingest.rowsWritten).toBe(201);
    expect(await snapshotSeq()).toBe(502);
  });

  it("resends the last summary when the session wakes, which the directory finds unchanged: one read, no write", async () => {
    const { threadId } = await runningSession();
    const before = await directory().storageCounts();
    await evictDurableObject(sessionStub(threadId));
    expect((await api.get(threadId)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(minus(await directory().storageCounts(), before)).toEqual({
      statements: 1,
      rowsRead: 1,
      rowsWritten: 0,
      alarmWrites: 0,
    });
  });
});
