/** The log is the truth: the stored snapshot is always the fold of the stored log, and is rebuilt when it is not usable. */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IngestReply, SessionView } from "../../src/contracts/replies.ts";
import { foldLog } from "../../src/domain/event-log.ts";
import type { SessionState } from "../../src/domain/session.ts";
import { api, json, newThreadId } from "../support/api.ts";
import { providerEvent } from "../support/arbitraries.ts";
import { toLogEntries } from "../support/checks.ts";
import { ev } from "../support/events.ts";
import { readSession, readWholeLog, sessionStub } from "../support/session-object.ts";

/** Storage size changes with every write, so it is not part of what a rebuild must reproduce. */
const projection = ({ storageBytes: _, ...view }: SessionView) => view;

async function busySession(): Promise<string> {
  const threadId = newThreadId();
  const o = { threadId };
  await api.post(threadId, [ev.sessionStarted(o), ev.turnStarted("t1", o), ev.turnCompleted("t1", "completed", o)]);
  await api.post(threadId, [ev.runtimeError("quota", undefined, o), ev.sessionStarted(o), ev.turnStarted("t2", o)]);
  return threadId;
}

function storedSnapshot(threadId: string): Promise<{ state: string; version: number } | undefined> {
  return runInDurableObject(
    sessionStub(threadId),
    (_, ctx) =>
      ctx.storage.sql.exec<{ state: string; version: number }>("SELECT state, version FROM session").toArray()[0],
  );
}

const tamperings = {
  "an older version": "UPDATE session SET version = 1, state = json_set(state, '$.status', 'stopped')",
  "unreadable JSON": "UPDATE session SET state = '{not json'",
  "no snapshot at all": "DELETE FROM session",
} as const;

describe("snapshot rebuilt from the log", () => {
  it.each(Object.entries(tamperings))(
    "rebuilds the same projection when the stored snapshot is %s",
    async (_, tamper) => {
      const threadId = await busySession();
      const before = await readSession(threadId);
      expect(before).toMatchObject({ status: "running", activeTurnId: "t2", lastSeq: 6 });
      await runInDurableObject(sessionStub(threadId), (_, ctx) => {
        ctx.storage.sql.exec(tamper);
      });
      await evictDurableObject(sessionStub(threadId));

      expect(projection(await readSession(threadId))).toEqual(projection(before));
      const rewritten = await storedSnapshot(threadId);
      expect(rewritten?.version).toBeGreaterThan(1);
      expect(JSON.parse(rewritten?.state ?? "null")).toMatchObject({ status: "running", activeTurnId: "t2" });
    },
  );

  it("keeps a current snapshot as it is on wake, without folding", async () => {
    const threadId = await busySession();
    // A current snapshot is trusted: changing it shows that the object did not fold the log instead.
    await runInDurableObject(sessionStub(threadId), (_, ctx) => {
      ctx.storage.sql.exec("UPDATE session SET state = json_set(state, '$.providerName', 'marker')");
    });
    await evictDurableObject(sessionStub(threadId));
    expect((await readSession(threadId)).providerName).toBe("marker");
  });
});

/** What a reader lists or acts on: every field but the counters each event moves, which a wake folds from the tail. */
const listed = ({ eventCount, lastSeq, lastEventAt, highestSessionSequence, ...fields }: SessionState) => fields;

describe("snapshot and log agree", () => {
  it("stores, after every committed batch, a snapshot whose listed fields are current and whose fold with the log's tail is the fold of the log", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(providerEvent, { minLength: 1, maxLength: 6 }), { maxLength: 6 }),
        async (batches) => {
          const threadId = newThreadId();
          for (const batch of batches) {
            const response = await api.post(
              threadId,
              batch.map((event) => ({ ...event, threadId })),
            );
            expect(response.status).toBe(200);
            const snapshot = JSON.parse((await storedSnapshot(threadId))?.state ?? "null") as SessionState;
            const log = toLogEntries(await readWholeLog(threadId));
            const whole = foldLog(log);
            expect(listed(snapshot)).toEqual(listed(whole));
            expect(foldLog(log.slice(snapshot.lastSeq), snapshot)).toEqual(whole);
          }
        },
      ),
      { numRuns: Math.max(10, Math.round(fc.readConfigureGlobal().numRuns ?? 100) / 10) },
    );
  });

  it("rebuilds the same view after the object is lost between an append and the next snapshot", async () => {
    const threadId = newThreadId();
    const o = { threadId };
    await api.post(threadId, [ev.sessionStarted(o), ev.turnStarted("t1", o)]);
    for (let i = 0; i < 5; i += 1) await api.post(threadId, ev.contentDelta("t1", o));
    const before = await readSession(threadId);
    expect(before).toMatchObject({ status: "running", activeTurnId: "t1", eventCount: 7, lastSeq: 7 });
    // The deltas were appended without a snapshot: the stored one still covers seq 2.
    expect(JSON.parse((await storedSnapshot(threadId))?.state ?? "null")).toMatchObject({ lastSeq: 2 });

    await evictDurableObject(sessionStub(threadId));
    expect(projection(await readSession(threadId))).toEqual(projection(before));
    const next = await json<IngestReply>(await api.post(threadId, ev.contentDelta("t1", o)));
    expect(next.results[0]).toMatchObject({ seq: 8, outcome: "recorded" });
    expect(next.session).toMatchObject({ eventCount: 8, lastSeq: 8, activeTurnId: "t1" });
  });
});
