import { describe, expect, it } from "vitest";
import { ev } from "../support/events.ts";
import { given } from "../support/given.ts";

describe("sessionSequence", () => {
  it("has no highest sequence until an event carries one", () => {
    const { state } = given(ev.sessionStarted(), ev.health());
    expect(state.highestSessionSequence).toBeNull();
  });

  it("keeps the highest sequence across events without one", () => {
    const { state } = given(ev.sessionStarted({ sessionSequence: 4 }), ev.health());
    expect(state.highestSessionSequence).toBe(4);
  });

  it("raises the highest sequence to a later event's", () => {
    const { state } = given(ev.sessionStarted({ sessionSequence: 4 }), ev.health({ sessionSequence: 9 }));
    expect(state.highestSessionSequence).toBe(9);
  });

  it("applies an event without a sequence after sequenced ones: it is not below the highest", () => {
    const step = given(ev.sessionStarted({ sessionSequence: 5 }), ev.turnStarted("T1", { sessionSequence: 6 })).when(
      ev.turnCompleted("T1"),
    );
    expect(step.outcome).toBe("applied");
    expect(step.state).toMatchObject({ status: "ready", activeTurnId: null, highestSessionSequence: 6 });
  });

  it("applies an event whose sequence is null after sequenced ones: null is no sequence, not one below", () => {
    const step = given(ev.sessionStarted({ sessionSequence: 5 }), ev.turnStarted("T1", { sessionSequence: 6 })).when({
      ...ev.turnCompleted("T1"),
      sessionSequence: null,
    });
    expect(step.outcome).toBe("applied");
    expect(step.state).toMatchObject({ status: "ready", activeTurnId: null, highestSessionSequence: 6 });
  });
});
