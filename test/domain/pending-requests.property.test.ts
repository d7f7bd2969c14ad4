import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isLifecycleEventType, type RuntimeEvent } from "../../src/contracts/events.ts";
import type { PendingRequestsView } from "../../src/contracts/replies.ts";
import type { Outcome } from "../../src/contracts/vocabulary.ts";
import { evolve, type LogEntry } from "../../src/domain/event-log.ts";
import { MAX_PENDING_REQUESTS, pendingRequestsHoldInvariant } from "../../src/domain/pending-requests.ts";
import { type ReapingPolicy, sessionReapedEvent, turnExpiredEvent } from "../../src/domain/reaping.ts";
import { initialSession, type SessionState } from "../../src/domain/session.ts";
import { sessionView } from "../../src/domain/session-view.ts";
import { providerEvent } from "../support/arbitraries.ts";
import { runtimeEvent } from "../support/events.ts";

const policy: ReapingPolicy = { idleTimeoutMs: 1_800_000, staleTurnTimeoutMs: 7_200_000, retentionMs: 86_400_000 };
const REQUEST_TYPES = ["request.opened", "user-input.requested", "request.resolved", "user-input.resolved"];

/** Approvals and questions with a few shared ids, some without an id, of the turns providerEvent uses or of none. */
const requestEvent: fc.Arbitrary<RuntimeEvent> = fc
  .tuple(
    fc.constantFrom(...REQUEST_TYPES),
    fc.constantFrom(undefined, "r1", "r2", "r3"),
    fc.constantFrom(undefined, "turn-a", "turn-b", "turn-c"),
    fc.option(fc.nat({ max: 20 }), { nil: undefined }),
  )
  .map(([type, requestId, turnId, sessionSequence]) => {
    const event = runtimeEvent(
      type,
      {},
      {
        ...(turnId === undefined ? {} : { turnId }),
        ...(sessionSequence === undefined ? {} : { sessionSequence }),
      },
    );
    return requestId === undefined ? event : { ...event, requestId };
  });

type Step = { kind: "provider"; event: RuntimeEvent } | { kind: "expire" } | { kind: "reap" };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: providerEvent.map((event) => ({ kind: "provider" as const, event })) },
  { weight: 6, arbitrary: requestEvent.map((event) => ({ kind: "provider" as const, event })) },
  { weight: 1, arbitrary: fc.constant({ kind: "expire" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "reap" as const }) },
);

/**
 * The pending set by simple rules of its own, beside the fold: the lifecycle (status, turn, whether a lifecycle
 * event applied) is taken from the fold, which the lifecycle tests prove; who is pending is worked out here.
 */
class PendingModel {
  private readonly open = new Map<string, { approval: boolean; turnId: string | null; openedAt: number }>();
  private mark: number | null = null;

  /** The outcome a request event should have, or null for any other event. */
  observe(event: RuntimeEvent, before: SessionState, receivedAt: number): Outcome | "stale" | null {
    const sequence = event.sessionSequence ?? null;
    const restart = event.type === "session.started";
    if (!restart && sequence !== null && this.mark !== null && sequence < this.mark) return "stale";
    if (restart) this.mark = sequence;
    else if (sequence !== null) this.mark = this.mark === null ? sequence : Math.max(this.mark, sequence);
    if (!REQUEST_TYPES.includes(event.type)) return null;
    const id = event.requestId;
    if (id == null) return "recorded";
    if (event.type.endsWith("resolved")) return this.open.delete(id) ? "applied" : "recorded";
    if (this.open.has(id)) return "recorded";
    const turnId = event.turnId ?? null;
    if (turnId !== null && !ofLiveTurn(before, turnId)) return "ignored";
    if (this.open.size >= MAX_PENDING_REQUESTS) return "ignored";
    this.open.set(id, { approval: event.type === "request.opened", turnId, openedAt: receivedAt });
    return "applied";
  }

  /** After an applied lifecycle change: ready or stopped ends everything, any other state the requests of dead turns. */
  settle(after: SessionState): void {
    for (const [id, request] of this.open) {
      const ends =
        after.status === "ready" ||
        after.status === "stopped" ||
        (request.turnId !== null && !ofLiveTurn(after, request.turnId));
      if (ends) this.open.delete(id);
    }
  }

  view(): PendingRequestsView {
    const all = [...this.open.values()];
    const oldest = all.length === 0 ? null : Math.min(...all.map((request) => request.openedAt));
    return {
      approvals: all.filter((request) => request.approval).length,
      userInputs: all.filter((request) => !request.approval).length,
      oldestOpenedAt: oldest === null ? null : new Date(oldest).toISOString(),
    };
  }
}

function ofLiveTurn(state: SessionState, turnId: string): boolean {
  const busy = state.status === "starting" || state.status === "running";
  return busy && (state.activeTurnId ?? turnId) === turnId;
}

function serviceEvent(kind: "expire" | "reap", state: SessionState, now: number): RuntimeEvent {
  const context = { eventId: `svc-${now}`, threadId: "thread-1", now };
  return kind === "expire" ? turnExpiredEvent(state, context) : sessionReapedEvent(state, context);
}

function entryFor(s: Step, state: SessionState, now: number): LogEntry {
  const seq = state.lastSeq + 1;
  return s.kind === "provider"
    ? { seq, receivedAt: now, origin: "provider", event: s.event }
    : { seq, receivedAt: now, origin: "service", event: serviceEvent(s.kind, state, now) };
}

const pendingOf = (state: SessionState) => sessionView("thread-1", state, policy, null, 0).pendingRequests;

describe("pending requests over random histories", () => {
  it("count what the simple model counts, never below zero, and only requests of live turns", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const model = new PendingModel();
        let state = initialSession;
        let now = 0;
        for (const s of steps) {
          now += 1000;
          const entry = entryFor(s, state, now);
          const { state: after, outcome } = evolve(state, entry);
          const expected = s.kind === "provider" ? model.observe(entry.event, state, now) : null;
          if (expected !== null && expected !== "stale") expect(outcome).toBe(expected);
          const lifecycleApplied =
            s.kind !== "provider" || (isLifecycleEventType(entry.event.type) && outcome === "applied");
          if (lifecycleApplied) model.settle(after);
          state = after;
          const view = pendingOf(state);
          expect(view).toEqual(model.view());
          expect(view.approvals).toBeGreaterThanOrEqual(0);
          expect(view.userInputs).toBeGreaterThanOrEqual(0);
          expect(pendingRequestsHoldInvariant(state)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("leaves nothing of a turn pending once that turn settles", () => {
    const settling = fc.constantFrom<(turnId: string) => Step>(
      (turnId) => ({ kind: "provider", event: runtimeEvent("turn.completed", { state: "completed" }, { turnId }) }),
      (turnId) => ({ kind: "provider", event: runtimeEvent("turn.completed", { state: "failed" }, { turnId }) }),
      (turnId) => ({ kind: "provider", event: runtimeEvent("turn.aborted", { reason: "stop" }, { turnId }) }),
      (turnId) => ({ kind: "provider", event: runtimeEvent("runtime.error", { message: "boom" }, { turnId }) }),
      () => ({ kind: "provider", event: runtimeEvent("session.state.changed", { state: "ready" }) }),
      () => ({ kind: "provider", event: runtimeEvent("session.state.changed", { state: "interrupted" }) }),
      () => ({ kind: "provider", event: runtimeEvent("session.state.changed", { state: "error" }) }),
      () => ({ kind: "provider", event: runtimeEvent("session.exited", {}) }),
      () => ({ kind: "expire" }),
      () => ({ kind: "reap" }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), settling, (history, settle) => {
        let state = initialSession;
        let now = 0;
        const apply = (s: Step) => {
          now += 1000;
          state = evolve(state, entryFor(s, state, now)).state;
        };
        history.forEach(apply);
        const turnId = state.activeTurnId;
        fc.pre(turnId !== null);
        apply({ kind: "provider", event: { ...runtimeEvent("request.opened", {}, { turnId }), requestId: "mine" } });
        expect(state.pendingRequests.some((request) => request.turnId === turnId)).toBe(true);
        apply(settle(turnId));
        expect(state.pendingRequests.filter((request) => request.turnId !== null)).toEqual([]);
        if (state.status === "ready" || state.status === "stopped")
          expect(pendingOf(state)).toMatchObject({
            approvals: 0,
            userInputs: 0,
          });
      }),
      { numRuns: 500 },
    );
  });
});
