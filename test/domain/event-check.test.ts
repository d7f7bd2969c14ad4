/** The fast path against the schema it stands in for: it never accepts what zod refuses, and it takes the common case. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { realisticEvents } from "../../bench/event-mix.ts";
import { isCertainlyValidBatch, isCertainlyValidEvent, isThreadId } from "../../src/contracts/event-check.ts";
import {
  EventBatchSchema,
  RUNTIME_SESSION_STATES,
  RUNTIME_TURN_STATES,
  type RuntimeEvent,
  ThreadIdSchema,
} from "../../src/contracts/events.ts";
import { awkwardText, awkwardThreadId, providerEvent, requestEvent } from "../support/arbitraries.ts";
import { ev } from "../support/events.ts";

type Fields = Record<string, unknown>;

const accepts = (value: unknown) => EventBatchSchema.safeParse(value).success;

const built: Array<() => RuntimeEvent> = [
  () => ev.sessionStarted(),
  () => ev.threadStarted(),
  ...RUNTIME_SESSION_STATES.map((state) => () => ev.state(state, {}, "because")),
  () => ev.exited(),
  () => ev.turnStarted("turn-1"),
  ...RUNTIME_TURN_STATES.map((state) => () => ev.turnCompleted("turn-1", state, {}, "it broke")),
  () => ev.turnAborted("turn-1"),
  () => ev.runtimeError("boom", "turn-1"),
  () => ev.contentDelta("turn-1"),
  () => ev.health(),
  () => ev.requestOpened("r1", "turn-1"),
  () => ev.requestResolved("r1"),
  () => ev.userInputRequested("r1"),
  () => ev.userInputResolved(undefined),
];
const realistic = realisticEvents("thread-1", 80);

/** Events as the test builders, the shared arbitraries and the load benchmark make them. */
const validEvent: fc.Arbitrary<Fields> = fc.oneof(
  providerEvent,
  requestEvent,
  fc.constantFrom(...built).map((build) => build()),
  fc.constantFrom(...realistic),
);

/** Envelope fields spelled as orchestrators may: offsets, no fraction, 2^53 and beyond, unicode, vendor fields. */
const ordinaryFields: fc.Arbitrary<Fields> = fc.record(
  {
    threadId: fc.constantFrom("thread-1", "thread-😀", "a b", "\u202e", "t".repeat(256), "😀".repeat(128)),
    createdAt: fc.oneof(
      fc
        .date({ min: new Date("0000-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true })
        .map((date) => date.toISOString()),
      fc.constantFrom("2026-11-25T10:00:00Z", "2026-11-25T10:00:00.123456+05:30", "2024-02-29T23:59:59-08:00"),
    ),
    sessionSequence: fc.oneof(fc.nat(), fc.constantFrom(null, 2 ** 53, 2 ** 53 + 2, 1e300)),
    itemId: fc.constantFrom(null, "item-1", "i".repeat(256)),
    providerInstanceId: fc.constantFrom("codex-1", "😀"),
    providerRefs: fc.constant({ providerTurnId: "native-turn" }),
    raw: fc.jsonValue({ maxDepth: 4 }).map((json) => ({ source: "codex.app-server", payload: json })),
    vendorExtra: fc.jsonValue({ maxDepth: 4 }),
  },
  { requiredKeys: [] },
);

/** A missing field, spelled as a symbol so fast-check prints it. */
const DROP = Symbol("drop");

/** `key` set as an own property (as `JSON.parse` sets one, `__proto__` too), or removed if the value is `DROP`. */
function withField(object: Fields, key: string, value: unknown): Fields {
  const copy = { ...object };
  if (value === DROP) delete copy[key];
  else Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** `levels` objects or arrays, each inside the last: a field's own value is level 1, so 65 or more is too deep. */
function nested(levels: number, shape: "object" | "array" | "mixed"): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level += 1) {
    const array = shape === "array" || (shape === "mixed" && level % 2 === 0);
    value = array ? [value] : { a: value };
  }
  return value;
}

/** Text of one less than, exactly, or one more than `limit` code points, some of them two UTF-16 units long. */
function textNear(limit: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: limit - 1, max: limit + 1 }), fc.constantFrom("x", "😀", "😀x"))
    .map(([points, unit]) => (unit === "😀x" ? `😀${"x".repeat(points - 1)}` : unit.repeat(points)));
}

const oddString = fc.oneof(
  fc.constantFrom("", " ", "\u0000", "a\u0001b", "a\u001fb", "\u007f", "a\u0080", "a\u009fb", "\u0085", "\u00a0", "😀"),
  fc.constantFrom("\ud800", "a\udfffb", "\udc00\ud800", "x\ud83d", "\ud83d\ude00"),
  fc.string({ unit: "binary", maxLength: 8 }),
  awkwardText,
);
const LENGTH_LIMITS: Array<[field: string, limit: number]> = [
  ...["eventId", "type", "provider"].map((field): [string, number] => [field, 128]),
  ...["threadId", "turnId", "itemId", "requestId", "providerInstanceId"].map((field): [string, number] => [field, 256]),
];
const oddTime = fc.oneof(
  fc.constantFrom(
    ...["2026-11-25T10:00:00Z", "2026-11-25T10:00Z", "2026-11-25t10:00:00z", "2026-11-25 10:00:00Z"],
    ...["2026-11-25T10:00:00+0200", "2026-11-25T10:00:00+24:00", "2026-11-25T10:00:00-23:59", "2026-11-25T10:00:00"],
    ...["2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "2026-11-31T00:00:00Z"],
    ...["2026-11-25T24:00:00Z", "2026-11-25T23:59:60Z", "2026-11-25T10:00:00.Z", "+012026-11-25T10:00:00Z"],
    ...["2026-11-25", "10:00:00Z", "2026-11-25T10:00:00.000Z\n", " 2026-11-25T10:00:00Z", "2026-11-25T10:00:00.5"],
    ...["1795588084000", "yesterday", ""],
  ),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  // Any string is a createdAt (the reference's IsoDateTime is Schema.String); only another type is refused.
  fc.constantFrom<unknown>(DROP, null, undefined, 1795588084000, true, {}, ["2026-11-25T10:00:00Z"]),
);
const oddNumber = fc.oneof(
  fc.constantFrom(-1, -0, 0.5, 1.5, 2 ** 53, 1e300, -1e300, Number.POSITIVE_INFINITY, Number.NaN, Number.MIN_VALUE),
  fc.double(),
  fc.integer(),
);
const deep = fc
  .tuple(fc.integer({ min: 60, max: 68 }), fc.constantFrom<"object" | "array" | "mixed">("object", "array", "mixed"))
  .map(([levels, shape]) => nested(levels, shape));
const wrongType = fc.oneof(
  fc.constantFrom<unknown>(DROP, null, undefined, true, 0, "", [], {}),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
  fc.anything({ maxDepth: 2 }),
);
const ID_FIELDS = ["turnId", "itemId", "requestId", "providerInstanceId"];
const OBJECT_FIELDS = ["payload", "raw", "providerRefs", "vendorExtra", "__proto__"];
const ENVELOPE_FIELDS = ["eventId", "type", "provider", "threadId", "createdAt", "sessionSequence", ...ID_FIELDS];

/** A valid payload of each lifecycle type, with each field the schema checks. */
const LIFECYCLE_PAYLOADS: Record<string, Fields> = {
  "session.started": { message: "hello" },
  "thread.started": { providerThreadId: "native-1" },
  "session.state.changed": { state: "ready", reason: "because" },
  "session.exited": { reason: "done", recoverable: true, exitKind: "graceful" },
  "turn.started": {},
  "turn.completed": { state: "completed", errorMessage: "none" },
  "turn.aborted": { reason: "stop" },
  "runtime.error": { message: "boom", class: "provider_error" },
};
/** What a lifecycle payload field may be set to: a value of its enum or another's, of the wrong type, too long. */
const payloadValue = fc.oneof(
  fc.constantFrom<unknown>(...RUNTIME_SESSION_STATES, ...RUNTIME_TURN_STATES, "graceful", "error", "stop"),
  fc.constantFrom<unknown>(DROP, true, false, null, undefined, 7, [], { state: "running", reason: "r", message: "m" }),
  oddString,
  textNear(65_536),
);
/** The event's own payload, left as it is. */
const KEEP = Symbol("keep");

function edited(field: fc.Arbitrary<string>, value: fc.Arbitrary<unknown>): fc.Arbitrary<Fields> {
  return fc.tuple(validEvent, field, value).map(([event, key, replacement]) => withField(event, key, replacement));
}

const payloadOf = (event: Fields): Fields => (event.payload ?? {}) as Fields;

/** Valid events with one defect of a family, or with a value of the family that happens to be valid. */
const defective: Record<string, fc.Arbitrary<Fields>> = {
  "eventId, type and provider": edited(fc.constantFrom("eventId", "type", "provider"), oddString),
  "threadId characters": edited(fc.constant("threadId"), oddString),
  "text lengths at the limits": fc
    .constantFrom(...LENGTH_LIMITS)
    .chain(([field, limit]) => edited(fc.constant(field), textNear(limit))),
  createdAt: edited(fc.constant("createdAt"), oddTime),
  sessionSequence: edited(fc.constant("sessionSequence"), oddNumber),
  "the optional ids": edited(fc.constantFrom(...ID_FIELDS), oddString),
  "nesting depth": fc.oneof(
    edited(fc.constantFrom(...OBJECT_FIELDS), deep),
    fc.tuple(validEvent, deep).map(([event, value]) => withField(event, "payload", { ...payloadOf(event), value })),
  ),
  "missing fields and wrong types": edited(fc.constantFrom(...ENVELOPE_FIELDS, ...OBJECT_FIELDS), wrongType),
  "lifecycle payloads": fc.constantFrom(...Object.entries(LIFECYCLE_PAYLOADS)).chain(([type, payload]) =>
    fc
      .tuple(
        validEvent,
        fc.array(fc.tuple(fc.constantFrom(...Object.keys(payload), "__proto__", "vendorField"), payloadValue), {
          minLength: 1,
          maxLength: 2,
        }),
      )
      .map(([event, edits]) =>
        withField(
          withField(event, "type", type),
          "payload",
          edits.reduce((edited, [key, value]) => withField(edited, key, value), payload),
        ),
      ),
  ),
  "lifecycle types over other payloads": fc
    .tuple(
      validEvent,
      fc.constantFrom(...Object.keys(LIFECYCLE_PAYLOADS), "x.unknown", "toString", "__proto__"),
      fc.constantFrom<unknown>(KEEP, DROP, null, undefined, [], "stop", {}),
    )
    .map(([event, type, payload]) => {
      const retyped = withField(event, "type", type);
      return payload === KEEP ? retyped : withField(retyped, "payload", payload);
    }),
};

/** One event or a batch of 0 to 501 with at most one defective event, or no event at all. */
const batches: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(0, 1, 2, 3, 499, 500, 501),
      validEvent,
      fc.option(fc.oneof(...Object.values(defective))),
      fc.nat(),
    )
    .map(([length, event, defect, at]) =>
      Array.from({ length }, (_, index) => (defect !== null && index === at % length ? defect : event)),
    ),
  fc.anything(),
  fc.array(fc.anything({ maxDepth: 2 }), { minLength: 1, maxLength: 3 }),
);

/** Enough runs that each family shows both outcomes, however few runs the suite asks for. */
const MIN_SOUNDNESS_RUNS = 200;

/** Runs the soundness property over `values`, and checks they exercised both a fast accept and a zod refusal. */
function expectSound(values: fc.Arbitrary<unknown>): void {
  let decided = 0;
  let refused = 0;
  fc.assert(
    fc.property(values, (value) => {
      const fast = isCertainlyValidBatch(value);
      const valid = accepts(value);
      if (fast) decided += 1;
      if (!valid) refused += 1;
      return !fast || valid;
    }),
    { numRuns: Math.max(MIN_SOUNDNESS_RUNS, fc.readConfigureGlobal().numRuns ?? 0) },
  );
  expect(decided, "values the fast path accepted").toBeGreaterThan(0);
  expect(refused, "values the schema refused").toBeGreaterThan(0);
}

describe("isCertainlyValidBatch never accepts what EventBatchSchema refuses", () => {
  it.each(Object.keys(defective))("with defects in %s", (family) => {
    expectSound(defective[family] as fc.Arbitrary<Fields>);
  });

  it("for batches of 0 to 501 with a defective event among them, and for values that are no event", () => {
    expectSound(batches);
  });
});

describe("isCertainlyValidEvent decides as the schema does", () => {
  it.each([
    ["threadId", fc.oneof(awkwardThreadId, awkwardText, oddString, textNear(256))],
    ["createdAt", oddTime],
    ["sessionSequence", oddNumber],
  ] as const)("on %s", (field, values) => {
    fc.assert(
      fc.property(edited(fc.constant(field), values), (event) => {
        expect(isCertainlyValidEvent(event)).toBe(accepts(event));
      }),
    );
  });
});

describe("EventBatchSchema never refuses an event for its createdAt or its lifecycle text", () => {
  it.each(["2026-11-25T10:00Z", "2026-11-25T10:00:00", "1795588084000", "yesterday", ""])(
    "accepts createdAt %j, in the schema and the fast path",
    (createdAt) => {
      const event = { ...ev.sessionStarted(), createdAt };
      expect(accepts(event)).toBe(true);
      expect(isCertainlyValidEvent(event)).toBe(true);
    },
  );

  it.each([
    ["runtime.error", { message: "x".repeat(70_000), class: "provider_error" }],
    ["turn.aborted", { reason: "x".repeat(70_000) }],
    ["turn.completed", { state: "failed", errorMessage: "x".repeat(70_000) }],
    ["session.state.changed", { state: "error", reason: "x".repeat(70_000) }],
    ["session.started", { message: "x".repeat(70_000) }],
  ])("accepts a %s with text over 65,536 units, in the schema and the fast path", (type, payload) => {
    const event = { ...ev.sessionStarted(), type, payload };
    expect(accepts(event)).toBe(true);
    expect(isCertainlyValidEvent(event)).toBe(true);
  });
});

describe("isCertainlyValidBatch takes the fast path for what orchestrators send", () => {
  const ordinaryEvent = fc.tuple(validEvent, ordinaryFields).map(([event, fields]) => ({ ...event, ...fields }));

  it("accepts every event the builders, the shared arbitraries and the load benchmark make, in any envelope", () => {
    fc.assert(
      fc.property(ordinaryEvent, (event) => {
        expect(accepts(event)).toBe(true);
        expect(isCertainlyValidBatch(event)).toBe(true);
      }),
    );
  });

  it("accepts batches of 1 to 500 of them", () => {
    const batch = fc
      .integer({ min: 1, max: 500 })
      .chain((length) => fc.array(ordinaryEvent, { minLength: length, maxLength: length }));
    const numRuns = Math.max(10, Math.round((fc.readConfigureGlobal().numRuns ?? 100) / 10));
    fc.assert(
      fc.property(batch, (events) => isCertainlyValidBatch(events)),
      { numRuns },
    );
  });

  it("accepts a batch of 500 events of a realistic turn stream", () => {
    expect(isCertainlyValidBatch(realisticEvents("thread-1", 500))).toBe(true);
  });
});

describe("isThreadId, the ingest path's hand check", () => {
  it("accepts exactly what ThreadIdSchema accepts", () => {
    const candidates = fc.oneof(
      awkwardThreadId,
      awkwardText,
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.string({ unit: "grapheme", minLength: 120, maxLength: 140 }),
      fc.constantFrom("", "thread-42", "a".repeat(256), "a".repeat(257), "😀".repeat(128), "😀".repeat(129)),
    );
    fc.assert(
      fc.property(candidates, (threadId) => {
        expect(isThreadId(threadId)).toBe(ThreadIdSchema.safeParse(threadId).success);
      }),
      { numRuns: 2_000 },
    );
  });
});
