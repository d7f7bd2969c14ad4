/** fast-check arbitraries shared by the property and model-based tests. */
import fc from "fast-check";
import { RUNTIME_SESSION_STATES, RUNTIME_TURN_STATES, type RuntimeEvent } from "../../src/domain/events.ts";
import { runtimeEvent } from "./events.ts";

const turnIds = fc.constantFrom(undefined, "turn-a", "turn-b", "turn-c");
const sequence = fc.option(fc.nat({ max: 20 }), { nil: undefined });

/** Lifecycle-heavy random events, including stale, foreign and turn-less ones. */
export const providerEvent: fc.Arbitrary<RuntimeEvent> = fc
  .tuple(
    fc.oneof(
      fc.constant({ type: "session.started", payload: {} }),
      fc.constant({ type: "thread.started", payload: {} }),
      fc
        .constantFrom(...RUNTIME_SESSION_STATES)
        .map((state) => ({ type: "session.state.changed", payload: { state } })),
      fc.constant({ type: "session.exited", payload: {} }),
      fc.constant({ type: "turn.started", payload: {} }),
      fc.constantFrom(...RUNTIME_TURN_STATES).map((state) => ({ type: "turn.completed", payload: { state } })),
      fc.constant({ type: "turn.aborted", payload: { reason: "stop" } }),
      fc.constant({ type: "runtime.error", payload: { message: "boom" } }),
      fc
        .constantFrom("content.delta", "runtime.warning", "session.health", "x.unknown")
        .map((type) => ({ type, payload: {} })),
    ),
    turnIds,
    sequence,
  )
  .map(([{ type, payload }, turnId, sessionSequence]) =>
    runtimeEvent(type, payload, {
      ...(turnId === undefined ? {} : { turnId }),
      ...(sessionSequence === undefined ? {} : { sessionSequence }),
    }),
  );
