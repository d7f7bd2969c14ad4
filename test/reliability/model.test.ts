/**
 * Model-based test: random sequences of submit, replay, alarm, evict, delete, page and advance-time commands run
 * against the real session object, each observable result predicted by a small model of ids, seqs and deadlines.
 */
import { abortAllDurableObjects, evictDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import type { EventPage, IngestReply, SessionView } from "../../src/contracts/replies.ts";
import type { DeadlineAction } from "../../src/contracts/vocabulary.ts";
import { api, json, newThreadId } from "../support/api.ts";
import { sessionEvent } from "../support/arbitraries.ts";
import { canonical, logViolations, type ReadEntry } from "../support/checks.ts";
import type { ReferencePolicy } from "../support/reference-facts.ts";
import {
  lifecycleOf,
  type ReferenceIgnoreReason,
  type ReferenceOutcome,
  type ReferenceState,
  referenceInitial,
  referenceNextDeadline,
  referenceStep,
  referenceWake,
} from "../support/reference-model.ts";
import {
  alarmAt,
  deliverAlarmAgain,
  HOUR,
  MINUTE,
  runAlarm,
  SECOND,
  sessionPolicy,
  sessionStub,
  useFakeClock,
} from "../support/session-object.ts";

const policy = sessionPolicy();

interface ModelEntry {
  seq: number;
  receivedAt: number;
  origin: "provider" | "service";
  /** eventId of a provider event; type of one the service wrote (its id is random). */
  key: string;
  outcome: ReferenceOutcome;
  reason: ReferenceIgnoreReason | undefined;
}

interface Model {
  now: number;
  log: ModelEntry[];
  sent: Map<string, RuntimeEvent>;
  replayable: RuntimeEvent[];
  lastProviderAt: number | null;
  reapedAt: number | null;
  /** The session the rules of docs/lifecycle-rules.md make of the model's log: the spec the projection is held to. */
  reference: ReferenceState;
  lastRead: { view: SessionView | null; log: ReadEntry[] };
}

interface Real {
  threadId: string;
}

const totals = {
  runs: 0,
  commands: 0,
  requests: 0,
  events: 0,
  duplicates: 0,
  alarms: 0,
  written: 0,
  purges: 0,
  evictions: 0,
};

function newModel(now: number): Model {
  return {
    now,
    log: [],
    sent: new Map(),
    replayable: [],
    lastProviderAt: null,
    reapedAt: null,
    reference: referenceInitial,
    lastRead: { view: null, log: [] },
  };
}

/** Forgets the session but not what was ever sent, so a later replay of it is a new event. */
function purged(model: Model): void {
  Object.assign(model, { ...newModel(model.now), replayable: model.replayable });
}

const exists = (model: Model) => model.log.length > 0;

/** The policy as the reference reads it: every timeout, the defaults where the environment sets none. */
const referencePolicy = {
  stallAfterMs: 300_000,
  staleTaskTimeoutMs: 7_200_000,
  pendingRequestTimeoutMs: 86_400_000,
  ...policy,
} as ReferencePolicy;

/** docs/lifecycle-rules.md "Deadlines": the earliest due thing of the model's session. */
function nextDeadline(model: Model): { action: DeadlineAction; at: number } | null {
  return referenceNextDeadline(model.reference, referencePolicy);
}

/** Appends an entry to the model's log, judged and folded by the rules of docs/lifecycle-rules.md. */
function record(model: Model, origin: ModelEntry["origin"], event: RuntimeEvent): ModelEntry {
  const seq = model.log.length + 1;
  const step = referenceStep(model.reference, { seq, receivedAt: model.now, origin, event });
  model.reference = step.state;
  const key = origin === "provider" ? event.eventId : event.type;
  const entry = { seq, receivedAt: model.now, origin, key, outcome: step.outcome, reason: step.reason };
  model.log.push(entry);
  return entry;
}

/** Predicts one batch: a known id is a duplicate of its stored seq, anything else gets the next seq. */
function expectIngest(model: Model, batch: readonly RuntimeEvent[]) {
  const expected = batch.map((event) => {
    const stored = model.log.find((entry) => entry.origin === "provider" && entry.key === event.eventId);
    if (stored !== undefined) return { eventId: event.eventId, seq: stored.seq, duplicate: true };
    const entry = record(model, "provider", event);
    model.sent.set(event.eventId, event);
    if (!model.replayable.includes(event)) model.replayable.push(event);
    model.lastProviderAt = model.now;
    model.reapedAt = null;
    return { eventId: event.eventId, seq: entry.seq, duplicate: false };
  });
  return expected;
}

/** Reads everything observable and holds it to the model; afterwards the model's fold is the one read back. */
async function check(model: Model, real: Real): Promise<void> {
  const [sessionResponse, logResponse] = [await api.get(real.threadId), await api.events(real.threadId, "?limit=1000")];
  totals.requests += 3;
  if (!exists(model)) {
    expect([sessionResponse.status, logResponse.status]).toEqual([404, 404]);
    expect(await alarmAt(real.threadId)).toBeNull();
    model.lastRead = { view: null, log: [] };
    return;
  }
  const view = await json<SessionView>(sessionResponse);
  const log = (await json<EventPage>(logResponse)).events;
  expect(
    log.map((e) => ({
      seq: e.seq,
      receivedAt: Date.parse(e.receivedAt),
      origin: e.origin,
      key: e.origin === "provider" ? e.event.eventId : e.event.type,
      outcome: e.outcome,
      reason: e.reason,
    })),
  ).toEqual(model.log);
  expect(lifecycleOf(view)).toEqual(lifecycleOf(model.reference));
  for (const entry of log.filter((e) => e.origin === "provider")) {
    expect(canonical(entry.event)).toBe(canonical(model.sent.get(entry.event.eventId)));
  }
  expect(logViolations(view, log, policy)).toEqual([]);
  expect(view.lastEventAt).toBe(new Date(model.lastProviderAt ?? 0).toISOString());
  expect(view.reapedAt).toBe(model.reapedAt === null ? null : new Date(model.reapedAt).toISOString());
  model.lastRead = { view, log };
  const deadline = nextDeadline(model);
  expect(view.deadline).toEqual(
    deadline === null ? null : { action: deadline.action, at: new Date(deadline.at).toISOString() },
  );
  const alarm = await alarmAt(real.threadId);
  // Armed at or before the next deadline, so no session is ever left behind.
  expect(alarm).not.toBeNull();
  // A deadline already past (a usage limit that reset before it was reported) is armed for now.
  expect(alarm).toBeLessThanOrEqual(Math.max(deadline?.at ?? 0, model.now));
}

async function ingest(model: Model, real: Real, events: readonly RuntimeEvent[], copies: number) {
  const batch = events.map((event) => ({ ...event, threadId: real.threadId }));
  const expected = expectIngest(model, batch);
  const responses = await Promise.all(Array.from({ length: copies }, () => api.post(real.threadId, batch)));
  totals.requests += copies;
  totals.events += copies * batch.length;
  expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
  const replies = await Promise.all(responses.map((r) => json<IngestReply>(r)));
  const seen = replies.map((reply) =>
    reply.results.map((r) => ({ eventId: r.eventId, seq: r.seq, duplicate: r.outcome === "duplicate" })),
  );
  totals.duplicates += seen.flat().filter((r) => r.duplicate).length;
  // Whichever copy the object took first stores the new events; every other copy finds them all stored.
  const allDuplicates = expected.map((e) => ({ ...e, duplicate: true }));
  const first = seen.findIndex((results) => canonical(results) === canonical(expected));
  expect(first).toBeGreaterThanOrEqual(0);
  seen.forEach((results, index) => {
    if (index !== first) expect(results).toEqual(allDuplicates);
  });
  await check(model, real);
  const predicted = new Map(model.log.map((entry) => [entry.seq, entry]));
  for (const result of (replies[first] as IngestReply).results.filter((r) => r.outcome !== "duplicate")) {
    expect({ outcome: result.outcome, reason: result.reason }).toEqual({
      outcome: predicted.get(result.seq)?.outcome,
      reason: predicted.get(result.seq)?.reason,
    });
  }
  if (copies === 1) {
    // The reply carries the storage size up to a second old (docs/api.md); the GET that check() made reads it now.
    const { storageBytes, ...replied } = (replies[0] as IngestReply).session;
    const { storageBytes: _exact, ...read } = model.lastRead.view ?? { storageBytes: 0 };
    expect(replied).toEqual(read);
    expect(storageBytes).toBeGreaterThan(0);
  }
}

type Command = fc.AsyncCommand<Model, Real>;

const describeBatch = (events: readonly RuntimeEvent[]) =>
  events
    .map(
      (e) =>
        `${e.type}${e.requestId == null ? "" : `[${e.requestId}]`}${e.turnId == null ? "" : `(${e.turnId})`}` +
        `#${e.sessionSequence ?? "-"}`,
    )
    .join(", ");

class Submit implements Command {
  constructor(
    readonly events: RuntimeEvent[],
    readonly copies: number,
  ) {}
  check = () => true;
  run = (model: Model, real: Real) => ingest(model, real, this.events, this.copies);
  toString = () => `submit [${describeBatch(this.events)}] x${this.copies}`;
}

class Replay implements Command {
  constructor(
    readonly picks: number[],
    readonly copies: number,
  ) {}
  check = (model: Readonly<Model>) => model.replayable.length > 0;
  run = (model: Model, real: Real) =>
    ingest(
      model,
      real,
      this.picks.map((pick) => model.replayable[pick % model.replayable.length] as RuntimeEvent),
      this.copies,
    );
  toString = () => `replay [${this.picks.join(", ")}] x${this.copies}`;
}

/** When the alarm runs: now (often early), a second before the next deadline, exactly at it, or a day after it. */
type AlarmTime = "now" | "just-before" | "at-deadline" | "late";
const OFFSETS: Record<Exclude<AlarmTime, "now">, number> = {
  "just-before": -SECOND,
  "at-deadline": 0,
  late: 25 * HOUR,
};

class Alarm implements Command {
  constructor(
    readonly delivery: "scheduled" | "again",
    readonly when: AlarmTime,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    totals.alarms += 1;
    const upcoming = nextDeadline(model);
    if (upcoming !== null && this.when !== "now") {
      model.now = Math.max(model.now, upcoming.at + OFFSETS[this.when]);
      vi.setSystemTime(model.now);
    }
    const wake = referenceWake(model.reference, referencePolicy, model.now);
    if (this.delivery === "scheduled") expect(await runAlarm(real.threadId)).toBe(exists(model));
    else await deliverAlarmAgain(real.threadId);
    if (wake.purge) {
      totals.purges += 1;
      purged(model);
    }
    for (const entry of wake.entries) {
      totals.written += 1;
      record(model, "service", { ...entry, eventId: `service-${entry.type}`, threadId: real.threadId });
      if (entry.type === "session.reaped") model.reapedAt = model.now;
    }
    await check(model, real);
  }
  toString = () => `alarm ${this.delivery} ${this.when}`;
}

class Advance implements Command {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(model: Model) {
    model.now += this.ms;
    vi.setSystemTime(model.now);
  }
  toString = () => `advance ${this.ms / SECOND} s`;
}

class Evict implements Command {
  constructor(readonly how: "evict" | "abort-all") {}
  check = () => true;
  async run(model: Model, real: Real) {
    totals.evictions += 1;
    const before = model.lastRead;
    if (this.how === "evict") {
      // Only a running object can be evicted: wake it with a read that changes nothing.
      await alarmAt(real.threadId);
      await evictDurableObject(sessionStub(real.threadId));
    } else {
      await abortAllDurableObjects();
    }
    await check(model, real);
    expect(model.lastRead).toEqual(before);
  }
  toString = () => this.how;
}

class Delete implements Command {
  check = () => true;
  async run(model: Model, real: Real) {
    totals.requests += 1;
    expect((await api.delete(real.threadId)).status).toBe(exists(model) ? 204 : 404);
    purged(model);
    await check(model, real);
  }
  toString = () => "delete";
}

class Page implements Command {
  constructor(
    readonly after: number,
    readonly limit: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    totals.requests += 1;
    const response = await api.events(real.threadId, `?after=${this.after}&limit=${this.limit}`);
    if (!exists(model)) return void expect(response.status).toBe(404);
    const page = await json<EventPage>(response);
    const expected = model.log.filter((entry) => entry.seq > this.after).slice(0, this.limit);
    const last = expected.at(-1);
    expect(page.events.map((e) => e.seq)).toEqual(expected.map((e) => e.seq));
    expect(page.nextAfter).toBe(last !== undefined && last.seq < model.log.length ? last.seq : null);
  }
  toString = () => `page after ${this.after} limit ${this.limit}`;
}

const batch = fc
  .tuple(fc.array(sessionEvent, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([events, repeatFirst]) => (repeatFirst ? [...events, events[0] as RuntimeEvent] : events));
const copies = fc.integer({ min: 1, max: 3 });

const submit = fc.record({ events: batch, copies }).map(({ events, copies }) => new Submit(events, copies));
const alarm = fc
  .tuple(
    fc.constantFrom("scheduled" as const, "again" as const),
    fc.constantFrom<AlarmTime>("now", "just-before", "at-deadline", "late"),
  )
  .map(([delivery, when]) => new Alarm(delivery, when));
const advanceTime = fc
  .constantFrom(SECOND, 10 * MINUTE, 31 * MINUTE, 2 * HOUR + SECOND, 25 * HOUR)
  .map((ms) => new Advance(ms));

/** fast-check picks a command kind uniformly: listing one twice makes it twice as likely. */
const commandArbitraries = [
  submit,
  submit,
  fc
    .record({ picks: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), copies })
    .map(({ picks, copies }) => new Replay(picks, copies)),
  alarm,
  alarm,
  advanceTime,
  fc.constantFrom("evict" as const, "abort-all" as const).map((how) => new Evict(how)),
  fc.constant(new Delete()),
  fc.tuple(fc.nat({ max: 12 }), fc.integer({ min: 1, max: 5 })).map(([after, limit]) => new Page(after, limit)),
];

beforeAll(useFakeClock);
afterAll(() => {
  vi.useRealTimers();
});

describe("the session object against its model", () => {
  it("stores each event once, gap-free, folds to the projection and keeps its alarm, whatever the sequence", async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commandArbitraries, { maxCommands: 15, size: "medium" }), async (commands) => {
        totals.runs += 1;
        totals.commands += [...commands].length;
        const setup = () => ({ model: newModel(Date.now()), real: { threadId: newThreadId() } });
        await fc.asyncModelRun(setup, commands);
      }),
    );
    console.info(
      `model-based: ${totals.runs} runs, ${totals.commands} commands, ${totals.requests} requests, ` +
        `${totals.events} events posted (${totals.duplicates} answered duplicate), ${totals.alarms} alarms ` +
        `(${totals.written} expiries or reaps, ${totals.purges} purges), ${totals.evictions} evictions or aborts; ` +
        "0 lost, 0 duplicated, 0 reordered",
    );
  }, 300_000);
});
