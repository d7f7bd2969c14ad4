/**
 * Checkers over what the service answered, in the spirit of Jepsen: each returns every violation it finds (empty
 * when the promise holds), so a failure names what was lost, duplicated or reordered. Pure: Node or workerd.
 */
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import type { EventPage, EventResult } from "../../src/contracts/replies.ts";
import { foldLog, type LogEntry } from "../../src/domain/event-log.ts";
import type { ReapingPolicy } from "../../src/domain/reaping.ts";
import { statusAllowsActiveTurn } from "../../src/domain/session.ts";
import { type ProjectedView, sessionView } from "../../src/domain/session-view.ts";
import { factsViewOf, lifecycleOf, referenceRun } from "./reference-model.ts";

export type ReadEntry = EventPage["events"][number];

export function toLogEntries(log: readonly ReadEntry[]): LogEntry[] {
  return log.map((e) => ({ seq: e.seq, receivedAt: Date.parse(e.receivedAt), origin: e.origin, event: e.event }));
}

/** JSON with sorted keys: equal values compare equal whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Storage size and the notification are not part of the fold. */
function projected(view: ProjectedView) {
  return canonical({ ...view, epoch: undefined, storageBytes: 0, notification: null });
}

/**
 * The log is gap-free from seq 1, stores each provider event once, was judged outcome by outcome as the rules of
 * docs/lifecycle-rules.md say (test/support/reference-model.ts), and the projection is what those rules make of it;
 * the service's own fold of the log is held to the projection too, field by field, because docs/api.md
 * (`GET …/events`) and docs/reliability.md promise the log replays to it.
 */
export function logViolations(view: ProjectedView, log: readonly ReadEntry[], policy: ReapingPolicy): string[] {
  const problems: string[] = [];
  const providerIds = new Set<string>();
  const entries = toLogEntries(log);
  const reference = referenceRun(entries);
  entries.forEach((entry, index) => {
    const stored = log[index] as ReadEntry;
    if (entry.seq !== index + 1) problems.push(`seq ${entry.seq} at position ${index + 1}: a gap or a reordering`);
    if (entry.origin === "provider") {
      if (providerIds.has(entry.event.eventId)) problems.push(`event ${entry.event.eventId} is stored twice`);
      providerIds.add(entry.event.eventId);
    }
    const expected = reference.steps[index];
    if (expected?.outcome !== stored.outcome || expected.reason !== stored.reason) {
      problems.push(
        `seq ${entry.seq} is stored as ${stored.outcome}/${stored.reason} but the rules say ${expected?.outcome}/${expected?.reason}`,
      );
    }
  });
  const actual = lifecycleOf(view);
  const expected = lifecycleOf(reference.state);
  if (canonical(actual) !== canonical(expected)) {
    problems.push(`the projection ${canonical(actual)} is not what the rules make of its log ${canonical(expected)}`);
  }
  const { health, tasks, limitResetsAt, deniedTools, exitKind, stderrTail, attention } = view;
  const facts = { health, tasks, limitResetsAt, deniedTools, exitKind, stderrTail, attention };
  if (canonical(facts) !== canonical(factsViewOf(reference.state))) {
    problems.push(
      `the facts ${canonical(facts)} are not what the rules make of its log ${canonical(factsViewOf(reference.state))}`,
    );
  }
  if (view.activeTurnId !== null && !statusAllowsActiveTurn(view.status)) {
    problems.push(`the projection breaks the invariant: ${view.status}, ${view.activeTurnId}`);
  }
  const folded = sessionView(view.threadId, foldLog(entries), policy, null, 0);
  if (projected(view) !== projected(folded)) {
    problems.push(`the projection ${projected(view)} is not the fold of its log ${projected(folded)}`);
  }
  if (view.lastSeq !== log.length || view.eventCount !== log.length) {
    problems.push(
      `lastSeq ${view.lastSeq} and eventCount ${view.eventCount} do not match ${log.length} stored entries`,
    );
  }
  return problems;
}

/** One request and its response; `invokedAt` and `completedAt` come from one logical clock shared by the history. */
export type Operation =
  | {
      kind: "write";
      invokedAt: number;
      completedAt: number;
      events: RuntimeEvent[];
      status: number;
      results: EventResult[];
    }
  | { kind: "read"; invokedAt: number; completedAt: number; status: number; lastSeq: number };

type Write = Extract<Operation, { kind: "write" }>;

/**
 * Promises 1-3 over a concurrent history and the log read afterwards: every acknowledged event is stored exactly
 * once, at the seq its response named (a duplicate names the original's); each request's new events got
 * consecutive seqs; a request that started after another finished is ordered after it; reads never go back.
 */
export function historyViolations(history: readonly Operation[], log: readonly ReadEntry[]): string[] {
  const problems: string[] = [];
  const bySeq = new Map(log.map((entry) => [entry.seq, entry]));
  const storedBy = new Map<string, Write[]>();
  const writes = history.filter((op): op is Write => op.kind === "write");
  for (const [index, write] of writes.entries()) {
    if (write.status !== 200) {
      problems.push(`write ${index} answered ${write.status}`);
      continue;
    }
    if (canonical(write.results.map((r) => r.eventId)) !== canonical(write.events.map((e) => e.eventId))) {
      problems.push(`write ${index} answered for other events than it sent`);
    }
    write.results.forEach((result, position) => {
      const entry = bySeq.get(result.seq);
      const sent = write.events[position];
      if (entry === undefined || entry.origin !== "provider" || canonical(entry.event) !== canonical(sent)) {
        problems.push(
          `write ${index}: event ${result.eventId}, acknowledged at seq ${result.seq}, is not stored there`,
        );
      }
      if (result.outcome !== "duplicate")
        storedBy.set(result.eventId, [...(storedBy.get(result.eventId) ?? []), write]);
    });
    const fresh = write.results.filter((r) => r.outcome !== "duplicate").map((r) => r.seq);
    if (fresh.some((seq, i) => i > 0 && seq !== (fresh[i - 1] as number) + 1)) {
      problems.push(`write ${index} got seqs ${fresh.join(",")}: not consecutive, so another batch interleaved`);
    }
  }
  for (const [eventId, stores] of storedBy) {
    if (stores.length > 1) problems.push(`event ${eventId} was stored by ${stores.length} requests`);
  }
  for (const write of writes) {
    for (const result of write.results.filter((r) => r.outcome === "duplicate")) {
      const original = storedBy.get(result.eventId)?.[0];
      if (original === undefined || original.invokedAt > write.completedAt) {
        problems.push(`event ${result.eventId} was answered duplicate before any request stored it`);
      }
    }
  }
  const acknowledged = new Set(writes.flatMap((w) => w.results.map((r) => r.eventId)));
  for (const entry of log) {
    if (entry.origin === "provider" && !acknowledged.has(entry.event.eventId)) {
      problems.push(`seq ${entry.seq} holds ${entry.event.eventId}, which no request sent`);
    }
  }
  problems.push(...realTimeOrderViolations(history, writes));
  return problems;
}

function freshSeqs(write: Write): number[] {
  return write.status === 200 ? write.results.filter((r) => r.outcome !== "duplicate").map((r) => r.seq) : [];
}

/** Whatever finished before another operation started is visible to it and ordered before it. */
function realTimeOrderViolations(history: readonly Operation[], writes: readonly Write[]): string[] {
  const problems: string[] = [];
  for (const later of history) {
    for (const earlier of history) {
      if (earlier.completedAt >= later.invokedAt) continue;
      if (earlier.kind === "write" && later.kind === "write") {
        const before = Math.max(0, ...freshSeqs(earlier));
        const after = Math.min(Infinity, ...freshSeqs(later));
        if (after <= before) problems.push(`a write that started after another finished got seq ${after} <= ${before}`);
      }
      if (earlier.kind === "write" && later.kind === "read" && later.lastSeq < Math.max(0, ...freshSeqs(earlier))) {
        problems.push(
          `a read saw lastSeq ${later.lastSeq} after a write of seq ${Math.max(...freshSeqs(earlier))} finished`,
        );
      }
      if (earlier.kind === "read" && later.kind === "read" && later.lastSeq < earlier.lastSeq) {
        problems.push(`reads went back from lastSeq ${earlier.lastSeq} to ${later.lastSeq}`);
      }
    }
  }
  const lastStored = Math.max(0, ...writes.flatMap(freshSeqs));
  for (const op of history) {
    if (op.kind === "read" && op.lastSeq > lastStored)
      problems.push(`a read saw lastSeq ${op.lastSeq} > ${lastStored}`);
  }
  return problems;
}
