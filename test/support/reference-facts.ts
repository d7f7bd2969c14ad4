/**
 * The independent oracle's rules for what a session keeps besides its lifecycle (issue 21), written from
 * docs/lifecycle-rules.md ("Health, tasks, limits and people", "Deadlines") as tables, never from src/domain. Imports
 * only types, and only from src/contracts.
 */
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import type { DeadlineAction } from "../../src/contracts/vocabulary.ts";

export interface ReferenceHealth {
  state: "active" | "stalled";
  since: number;
  source: "provider" | "service";
}

export interface ReferenceTask {
  taskId: string;
  startedAt: number;
  lastAt: number;
  backgrounded: boolean;
}

export interface ReferenceFacts {
  health: ReferenceHealth | null;
  tasks: readonly ReferenceTask[];
  limitResetsAt: number | null;
  deniedTools: { turn: number; session: number };
  exitKind: "error" | null;
  stderrTail: string | null;
  /** The last time the service ended something: a turn, a task, a limit. Idle time counts from it too. */
  endedAt: number | null;
}

export const referenceInitialFacts: ReferenceFacts = {
  health: null,
  tasks: [],
  limitResetsAt: null,
  deniedTools: { turn: 0, session: 0 },
  exitKind: null,
  stderrTail: null,
  endedAt: null,
};

/** The docs' task table: what each task event does to the task its payload's taskId names. */
const TASK_EVENTS: Record<string, (event: RuntimeEvent) => "runs" | "ends"> = {
  "task.started": () => "runs",
  "task.progress": () => "runs",
  "task.updated": (event) =>
    ["completed", "failed", "killed"].includes(String(event.payload?.status)) ? "ends" : "runs",
  "task.completed": () => "ends",
};

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

function tasksAfterEvent(tasks: readonly ReferenceTask[], event: RuntimeEvent, at: number): readonly ReferenceTask[] {
  const rule = TASK_EVENTS[event.type];
  const taskId = text(event.payload?.taskId);
  if (rule === undefined || taskId === null) return tasks;
  const known = tasks.find((task) => task.taskId === taskId);
  if (rule(event) === "ends") return known === undefined ? tasks : tasks.filter((task) => task !== known);
  // docs: only task.updated says whether a task runs in the background.
  const flag = event.type === "task.updated" ? event.payload?.isBackgrounded : undefined;
  const backgrounded = typeof flag === "boolean" ? flag : (known?.backgrounded ?? false);
  if (known === undefined) {
    // docs: at most 100 tasks are tracked, the oldest kept.
    return tasks.length >= 100 ? tasks : [...tasks, { taskId, startedAt: at, lastAt: at, backgrounded }];
  }
  // docs: a known task's last sign of life moves at most once a minute (unless its background flag changes).
  if (backgrounded === known.backgrounded && at - known.lastAt < 60_000) return tasks;
  return tasks.map((task) => (task.taskId === taskId ? { ...task, lastAt: at, backgrounded } : task));
}

/** docs: resetsAt (read as createdAt is read: the readCreatedAt of the lifecycle oracle) or resetsAtEpochSeconds. */
function limitOf(event: RuntimeEvent, readTime: (text: string) => string | null): number | null {
  if (event.type !== "runtime.error" || event.payload?.class !== "usage_limit") return null;
  const detail = event.payload?.detail as Record<string, unknown> | undefined;
  if (detail === null || typeof detail !== "object" || Array.isArray(detail)) return null;
  const iso = typeof detail.resetsAt === "string" ? readTime(detail.resetsAt) : null;
  if (iso !== null) return Date.parse(iso);
  const seconds = detail.resetsAtEpochSeconds;
  return typeof seconds === "number" && Number.isInteger(seconds) && seconds >= 0 && seconds * 1000 <= 8.64e15
    ? seconds * 1000
    : null;
}

/** docs: any accepted event but session.health, ignored ones included, is a sign of life for a stalled session. */
export function revived(facts: ReferenceFacts, event: RuntimeEvent, at: number): ReferenceFacts {
  if (event.type === "session.health" || facts.health?.state !== "stalled") return facts;
  return { ...facts, health: { state: "active", since: at, source: "service" } };
}

export interface LifecycleMove {
  /** A lifecycle rule of the "Projection rules" table applied. */
  applied: boolean;
  /** It started a turn other than the one held. */
  newTurn: boolean;
  /** It left the session stopped. */
  stopped: boolean;
}

/** The facts after a provider event that was not ignored; `changed` makes a `recorded` event `applied`. */
export function factsAfterEvent(
  facts: ReferenceFacts,
  event: RuntimeEvent,
  at: number,
  move: LifecycleMove,
  readTime: (text: string) => string | null,
): { facts: ReferenceFacts; changed: boolean } {
  let changed = false;
  let health = facts.health;
  if (event.type === "session.health") {
    const said = event.payload?.state;
    const repeats = health !== null && health.source === "provider" && health.state === said;
    if (!repeats && (said === "active" || said === "stalled")) {
      const stalledFor = event.payload?.stalledForMs;
      const back = said === "stalled" && typeof stalledFor === "number" && stalledFor >= 0 ? stalledFor : 0;
      health = { state: said, since: Math.max(0, at - back), source: "provider" };
      changed = true;
    }
  }
  const tasks = move.stopped ? [] : tasksAfterEvent(facts.tasks, event, at);
  if (!move.stopped && tasks !== facts.tasks) changed = true;
  const limit = limitOf(event, readTime);
  const limitResetsAt = limit ?? (move.applied ? null : facts.limitResetsAt);
  if (limitResetsAt !== facts.limitResetsAt) changed = true;
  const turnCount = move.newTurn ? 0 : facts.deniedTools.turn;
  const deniedTools =
    event.type === "tool.denied"
      ? { turn: turnCount + 1, session: facts.deniedTools.session + 1 }
      : { turn: turnCount, session: facts.deniedTools.session };
  if (event.type === "tool.denied") changed = true;
  let { exitKind, stderrTail } = facts;
  if (event.type === "session.started" || event.type === "thread.started") [exitKind, stderrTail] = [null, null];
  if (event.type === "session.exited") {
    const failed = event.payload?.exitKind === "error";
    const tail = text(event.payload?.stderrTail);
    [exitKind, stderrTail] = failed ? ["error", tail === null ? null : lastUnits(tail, 4096)] : [null, null];
  }
  if (exitKind !== facts.exitKind || stderrTail !== facts.stderrTail) changed = true;
  return { facts: { ...facts, health, tasks, limitResetsAt, deniedTools, exitKind, stderrTail }, changed };
}

/** docs: the tail keeps the last 4,096 UTF-16 units, one fewer if the cut would split a character. */
function lastUnits(value: string, count: number): string {
  if (value.length <= count) return value;
  const tail = value.slice(-count);
  return /^[\uDC00-\uDFFF]/.test(tail) ? tail.slice(1) : tail;
}

/** The facts after a service entry of the docs' "Deadlines" table (turn.expired of either reason aside: lifecycle). */
export function factsAfterServiceEntry(
  facts: ReferenceFacts,
  event: RuntimeEvent,
  at: number,
  lastActivityAt: number | null,
): ReferenceFacts {
  switch (event.type) {
    case "session.stalled":
      return { ...facts, health: { state: "stalled", since: lastActivityAt ?? at, source: "service" } };
    case "task.expired":
      return { ...facts, tasks: facts.tasks.filter((task) => task.taskId !== event.payload?.taskId), endedAt: at };
    case "session.limit-reset":
      return { ...facts, limitResetsAt: null, endedAt: at };
    case "turn.expired":
      return { ...facts, endedAt: at };
    case "session.reaped":
      return { ...facts, tasks: [] };
    default:
      return facts;
  }
}

export interface ReferencePolicy {
  idleTimeoutMs: number;
  staleTurnTimeoutMs: number;
  retentionMs: number;
  stallAfterMs: number;
  staleTaskTimeoutMs: number;
  pendingRequestTimeoutMs: number;
}

export interface ReferenceDeadlineInput {
  busy: boolean;
  lastActivityAt: number | null;
  reapedAt: number | null;
  oldestRequestAt: number | null;
  facts: ReferenceFacts;
}

/** docs "Deadlines": each due thing of a session, by the table; the object must wake for the earliest. */
export function referenceDeadlines(
  input: ReferenceDeadlineInput,
  policy: ReferencePolicy,
): Array<{ action: DeadlineAction; at: number }> {
  const { busy, lastActivityAt, reapedAt, oldestRequestAt, facts } = input;
  if (lastActivityAt === null) return [];
  if (reapedAt !== null) return [{ action: "purge", at: reapedAt + policy.retentionMs }];
  const due: Array<{ action: DeadlineAction; at: number }> = [];
  const waiting = oldestRequestAt !== null;
  if (waiting) due.push({ action: "request-timeout", at: oldestRequestAt + policy.pendingRequestTimeoutMs });
  if (!waiting && busy) due.push({ action: "expire-turn", at: lastActivityAt + policy.staleTurnTimeoutMs });
  if (!waiting && busy && facts.health?.state !== "stalled") {
    due.push({ action: "stall", at: lastActivityAt + policy.stallAfterMs });
  }
  for (const task of facts.tasks) due.push({ action: "expire-task", at: task.lastAt + policy.staleTaskTimeoutMs });
  if (facts.limitResetsAt !== null) due.push({ action: "limit-reset", at: facts.limitResetsAt });
  if (!waiting && !busy && facts.tasks.length === 0 && facts.limitResetsAt === null) {
    due.push({ action: "reap", at: Math.max(lastActivityAt, facts.endedAt ?? 0) + policy.idleTimeoutMs });
  }
  return due;
}
