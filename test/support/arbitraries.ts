/** fast-check arbitraries shared by the property and model-based tests. */
import fc from "fast-check";
import { RUNTIME_SESSION_STATES, RUNTIME_TURN_STATES, type RuntimeEvent } from "../../src/contracts/events.ts";
import { runtimeEvent } from "./events.ts";

const turnIds = fc.constantFrom(undefined, "turn-a", "turn-b", "turn-c");
const sequence = fc.option(fc.nat({ max: 20 }), { nil: undefined });
/** createdAt as orchestrators send it: read or not, it never changes whether the event is accepted. */
const createdAt = fc.constantFrom(
  undefined,
  "2026-11-25T10:00Z",
  "2026-11-25T10:00:00",
  "2026-11-25T10:00:00.5+05:30",
  "1795588084000",
  "2023-02-29T00:00:00Z",
  "yesterday",
);

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
    createdAt,
  )
  .map(([{ type, payload }, turnId, sessionSequence, at]) =>
    runtimeEvent(type, payload, {
      ...(turnId === undefined ? {} : { turnId }),
      ...(sessionSequence === undefined ? {} : { sessionSequence }),
      ...(at === undefined ? {} : { createdAt: at }),
    }),
  );

const requestIds = fc.constantFrom(undefined, "r1", "r2", "r3");

/** Approvals and questions opened and resolved under a few shared ids, some without one, of the turns above or none. */
export const requestEvent: fc.Arbitrary<RuntimeEvent> = fc
  .tuple(
    fc.constantFrom(
      { type: "request.opened", payload: { requestType: "command_execution_approval", detail: "npm test" } },
      { type: "request.resolved", payload: { requestType: "command_execution_approval", decision: "accept" } },
      { type: "user-input.requested", payload: { questions: [{ id: "q1", question: "Which branch?" }] } },
      { type: "user-input.resolved", payload: { answers: { q1: "main" } } },
    ),
    requestIds,
    turnIds,
    sequence,
  )
  .map(([{ type, payload }, requestId, turnId, sessionSequence]) => {
    const event = runtimeEvent(type, payload, {
      ...(turnId === undefined ? {} : { turnId }),
      ...(sessionSequence === undefined ? {} : { sessionSequence }),
    });
    return requestId === undefined ? event : { ...event, requestId };
  });

const taskIds = fc.constantFrom(undefined, "task-a", "task-b");

/**
 * What the session keeps besides its lifecycle (issue 21): background tasks, health reports, denied tools, usage
 * limits and non-graceful exits, shaped as T3 Code's providerRuntime.ts has them, with some fields missing or odd.
 */
export const factEvent: fc.Arbitrary<RuntimeEvent> = fc
  .tuple(
    fc.oneof(
      fc
        .tuple(
          fc.constantFrom("task.started", "task.progress", "task.updated", "task.completed"),
          taskIds,
          fc.constantFrom(undefined, "running", "paused", "completed", "failed", "killed", "stopped"),
          fc.constantFrom(undefined, true, false),
        )
        .map(([type, taskId, status, isBackgrounded]) => ({
          type,
          payload: {
            ...(taskId === undefined ? {} : { taskId }),
            ...(status === undefined ? {} : { status }),
            ...(isBackgrounded === undefined ? {} : { isBackgrounded }),
          },
        })),
      fc
        .tuple(fc.constantFrom("active", "stalled", "unknown"), fc.constantFrom(undefined, 0, 60_000, -5))
        .map(([state, stalledForMs]) => ({
          type: "session.health",
          payload: {
            state,
            lastActivityAt: "2026-11-25T09:00:00Z",
            ...(stalledForMs === undefined ? {} : { stalledForMs }),
          },
        })),
      fc.constant({ type: "tool.denied", payload: { toolName: "Bash" } }),
      fc
        .constantFrom<Record<string, unknown> | undefined>(
          { kind: "usage-limit", resetsAt: "2026-11-25T15:00:00Z" },
          { kind: "usage-limit", resetsAtEpochSeconds: 1795618800 },
          { kind: "usage-limit", resetsAt: "soon" },
          { kind: "usage-limit" },
          undefined,
        )
        .map((detail) => ({
          type: "runtime.error",
          payload: { message: "usage limit", class: "usage_limit", ...(detail === undefined ? {} : { detail }) },
        })),
      fc.constantFrom(undefined, "panic: out of memory", `${"x".repeat(4095)}😀tail`).map((stderrTail) => ({
        type: "session.exited",
        payload: { exitKind: "error", ...(stderrTail === undefined ? {} : { stderrTail }) },
      })),
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

/** Lifecycle events with approvals, questions and the other facts among them: what the reference model judges in full. */
export const sessionEvent: fc.Arbitrary<RuntimeEvent> = fc.oneof(
  { weight: 3, arbitrary: providerEvent },
  { weight: 1, arbitrary: requestEvent },
  { weight: 1, arbitrary: factEvent },
);

/** Text that is awkward to store, compare and echo: lone surrogates, NUL, BOM, bidi overrides, combining marks. */
export const awkwardText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 24 }),
  fc.constantFrom("\ud800", "\udfff", "a\udc00b", "\u0000", "\ufeff", "\u202e", "e\u0301", "😀", "\uffff", "\\u0000"),
  fc.constantFrom("'; DROP TABLE events; --", "%2e%2e/", "../..", "<script>", "null", "__proto__x"),
);

/** Well-formed text, safe to put in a URL path, including what looks like another tenant's or a traversal. */
export const awkwardThreadId: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
    fc.constantFrom("globex/x", "../globex/x", "acme/x", "a/../b", "%2F", "%25", "x?y#z", " ", "\u202e", "😀/😀"),
    fc.integer({ min: 200, max: 256 }).map((length) => "t".repeat(length)),
  )
  .filter((id) => id !== "." && id !== "..");

/** JSON text nested deeper than the 64 levels an event may carry, up to far past any recursion limit. */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 65, max: 100_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${"[".repeat(depth)}1${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`,
  );

/** Longer than any field allows, and up to most of the 1 MiB body. */
export const hugeText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom("x", "é", "😀"), fc.integer({ min: 257, max: 200_000 }))
  .map(([unit, count]) => unit.repeat(count));

const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 2 }),
  fc.object(),
);
const notAnObject = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.array(fc.jsonValue(), { maxLength: 3 }));
const REQUIRED = ["eventId", "type", "provider", "threadId", "createdAt"] as const;

type Event = Record<string, unknown>;

/** A function that fast-check prints as its label in a counterexample. */
function labelled<F extends (...args: never[]) => unknown>(label: string, f: F): F {
  return Object.assign(f, { [fc.toStringMethod]: () => label });
}

const fieldSet = (field: string, value: unknown) =>
  labelled(`${field} = ${fc.stringify(value).slice(0, 60)}`, (e: Event) => ({ ...e, [field]: value }));

/** Each change makes a valid event invalid, or makes it name another thread than the path. */
const eventDefect: fc.Arbitrary<(event: Event) => Event> = fc.oneof(
  fc
    .constantFrom(...REQUIRED)
    .map((field) =>
      labelled(`without ${field}`, (e: Event) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== field))),
    ),
  fc.tuple(fc.constantFrom(...REQUIRED), notAString).map(([field, value]) => fieldSet(field, value)),
  fc.constantFrom("eventId", "type", "provider").map((field) => fieldSet(field, "")),
  hugeText.map((text) => fieldSet("eventId", text)),
  fc.constantFrom("\ud800", "x\udfff", "\udc00\ud800").map((eventId) => fieldSet("eventId", eventId)),
  awkwardText.map((threadId) => fieldSet("threadId", `other-${threadId}`)),
  // Any string is a createdAt (stored as sent, read if it can be): only another type, above, is a defect.
  // 2^53 and 1e300 are integers, kept as sent (the issue on field fidelity): only these are defects.
  fc.constantFrom(-1, 1.5, "3", -1e300).map((sequence) => fieldSet("sessionSequence", sequence)),
  fc.oneof(fc.constant(""), hugeText, fc.integer()).map((turnId) => fieldSet("turnId", turnId)),
  fc
    .tuple(fc.constantFrom("payload", "raw", "providerRefs"), notAnObject)
    .map(([field, value]) => fieldSet(field, value)),
  awkwardText
    .filter((state) => !(RUNTIME_SESSION_STATES as readonly string[]).includes(state))
    .map((state) =>
      labelled(`session.state.changed to ${fc.stringify(state)}`, (e: Event) => ({
        ...e,
        type: "session.state.changed",
        payload: { state },
      })),
    ),
  fc.constant(
    labelled("runtime.error without a message", (e: Event) => ({ ...e, type: "runtime.error", payload: {} })),
  ),
  fc.constant(
    labelled("turn.aborted with a numeric reason", (e: Event) => ({
      ...e,
      type: "turn.aborted",
      payload: { reason: 7 },
    })),
  ),
);

/** A placeholder swapped for deep JSON text after serialising, so the test's own JSON.stringify never recurses. */
const DEEP = "__deep__";

export type HostileBody = (threadId: string) => string;

/**
 * A request body no valid request could have, as text: random JSON, text that is not JSON, an event with a defect,
 * nesting past the limit in any field, a batch with one bad event among good ones, an empty, overlong or oversized batch.
 */
export function hostileBody(valid: (threadId: string) => RuntimeEvent): fc.Arbitrary<HostileBody> {
  return fc.oneof(
    fc.jsonValue().map((value) => labelled(`JSON ${fc.stringify(value).slice(0, 60)}`, () => JSON.stringify(value))),
    fc
      .string()
      .filter((text) => !isJson(text))
      .map((text) => labelled(`text ${fc.stringify(text)}`, () => text)),
    eventDefect.map((defect) =>
      labelled(`event with ${defect}`, (threadId: string) => JSON.stringify(defect(valid(threadId)))),
    ),
    fc
      .tuple(fc.constantFrom("payload", "raw", "providerRefs", "vendorExtra"), deepJson)
      .map(([field, deep]) =>
        labelled(`${field} nested ${deep.split(/[[{]/).length - 1} levels`, (threadId: string) =>
          JSON.stringify({ ...valid(threadId), [field]: DEEP }).replace(`"${DEEP}"`, deep),
        ),
      ),
    fc.tuple(eventDefect, fc.nat({ max: 4 }), fc.nat({ max: 4 })).map(([defect, before, after]) =>
      labelled(`batch of ${before} good, one with ${defect}, ${after} good`, (threadId: string) => {
        const good = () => valid(threadId);
        return JSON.stringify([
          ...Array.from({ length: before }, good),
          defect(good()),
          ...Array.from({ length: after }, good),
        ]);
      }),
    ),
    fc
      .constantFrom(0, 501)
      .map((length) =>
        labelled(`batch of ${length}`, (threadId: string) =>
          JSON.stringify(Array.from({ length }, () => valid(threadId))),
        ),
      ),
    fc.constant(
      labelled(
        "a valid event padded past 1 MiB",
        (threadId: string) => `${JSON.stringify(valid(threadId))}${" ".repeat(1024 * 1024)}`,
      ),
    ),
  );
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
