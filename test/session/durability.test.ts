import { abortAllDurableObjects, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SessionView } from "../../src/contracts/replies.ts";
import { SessionStore } from "../../src/session/store.ts";
import { SqlMeter } from "../../src/sql-meter.ts";
import { api, json, newThreadId } from "../support/api.ts";
import { toLogEntries } from "../support/checks.ts";
import { ev } from "../support/events.ts";
import { lifecycleOf, referenceRun } from "../support/reference-model.ts";
import { readLog, readSession, sessionStub } from "../support/session-object.ts";

async function busyWithHistory(threadId: string) {
  await api.post(threadId, [ev.sessionStarted({ threadId }), ev.turnStarted("t1", { threadId })]);
  await api.post(threadId, [ev.contentDelta("t1", { threadId }), ev.turnCompleted("t0", "completed", { threadId })]);
}

describe("durability", () => {
  it("reads back the same projection and log after the object is evicted", async () => {
    const threadId = newThreadId();
    await busyWithHistory(threadId);
    const before = { session: await readSession(threadId), log: await readLog(threadId) };
    await evictDurableObject(sessionStub(threadId));
    expect({ session: await readSession(threadId), log: await readLog(threadId) }).toEqual(before);
  });

  it("loses nothing acknowledged when every object is aborted", async () => {
    const threadId = newThreadId();
    await busyWithHistory(threadId);
    const before = await readSession(threadId);
    await abortAllDurableObjects();
    expect(await readSession(threadId)).toEqual(before);
    const next = await json<{ session: SessionView }>(
      await api.post(threadId, ev.turnCompleted("t1", "completed", { threadId })),
    );
    expect(next.session).toMatchObject({ status: "ready", lastSeq: 5, activeTurnId: null });
  });

  it("reloads the projection the lifecycle rules make of the stored log", async () => {
    const threadId = newThreadId();
    await busyWithHistory(threadId);
    await evictDurableObject(sessionStub(threadId));
    const log = await readLog(threadId);
    const session = await readSession(threadId);
    expect(log.map((entry) => [entry.event.type, entry.outcome, entry.reason])).toEqual([
      ["session.started", "applied", undefined],
      ["turn.started", "applied", undefined],
      ["content.delta", "recorded", undefined],
      ["turn.completed", "ignored", "not-the-active-turn"],
    ]);
    const expected = {
      status: "running",
      activeTurnId: "t1",
      lastError: null,
      providerName: "codex",
      providerUpdatedAt: "2026-11-25T10:00:00.000Z",
      eventCount: 4,
      lastSeq: 4,
      pendingRequests: { approvals: 0, userInputs: 0, oldestOpenedAt: null },
    };
    expect(lifecycleOf(session)).toEqual(expected);
    expect(lifecycleOf(referenceRun(toLogEntries(log)).state)).toEqual(expected);
    expect(session.lastEventAt).toBe(log[3]?.receivedAt);
  });

  it("reloads a cleared lastError after eviction", async () => {
    const threadId = newThreadId();
    await api.post(threadId, [
      ev.sessionStarted({ threadId }),
      ev.runtimeError("boom", undefined, { threadId }),
      ev.turnStarted("t1", { threadId }),
      ev.turnCompleted("t1", "completed", { threadId }),
    ]);
    await evictDurableObject(sessionStub(threadId));
    expect(lifecycleOf(await readSession(threadId))).toEqual({
      status: "ready",
      activeTurnId: null,
      lastError: null,
      providerName: "codex",
      providerUpdatedAt: "2026-11-25T10:00:00.000Z",
      eventCount: 4,
      lastSeq: 4,
      pendingRequests: { approvals: 0, userInputs: 0, oldestOpenedAt: null },
    });
  });

  it("reloads the open approvals and questions the lifecycle rules make of the stored log", async () => {
    const threadId = newThreadId();
    await api.post(threadId, [
      ev.sessionStarted({ threadId }),
      ev.turnStarted("t1", { threadId }),
      ev.requestOpened("approve-1", "t1", { threadId }),
      ev.userInputRequested("ask-1", undefined, { threadId }),
      ev.requestOpened("approve-0", "t0", { threadId }),
    ]);
    await api.post(threadId, [
      ev.requestOpened("approve-2", "t1", { threadId }),
      ev.requestResolved("approve-1", "t1", { threadId }),
    ]);
    await evictDurableObject(sessionStub(threadId));
    const log = await readLog(threadId);
    const session = await readSession(threadId);
    expect(log.map((entry) => [entry.event.type, entry.outcome, entry.reason])).toEqual([
      ["session.started", "applied", undefined],
      ["turn.started", "applied", undefined],
      ["request.opened", "applied", undefined],
      ["user-input.requested", "applied", undefined],
      ["request.opened", "ignored", "not-the-active-turn"],
      ["request.opened", "applied", undefined],
      ["request.resolved", "applied", undefined],
    ]);
    const expected = {
      status: "running",
      activeTurnId: "t1",
      lastError: null,
      providerName: "codex",
      providerUpdatedAt: "2026-11-25T10:00:00.000Z",
      eventCount: 7,
      lastSeq: 7,
      pendingRequests: { approvals: 1, userInputs: 1, oldestOpenedAt: log[3]?.receivedAt },
    };
    expect(lifecycleOf(session)).toEqual(expected);
    expect(lifecycleOf(referenceRun(toLogEntries(log)).state)).toEqual(expected);

    await api.post(threadId, ev.turnCompleted("t1", "completed", { threadId }));
    await evictDurableObject(sessionStub(threadId));
    expect((await readSession(threadId)).pendingRequests).toEqual({
      approvals: 0,
      userInputs: 0,
      oldestOpenedAt: null,
    });
  });

  it("creates no storage for reads of a session that does not exist", async () => {
    const threadId = newThreadId();
    expect((await api.get(threadId)).status).toBe(404);
    expect((await api.events(threadId)).status).toBe(404);
    await runInDurableObject(sessionStub(threadId), async (_, state) => {
      expect(state.storage.sql.exec("SELECT name FROM sqlite_master").toArray()).toEqual([]);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });

  it("reads a page of at least one entry, and no more than fit in its byte budget", async () => {
    const threadId = newThreadId();
    await api.post(threadId, [ev.sessionStarted({ threadId }), ev.health({ threadId }), ev.health({ threadId })]);
    await runInDurableObject(sessionStub(threadId), (_, state) => {
      const store = new SessionStore(new SqlMeter(state.storage.sql));
      const [first, second] = state.storage.sql
        .exec<{ bytes: number }>("SELECT octet_length(body) AS bytes FROM events ORDER BY seq")
        .toArray()
        .map((row) => row.bytes);
      const seqs = (maxBytes: number) => store.readEntries(0, 100, maxBytes).map((entry) => entry.seq);
      expect(seqs(1)).toEqual([1]);
      expect(seqs((first ?? 0) + (second ?? 0) - 1)).toEqual([1]);
      expect(seqs((first ?? 0) + (second ?? 0))).toEqual([1, 2]);
      expect(store.readEntries(1, 1, 1_000_000).map((entry) => entry.seq)).toEqual([2]);
    });
  });

  it("writes the alarm only when the next wake moves earlier", async () => {
    const threadId = newThreadId();
    await api.post(threadId, ev.sessionStarted({ threadId }));
    const first = await runInDurableObject(sessionStub(threadId), (_, state) => state.storage.getAlarm());
    await api.post(threadId, ev.health({ threadId }));
    const second = await runInDurableObject(sessionStub(threadId), (_, state) => state.storage.getAlarm());
    expect(first).not.toBeNull();
    expect(second).toBe(first);
  });
});
