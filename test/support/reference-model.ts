/**
 * An independent oracle for the session lifecycle and its pending requests, written from docs/lifecycle-rules.md
 * ("Projection rules", "Reaping") as tables, never from src/domain/projection.ts, pending-requests.ts, event-log.ts
 * or reaping.ts, so a bug planted there cannot also be in the spec. It imports only types, and only from src/contracts.
 */
import type { RuntimeEvent, RuntimeSessionState, RuntimeTurnState } from "../../src/contracts/events.ts";
import type { DeadlineAction, SessionStatus } from "../../src/contracts/vocabulary.ts";
import {
  factsAfterEvent,
  factsAfterServiceEntry,
  type ReferenceFacts,
  type ReferenceHealth,
  type ReferencePolicy,
  referenceDeadlines,
  referenceInitialFacts,
  revived,
} from "./reference-facts.ts";

export type ReferenceOutcome = "applied" | "recorded" | "ignored";
export type ReferenceIgnoreReason =
  | "stale-sequence"
  | "another-turn-active"
  | "not-the-active-turn"
  | "turnless-completion"
  | "no-turn-to-settle"
  | "too-many-pending-requests";

/** docs/lifecycle-rules.md: "With 100 pending: `ignored` (`too-many-pending-requests`)". */
export const REFERENCE_MAX_PENDING_REQUESTS = 100;

/** An approval (`request.opened`) or a question (`user-input.requested`) nobody has answered yet. */
export interface ReferenceRequest {
  requestId: string;
  kind: "approval" | "user-input";
  /** null: it belongs to the provider session, not to a turn. */
  turnId: string | null;
  /** Server receive time (ms) of the event that opened it. */
  openedAt: number;
}

export interface ReferenceState {
  status: SessionStatus;
  activeTurnId: string | null;
  lastError: string | null;
  /** The highest `sessionSequence` accepted since the last `session.started`: anything below it is stale. */
  sequenceMark: number | null;
  /** Open requests, in the order they were opened. */
  pendingRequests: readonly ReferenceRequest[];
  /** Receive time of the last accepted provider event: what the watchdog measures silence from. */
  lastActivityAt: number | null;
  /** docs/api.md, field `providerName`: named by session-opening events, or by the first accepted event. */
  providerName: string | null;
  /** docs/api.md, field `providerUpdatedAt`: `createdAt` of the last applied provider lifecycle event. */
  providerUpdatedAt: string | null;
  /** Health, tasks, usage limit, denied tools, exit: test/support/reference-facts.ts. */
  facts: ReferenceFacts;
  /** When the idle reaper stopped it (ms), or null. */
  reapedAt: number | null;
  eventCount: number;
  lastSeq: number;
}

/** What the reference needs of a stored log entry (structurally a LogEntry, or a read entry with a parsed time). */
export interface ReferenceEntry {
  seq: number;
  receivedAt: number;
  origin: "provider" | "service";
  event: RuntimeEvent;
}

export interface ReferenceStep {
  state: ReferenceState;
  outcome: ReferenceOutcome;
  reason?: ReferenceIgnoreReason;
}

export const referenceInitial: ReferenceState = {
  status: "idle",
  activeTurnId: null,
  lastError: null,
  sequenceMark: null,
  pendingRequests: [],
  lastActivityAt: null,
  providerName: null,
  providerUpdatedAt: null,
  facts: referenceInitialFacts,
  reapedAt: null,
  eventCount: 0,
  lastSeq: 0,
};

/** How a rule treats the turn and the error: keep them, clear them, or set them. */
type TurnEffect = "keep" | "clear" | "event's turn";
type ErrorEffect = "keep" | "clear" | { set: (state: ReferenceState, event: RuntimeEvent) => string };
interface Effect {
  status: SessionStatus | ((state: ReferenceState) => SessionStatus);
  turn: TurnEffect | ((state: ReferenceState) => TurnEffect);
  error: ErrorEffect | ((state: ReferenceState) => ErrorEffect);
}

const payloadText = (event: RuntimeEvent, field: string): string | null => {
  const value = event.payload?.[field];
  return typeof value === "string" ? value : null;
};

const holdsTurn = (state: ReferenceState) => state.activeTurnId !== null;
const busy = (state: Pick<ReferenceState, "status">) => state.status === "starting" || state.status === "running";

/**
 * docs/lifecycle-rules.md: "`running` if a turn is still held, else `ready`" (ready clears lastError: docs/api.md,
 * field `lastError`).
 */
const opened: Effect = {
  status: (s) => (holdsTurn(s) ? "running" : "ready"),
  turn: "keep",
  error: (s) => (holdsTurn(s) ? "keep" : "clear"),
};

/** `session.state.changed`, by `payload.state`. */
const SESSION_STATE_CHANGED: Record<RuntimeSessionState, Effect> = {
  starting: { status: "starting", turn: "keep", error: "keep" },
  running: { status: "running", turn: "keep", error: "keep" },
  waiting: { status: "running", turn: "keep", error: "keep" },
  ready: { status: "ready", turn: "clear", error: "clear" },
  stopped: { status: "stopped", turn: "clear", error: "keep" },
  interrupted: { status: "interrupted", turn: "clear", error: "keep" },
  error: {
    status: "error",
    turn: "clear",
    error: { set: (s, e) => payloadText(e, "reason") ?? s.lastError ?? "Provider session error" },
  },
};

/** `turn.completed` that closes the turn, by `payload.state`. */
const TURN_COMPLETED: Record<RuntimeTurnState, Effect> = {
  completed: { status: "ready", turn: "clear", error: "clear" },
  interrupted: { status: "ready", turn: "clear", error: "clear" },
  cancelled: { status: "ready", turn: "clear", error: "clear" },
  failed: {
    status: "error",
    turn: "clear",
    error: { set: (s, e) => payloadText(e, "errorMessage") ?? s.lastError ?? "Turn failed" },
  },
};

/** A guard returns why the event is refused, or null to let the effect apply. */
type Guard = (state: ReferenceState, turnId: string | null) => ReferenceIgnoreReason | null;

const namesAnotherTurn = (s: ReferenceState, turnId: string | null) =>
  holdsTurn(s) && turnId !== null && turnId !== s.activeTurnId;

interface Rule {
  guards: Guard[];
  effect: (event: RuntimeEvent) => Effect;
}

/** The "Projection rules" table, one row per lifecycle event type; every other type is `recorded`. */
const PROVIDER_RULES: Record<string, Rule> = {
  "session.started": { guards: [], effect: () => opened },
  "thread.started": { guards: [], effect: () => opened },
  "session.state.changed": {
    guards: [],
    effect: (e) => SESSION_STATE_CHANGED[payloadText(e, "state") as RuntimeSessionState],
  },
  "session.exited": { guards: [], effect: () => ({ status: "stopped", turn: "clear", error: "keep" }) },
  "turn.started": {
    guards: [(s, turnId) => (holdsTurn(s) && turnId !== s.activeTurnId ? "another-turn-active" : null)],
    effect: () => ({ status: "running", turn: "event's turn", error: "keep" }),
  },
  "turn.completed": {
    guards: [
      (_, turnId) => (turnId === null ? "turnless-completion" : null),
      (s, turnId) => (namesAnotherTurn(s, turnId) ? "not-the-active-turn" : null),
      (s) => (!holdsTurn(s) && !busy(s) ? "no-turn-to-settle" : null),
    ],
    effect: (e) => TURN_COMPLETED[payloadText(e, "state") as RuntimeTurnState],
  },
  "turn.aborted": {
    guards: [
      (s, turnId) => (namesAnotherTurn(s, turnId) ? "not-the-active-turn" : null),
      (s) => (!holdsTurn(s) && !busy(s) ? "no-turn-to-settle" : null),
    ],
    effect: () => ({ status: "interrupted", turn: "clear", error: "keep" }),
  },
  "runtime.error": {
    guards: [(s, turnId) => (namesAnotherTurn(s, turnId) ? "not-the-active-turn" : null)],
    effect: () => ({
      status: "error",
      turn: "clear",
      error: { set: (_, e) => payloadText(e, "message") ?? "" },
    }),
  },
};

/** docs/lifecycle-rules.md "Reaping": the events the service writes itself. They are always applied. */
const SERVICE_RULES: Record<
  string,
  (state: ReferenceState, receivedAt: number, event: RuntimeEvent) => Effect | "no lifecycle change"
> = {
  "turn.expired": (s, receivedAt, e) =>
    e.payload?.reason === "request-timeout"
      ? {
          status: busy(s) ? "interrupted" : s.status,
          turn: "clear",
          error: { set: () => unansweredMessage(e) },
        }
      : { status: "interrupted", turn: "clear", error: { set: () => silentTurnMessage(s, receivedAt) } },
  "session.reaped": () => ({ status: "stopped", turn: "clear", error: "keep" }),
  // docs "Deadlines": a stall, a task's expiry and a limit's reset leave the lifecycle, and what waits, as they are.
  "session.stalled": () => "no lifecycle change",
  "task.expired": () => "no lifecycle change",
  "session.limit-reset": () => "no lifecycle change",
};

/** docs: "Turn T1 waited 86400 s for a person: no answer to its request" ("The session" without a turn). */
function unansweredMessage(event: RuntimeEvent): string {
  const who = event.turnId == null ? "The session" : `Turn ${event.turnId}`;
  return `${who} waited ${Number(event.payload?.waitedForSeconds ?? 0)} s for a person: no answer to its request`;
}

/** "Turn T1 went silent: no provider event for 7200 s", measured from the last provider event. */
function silentTurnMessage(state: ReferenceState, receivedAt: number): string {
  const silentFor = Math.round((receivedAt - (state.lastActivityAt ?? receivedAt)) / 1000);
  const who = state.activeTurnId === null ? "The running session" : `Turn ${state.activeTurnId}`;
  return `${who} went silent: no provider event for ${silentFor} s`;
}

/**
 * The stale-sequence mark after an accepted event. docs/lifecycle-rules.md: the mark is the highest `sessionSequence`
 * accepted since the last `session.started`, which "sets the mark to its own `sessionSequence` (none: no mark)".
 */
function sequenceMarkAfter(state: ReferenceState, event: RuntimeEvent): number | null {
  const sequence = event.sessionSequence ?? null;
  if (event.type === "session.started") return sequence;
  if (sequence === null) return state.sequenceMark;
  return Math.max(sequence, state.sequenceMark ?? sequence);
}

/** docs/lifecycle-rules.md: "a restart is never stale". */
function isStale(state: ReferenceState, event: RuntimeEvent): boolean {
  const sequence = event.sessionSequence ?? null;
  if (event.type === "session.started") return false;
  return sequence !== null && state.sequenceMark !== null && sequence < state.sequenceMark;
}

/** The request rows of the "Projection rules" table: what each request event does. */
const REQUEST_RULES: Record<string, { opens: ReferenceRequest["kind"] } | "resolves"> = {
  "request.opened": { opens: "approval" },
  "user-input.requested": { opens: "user-input" },
  "request.resolved": "resolves",
  "user-input.resolved": "resolves",
};

/**
 * docs/lifecycle-rules.md: a request may belong to "the running one (a busy session that never named its turn takes
 * any)".
 */
const turnIsRunning = (state: Pick<ReferenceState, "status" | "activeTurnId">, turnId: string) =>
  busy(state) && (state.activeTurnId === null || state.activeTurnId === turnId);

/**
 * docs/lifecycle-rules.md "Pending requests end with what they belong to": a turn's when the turn is no longer the
 * running one, the provider session's when it becomes `ready` or `stopped` (they survive `error` and `interrupted`).
 */
function survives(request: ReferenceRequest, after: Pick<ReferenceState, "status" | "activeTurnId">): boolean {
  if (request.turnId !== null) return turnIsRunning(after, request.turnId);
  return after.status !== "ready" && after.status !== "stopped";
}

/** A request event's step, or null for any other type. `before` is the state the event found. */
function requestStep(
  before: ReferenceState,
  sequenced: ReferenceState,
  event: RuntimeEvent,
  receivedAt: number,
): ReferenceStep | null {
  const rule = REQUEST_RULES[event.type];
  if (rule === undefined) return null;
  const requestId = event.requestId ?? null;
  if (requestId === null) return { state: sequenced, outcome: "recorded" };
  const pending = before.pendingRequests;
  const isOpen = pending.some((request) => request.requestId === requestId);
  if (rule === "resolves") {
    if (!isOpen) return { state: sequenced, outcome: "recorded" };
    const rest = pending.filter((request) => request.requestId !== requestId);
    return { state: { ...sequenced, pendingRequests: rest }, outcome: "applied" };
  }
  if (isOpen) return { state: sequenced, outcome: "recorded" };
  const turnId = event.turnId ?? null;
  if (turnId !== null && !turnIsRunning(before, turnId)) {
    return { state: sequenced, outcome: "ignored", reason: "not-the-active-turn" };
  }
  if (pending.length >= REFERENCE_MAX_PENDING_REQUESTS) {
    return { state: sequenced, outcome: "ignored", reason: "too-many-pending-requests" };
  }
  const opened: ReferenceRequest = { requestId, kind: rule.opens, turnId, openedAt: receivedAt };
  return { state: { ...sequenced, pendingRequests: [...pending, opened] }, outcome: "applied" };
}

/**
 * docs/lifecycle-rules.md: lifecycle text over 65,536 UTF-16 units is clipped to them, a character whose two units
 * the cut would split left out.
 */
function clipped(text: string): string {
  if (text.length <= 65_536) return text;
  const head = text.slice(0, 65_536);
  return /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head;
}

function resolve<T>(value: T | ((state: ReferenceState) => T), state: ReferenceState): T {
  return typeof value === "function" ? (value as (state: ReferenceState) => T)(state) : value;
}

function applyEffect(state: ReferenceState, effect: Effect, event: RuntimeEvent): ReferenceState {
  const turn = resolve(effect.turn, state);
  const error = resolve(effect.error, state);
  const status = resolve(effect.status, state);
  const activeTurnId = turn === "keep" ? state.activeTurnId : turn === "clear" ? null : (event.turnId ?? null);
  return {
    ...state,
    status,
    activeTurnId,
    lastError: error === "keep" ? state.lastError : error === "clear" ? null : clipped(error.set(state, event)),
    pendingRequests: state.pendingRequests.filter((request) => survives(request, { status, activeTurnId })),
  };
}

/** One stored log entry, as docs/lifecycle-rules.md says it should fold. */
export function referenceStep(state: ReferenceState, entry: ReferenceEntry): ReferenceStep {
  const counted = { ...state, eventCount: state.eventCount + 1, lastSeq: entry.seq };
  const { event } = entry;
  if (entry.origin === "service") {
    const rule = SERVICE_RULES[event.type];
    if (rule === undefined) throw new Error(`docs/lifecycle-rules.md names no service event ${event.type}`);
    const facts = factsAfterServiceEntry(state.facts, event, entry.receivedAt, state.lastActivityAt);
    const effect = rule(state, entry.receivedAt, event);
    const applied =
      effect === "no lifecycle change" ? { ...counted, facts } : applyEffect({ ...counted, facts }, effect, event);
    const timedOut = event.type === "turn.expired" && event.payload?.reason === "request-timeout";
    const reapedAt = event.type === "session.reaped" ? entry.receivedAt : state.reapedAt;
    return { state: { ...applied, reapedAt, ...(timedOut ? { pendingRequests: [] } : {}) }, outcome: "applied" };
  }
  // Every accepted provider event is activity, a stale or ignored one included, and revives a reaped session.
  const active = {
    ...counted,
    lastActivityAt: entry.receivedAt,
    reapedAt: null,
    facts: revived(state.facts, event, entry.receivedAt),
  };
  if (isStale(state, event)) return { state: active, outcome: "ignored", reason: "stale-sequence" };
  const sequenced = { ...active, sequenceMark: sequenceMarkAfter(state, event) };
  const step = providerStep(state, sequenced, event, entry.receivedAt);
  if (step.outcome === "ignored") return step;
  const lifecycleRule = PROVIDER_RULES[event.type] !== undefined;
  const move = {
    applied: lifecycleRule,
    newTurn: lifecycleRule && step.state.activeTurnId !== null && step.state.activeTurnId !== state.activeTurnId,
    stopped: lifecycleRule && step.state.status === "stopped",
  };
  const { facts, changed } = factsAfterEvent(step.state.facts, event, entry.receivedAt, move, readCreatedAt);
  const outcome = step.outcome === "recorded" && changed ? "applied" : step.outcome;
  return { ...step, outcome, state: { ...step.state, facts, providerName: nameAfter(state, event) } };
}

/** The rule of a provider event that is not stale: a lifecycle rule, a request, or recorded as it is. */
function providerStep(
  state: ReferenceState,
  sequenced: ReferenceState,
  event: RuntimeEvent,
  receivedAt: number,
): ReferenceStep {
  const rule = PROVIDER_RULES[event.type];
  if (rule === undefined)
    return requestStep(state, sequenced, event, receivedAt) ?? { state: sequenced, outcome: "recorded" };
  const turnId = event.turnId ?? null;
  for (const guard of rule.guards) {
    const reason = guard(state, turnId);
    if (reason !== null) return { state: sequenced, outcome: "ignored", reason };
  }
  const applied = applyEffect(sequenced, rule.effect(event), event);
  const providerUpdatedAt = readCreatedAt(event.createdAt) ?? state.providerUpdatedAt;
  return { state: { ...applied, providerUpdatedAt }, outcome: "applied" };
}

/**
 * docs/lifecycle-rules.md "createdAt": ISO 8601 date and time (seconds, fraction and zone optional; no zone is UTC),
 * or epoch milliseconds as digits; shown as UTC ISO 8601. Anything else is not read (null). Written as a
 * round trip: build the instant with Date.parse, then require the calendar fields to read back as sent.
 */
function readCreatedAt(text: string): string | null {
  if (/^[0-9]{1,16}$/.test(text)) {
    const ms = Number(text);
    return ms <= 8.64e15 ? new Date(ms).toISOString() : null;
  }
  const parts =
    /^([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}:[0-9]{2})(:[0-9]{2})?(\.[0-9]+)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?$/.exec(
      text,
    );
  if (parts === null) return null;
  const [, date, hoursMinutes, seconds = ":00", fraction = ".000", zone = "Z"] = parts as unknown as string[];
  const millis = `${fraction}00`.slice(0, 4);
  const offset = zone.toUpperCase() === "Z" ? "+00:00" : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  if (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4)) > 59) return null;
  const at = Date.parse(`${date}T${hoursMinutes}${seconds}${millis}${offset}`);
  if (Number.isNaN(at)) return null;
  const offsetMs =
    (offset.startsWith("-") ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4))) * 60_000;
  const wallClock = new Date(at + offsetMs).toISOString();
  return wallClock.startsWith(`${date}T${hoursMinutes}${seconds}`) ? new Date(at).toISOString() : null;
}

/** docs/api.md: `session.started` and `thread.started` name the provider; another event only while none is known. */
function nameAfter(state: ReferenceState, event: RuntimeEvent): string {
  const opensSession = event.type === "session.started" || event.type === "thread.started";
  return opensSession || state.providerName === null ? event.provider : state.providerName;
}

/** Every step of a log, in order; the last state is the session the log should project to. */
export function referenceRun(entries: Iterable<ReferenceEntry>, from: ReferenceState = referenceInitial) {
  const steps: ReferenceStep[] = [];
  let state = from;
  for (const entry of entries) {
    const step = referenceStep(state, entry);
    steps.push(step);
    state = step.state;
  }
  return { state, steps };
}

/** What a session view shows of the pending requests. */
export interface ReferencePendingView {
  approvals: number;
  userInputs: number;
  oldestOpenedAt: string | null;
}

/** docs/api.md, field `pendingRequests`: the open approvals, the open questions, and when the oldest was opened. */
export function pendingViewOf(pending: readonly ReferenceRequest[]): ReferencePendingView {
  const oldest = pending.length === 0 ? null : Math.min(...pending.map((request) => request.openedAt));
  return {
    approvals: pending.filter((request) => request.kind === "approval").length,
    userInputs: pending.filter((request) => request.kind === "user-input").length,
    oldestOpenedAt: oldest === null ? null : new Date(oldest).toISOString(),
  };
}

type Predicted =
  | "status"
  | "activeTurnId"
  | "lastError"
  | "providerName"
  | "providerUpdatedAt"
  | "eventCount"
  | "lastSeq";

type Observed = Pick<ReferenceState, Predicted> & {
  /** A state's list of open requests, or a view's counts of them. */
  pendingRequests: readonly ReferenceRequest[] | ReferencePendingView;
};

export type Lifecycle = Pick<ReferenceState, Predicted> & {
  pendingRequests: ReferencePendingView;
};

/** What a session view shows of the facts (docs/api.md); a reference state and a view both map to it. */
export interface FactsView {
  health: { state: string; since: string; source: string } | null;
  tasks: { running: number; backgrounded: number; oldestStartedAt: string | null };
  limitResetsAt: string | null;
  deniedTools: { turn: number; session: number };
  exitKind: string | null;
  stderrTail: string | null;
  attention: string[];
}

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** docs/api.md: the view's health, tasks, limitResetsAt, deniedTools, exitKind, stderrTail and attention. */
export function factsViewOf(state: ReferenceState): FactsView {
  const { facts } = state;
  const health: ReferenceHealth | null = facts.health;
  const oldest = facts.tasks.length === 0 ? null : Math.min(...facts.tasks.map((task) => task.startedAt));
  return {
    health: health === null ? null : { ...health, since: new Date(health.since).toISOString() },
    tasks: {
      running: facts.tasks.length,
      backgrounded: facts.tasks.filter((task) => task.backgrounded).length,
      oldestStartedAt: isoOrNull(oldest),
    },
    limitResetsAt: isoOrNull(facts.limitResetsAt),
    deniedTools: facts.deniedTools,
    exitKind: facts.exitKind,
    stderrTail: facts.stderrTail,
    attention: [
      ...(state.pendingRequests.length > 0 ? ["pending-request"] : []),
      ...(health?.state === "stalled" ? ["stall"] : []),
    ],
  };
}

/** The fields the reference predicts, picked from its state, a service state or a session view alike. */
export function lifecycleOf(state: Observed): Lifecycle {
  const pending = state.pendingRequests;
  return {
    status: state.status,
    activeTurnId: state.activeTurnId,
    lastError: state.lastError,
    providerName: state.providerName,
    providerUpdatedAt: state.providerUpdatedAt,
    eventCount: state.eventCount,
    lastSeq: state.lastSeq,
    pendingRequests:
      "approvals" in pending
        ? { approvals: pending.approvals, userInputs: pending.userInputs, oldestOpenedAt: pending.oldestOpenedAt }
        : pendingViewOf(pending),
  };
}

/** A service entry as the docs describe it; its eventId and threadId are the writer's. */
export type ReferenceServiceEntry = Pick<RuntimeEvent, "type" | "provider" | "createdAt" | "turnId" | "payload">;

/** docs/lifecycle-rules.md "Deadlines": the earliest due thing of a session (the first of the table on a tie). */
export function referenceNextDeadline(
  state: ReferenceState,
  policy: ReferencePolicy,
): { action: DeadlineAction; at: number } | null {
  const opened = state.pendingRequests.map((request) => request.openedAt);
  const due = referenceDeadlines(
    {
      busy: busy(state),
      lastActivityAt: state.lastActivityAt,
      reapedAt: state.reapedAt,
      oldestRequestAt: opened.length === 0 ? null : Math.min(...opened),
      facts: state.facts,
    },
    policy,
  );
  return due.reduce<{ action: DeadlineAction; at: number } | null>(
    (first, next) => (first === null || next.at < first.at ? next : first),
    null,
  );
}

/**
 * What the alarm does at `now` by the docs: every deadline due, earliest first, each written as the service's entry
 * (type, turn and payload as docs/lifecycle-rules.md lists them), or the purge. `threadId` and the ids are the caller's.
 */
export function referenceWake(
  state: ReferenceState,
  policy: ReferencePolicy,
  now: number,
): { entries: Array<ReferenceServiceEntry>; purge: boolean } {
  const entries: Array<ReferenceServiceEntry> = [];
  let current = state;
  for (;;) {
    const deadline = referenceNextDeadline(current, policy);
    if (deadline === null || deadline.at > now) break;
    if (deadline.action === "purge") return { entries, purge: entries.length === 0 };
    const entry = referenceServiceEntry(current, deadline.action, now);
    entries.push(entry);
    current = referenceStep(current, {
      seq: current.lastSeq + 1,
      receivedAt: now,
      origin: "service",
      event: { ...entry, eventId: "reference", threadId: "reference" },
    }).state;
  }
  return { entries, purge: false };
}

function referenceServiceEntry(
  state: ReferenceState,
  action: Exclude<DeadlineAction, "purge">,
  now: number,
): ReferenceServiceEntry {
  const envelope = {
    provider: state.providerName ?? "provider-sessions",
    createdAt: new Date(now).toISOString(),
    ...(state.activeTurnId === null ? {} : { turnId: state.activeTurnId }),
  };
  const silentFor = Math.round((now - (state.lastActivityAt ?? now)) / 1000);
  switch (action) {
    case "expire-turn":
      return { ...envelope, type: "turn.expired", payload: { reason: "stale-turn", silentForSeconds: silentFor } };
    case "request-timeout": {
      const oldest = Math.min(now, ...state.pendingRequests.map((request) => request.openedAt));
      const waitedForSeconds = Math.round((now - oldest) / 1000);
      return { ...envelope, type: "turn.expired", payload: { reason: "request-timeout", waitedForSeconds } };
    }
    case "stall":
      return { ...envelope, type: "session.stalled", payload: { reason: "no-activity", silentForSeconds: silentFor } };
    case "expire-task": {
      const stalest = [...state.facts.tasks].sort((a, b) => a.lastAt - b.lastAt)[0];
      const { turnId: _, ...untied } = envelope;
      return {
        ...untied,
        type: "task.expired",
        payload: {
          taskId: stalest?.taskId,
          silentForSeconds: Math.round((now - (stalest?.lastAt ?? now)) / 1000),
        },
      };
    }
    case "limit-reset": {
      const { turnId: _, ...untied } = envelope;
      const limitResetsAt = new Date(state.facts.limitResetsAt ?? now).toISOString();
      return { ...untied, type: "session.limit-reset", payload: { limitResetsAt } };
    }
    case "reap": {
      const { turnId: _, ...untied } = envelope;
      const quietSince = Math.max(state.lastActivityAt ?? now, state.facts.endedAt ?? 0);
      return {
        ...untied,
        type: "session.reaped",
        payload: { reason: "idle", idleForSeconds: Math.round((now - quietSince) / 1000) },
      };
    }
  }
}
