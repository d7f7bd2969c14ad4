import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import { decideBatch, type IncomingEvent, type StoredId, withAttentionNotice } from "../../src/domain/ingest.ts";
import { initialSession, type SessionState } from "../../src/domain/session.ts";
import { ev, runtimeEvent } from "../support/events.ts";
import { given, T0 } from "../support/given.ts";

const incoming = (event = ev.contentDelta("turn-1"), text = JSON.stringify(event)): IncomingEvent => ({ event, text });
/** Stored under `seq` with the content `text` (compared as the object's shell compares: by the texts' values). */
const storedAs = (seq: number, text: string): StoredId => ({ seq, sameContent: (other) => other === text });

describe("decideBatch", () => {
  it("appends new events at consecutive seqs after the last one", () => {
    const { state } = given(ev.sessionStarted(), ev.contentDelta("turn-1"));
    const decision = decideBatch(state, [incoming(), incoming()], new Map(), T0);
    expect(decision.kind).toBe("commit");
    if (decision.kind !== "commit") return;
    expect(decision.change.entries.map((entry) => entry.seq)).toEqual([3, 4]);
    expect(decision.results.map((result) => result.seq)).toEqual([3, 4]);
    expect(decision.change.state.lastSeq).toBe(4);
    expect(decision.change.entries.every((entry) => entry.receivedAt === T0)).toBe(true);
  });

  it("answers a byte-identical resend as a duplicate of the stored seq and appends nothing for it", () => {
    const resent = incoming();
    const stored = new Map<string, StoredId>([[resent.event.eventId, storedAs(7, resent.text)]]);
    const decision = decideBatch(initialSession, [resent], stored, T0);
    expect(decision).toMatchObject({
      kind: "commit",
      results: [{ eventId: resent.event.eventId, seq: 7, outcome: "duplicate" }],
      change: { entries: [], state: initialSession },
    });
  });

  it("answers an id repeated inside one batch as a duplicate of its first occurrence", () => {
    const first = incoming();
    const decision = decideBatch(initialSession, [first, incoming(ev.contentDelta("turn-1")), first], new Map(), T0);
    if (decision.kind !== "commit") throw new Error("expected a commit");
    expect(decision.results.map((result) => [result.seq, result.outcome])).toEqual([
      [1, "recorded"],
      [2, "recorded"],
      [1, "duplicate"],
    ]);
    expect(decision.change.entries).toHaveLength(2);
  });

  it("refuses the whole batch when a stored id comes back with different content, naming each conflict", () => {
    const reused = incoming(ev.contentDelta("turn-1"), '{"other":"content"}');
    const stored = new Map<string, StoredId>([[reused.event.eventId, storedAs(3, '{"original":"content"}')]]);
    const decision = decideBatch(initialSession, [incoming(), reused], stored, T0);
    expect(decision).toEqual({ kind: "conflict", conflicts: [{ index: 1, eventId: reused.event.eventId, seq: 3 }] });
  });

  it("refuses a batch that reuses one of its own ids with different content", () => {
    const first = incoming();
    const clash = incoming({ ...first.event, type: "runtime.warning" });
    expect(decideBatch(initialSession, [first, clash], new Map(), T0)).toEqual({
      kind: "conflict",
      conflicts: [{ index: 1, eventId: first.event.eventId, seq: 1 }],
    });
  });

  it("records what the batch changed from and to, each entry with the text it was received as", () => {
    const sent = ' {"sent": "as is, spaces and all"} ';
    const decision = decideBatch(initialSession, [incoming(ev.sessionStarted(), sent)], new Map(), T0);
    if (decision.kind !== "commit") throw new Error("expected a commit");
    expect(decision.change.before).toBe(initialSession);
    expect(decision.change.state.status).toBe("ready");
    expect(decision.change.entries[0]).toMatchObject({ origin: "provider", outcome: "applied", text: sent });
  });

  it("compares a resend inside one batch by value: whitespace and member order do not make a conflict", () => {
    const first = incoming(ev.contentDelta("turn-1"), '{"a": 1, "b": [true, null]}');
    const resent = incoming(first.event, '{"b":[true,null],"a":1}');
    const changed = incoming(first.event, '{"b":[true,null],"a":1.0}');
    const same = decideBatch(initialSession, [first, resent], new Map(), T0);
    expect(same.kind === "commit" && same.results.map((result) => result.outcome)).toEqual(["recorded", "duplicate"]);
    expect(decideBatch(initialSession, [first, changed], new Map(), T0).kind).toBe("conflict");
  });
});

describe("the attention notice", () => {
  const context = { tenant: "acme", threadId: "thread-1", notificationId: "n-1", now: T0 };
  const decide = (state: SessionState, ...events: RuntimeEvent[]) => {
    const decision = decideBatch(
      state,
      events.map((event) => incoming(event)),
      new Map(),
      T0,
    );
    if (decision.kind !== "commit") throw new Error("expected a commit");
    return withAttentionNotice(decision.change, context);
  };

  it("is sent once when the session goes from nothing pending to something", () => {
    const { state } = given(ev.sessionStarted(), ev.turnStarted("t1"));
    const change = decide(state, ev.requestOpened("r1", "t1"), ev.userInputRequested("q1", "t1"));
    expect(change.notifications).toHaveLength(1);
    const body = JSON.parse(change.notifications[0]?.body ?? "null");
    expect(body).toMatchObject({
      type: "session.attention",
      data: {
        tenant: "acme",
        threadId: "thread-1",
        reason: "pending-request",
        activeTurnId: "t1",
        pendingRequests: { approvals: 1, userInputs: 1 },
      },
    });
    expect(change.notifications[0]?.id).toBe("msg_n-1");
  });

  it("is not sent again while something is still pending, nor when it is resolved", () => {
    const { state } = given(ev.sessionStarted(), ev.turnStarted("t1"), ev.requestOpened("r1", "t1"));
    expect(decide(state, ev.requestOpened("r2", "t1")).notifications).toEqual([]);
    expect(decide(state, ev.requestResolved("r1", "t1")).notifications).toEqual([]);
  });

  it("is sent with reason stall when the provider says the session stalled, once", () => {
    const { state } = given(ev.sessionStarted(), ev.turnStarted("t1"));
    const stalled = runtimeEvent("session.health", { state: "stalled", lastActivityAt: "2026-11-25T10:00:00Z" });
    const change = decide(state, stalled);
    expect(change.notifications.map((n) => [n.id, JSON.parse(n.body).data.reason])).toEqual([["msg_n-1", "stall"]]);
    expect(decide(change.state, { ...stalled, eventId: "again" }).notifications).toEqual([]);
  });

  it("names each new reason once when a request opens as the session stalls", () => {
    const { state } = given(ev.sessionStarted(), ev.turnStarted("t1"));
    const stalled = runtimeEvent("session.health", { state: "stalled", lastActivityAt: "2026-11-25T10:00:00Z" });
    const change = decide(state, ev.requestOpened("r1", "t1"), stalled);
    expect(change.notifications.map((n) => [n.id, JSON.parse(n.body).data.reason])).toEqual([
      ["msg_n-1", "pending-request"],
      ["msg_n-1.stall", "stall"],
    ]);
  });

  it("is not sent for events that leave nothing pending", () => {
    const { state } = given(ev.sessionStarted());
    expect(decide(state, ev.turnStarted("t1"), ev.contentDelta("turn-1")).notifications).toEqual([]);
  });
});
