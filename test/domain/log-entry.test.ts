import { describe, expect, it } from "vitest";
import { appendEntry, evolve } from "../../src/domain/event-log.ts";
import { decideBatch } from "../../src/domain/ingest.ts";
import { ev } from "../support/events.ts";
import { given, T0 } from "../support/given.ts";

describe("a log entry", () => {
  it("keeps the reason a guard ignored it for", () => {
    const { state } = given(ev.sessionStarted(), ev.turnStarted("T1"));
    const { entry } = appendEntry(state, "provider", ev.turnStarted("T2"), T0);
    expect(entry).toMatchObject({ seq: 3, outcome: "ignored", reason: "another-turn-active" });
  });

  it("has no reason when it was applied or recorded", () => {
    const { state } = given(ev.sessionStarted());
    expect(appendEntry(state, "provider", ev.turnStarted("T1"), T0).entry).not.toHaveProperty("reason");
    expect(appendEntry(state, "provider", ev.health(), T0).entry).not.toHaveProperty("reason");
  });

  it("of the service's own turn.expired is applied by the service rules, not the provider rules", () => {
    const { state } = given(ev.sessionStarted(), ev.turnStarted("T1"));
    const event = { ...ev.health(), type: "turn.expired", payload: { reason: "stale-turn", silentForSeconds: 7200 } };
    const step = evolve(state, { seq: 3, receivedAt: T0 + 7_200_000, origin: "service", event });
    expect(step.outcome).toBe("applied");
    expect(step.state).toMatchObject({ status: "interrupted", activeTurnId: null, eventCount: 3, lastSeq: 3 });
  });
});

describe("a committed batch", () => {
  it("is an ingest change that notifies and delivers nothing", () => {
    const decision = decideBatch(given().state, [{ event: ev.sessionStarted(), text: "{}" }], new Map(), T0);
    expect(decision).toMatchObject({ kind: "commit", change: { cause: "ingest", notifications: [], deliveries: [] } });
  });

  it("answers an ignored event with its reason, and an applied one without", () => {
    const { state } = given(ev.sessionStarted(), ev.turnStarted("T1"));
    const ignored = ev.turnStarted("T2");
    const applied = ev.turnCompleted("T1");
    const decision = decideBatch(
      state,
      [
        { event: ignored, text: "{}" },
        { event: applied, text: "{}" },
      ],
      new Map(),
      T0,
    );
    if (decision.kind !== "commit") throw new Error("expected a commit");
    expect(decision.results[0]).toEqual({
      eventId: ignored.eventId,
      seq: 3,
      outcome: "ignored",
      reason: "another-turn-active",
    });
    expect(decision.results[1]).toEqual({ eventId: applied.eventId, seq: 4, outcome: "applied" });
    expect(decision.results[1]).not.toHaveProperty("reason");
    expect(decision.change.entries[0]).toMatchObject({ reason: "another-turn-active", text: "{}" });
  });
});
