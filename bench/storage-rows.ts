/**
 * Billed storage per ingested event, counted exactly inside the objects (SQLite's own cursors, `storageCounts()`
 * over RPC through Miniflare): statement calls, rows written and read, alarm writes, for the session object and the
 * tenant's directory. Deterministic: one run is the figure.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { StorageCounts } from "../src/contracts/storage-counts.ts";
import { realisticEvents } from "./event-mix.ts";
import { formatColumns, round } from "./load.ts";
import { post, run } from "./scenarios.ts";

/** The objects' counters, read over RPC (the direct path only). */
export interface CountReader {
  session(threadId: string): Promise<StorageCounts>;
  directory(): Promise<StorageCounts>;
}

export interface RowFigure {
  events: number;
  statementsPerEvent: number;
  rowsWrittenPerEvent: number;
  rowsReadPerEvent: number;
  alarmWritesPerEvent: number;
  directoryRowsWrittenPerEvent: number;
  directoryStatementsPerEvent: number;
}

const base = (threadId: string, n: string) => ({
  eventId: `rows-${run}-${threadId}-${n}`,
  provider: "codex",
  threadId,
  createdAt: new Date().toISOString(),
});
const delta = (threadId: string, n: string, turnId: string) => ({
  ...base(threadId, n),
  type: "content.delta",
  turnId,
  itemId: "item-1",
  payload: { streamKind: "assistant_text", delta: "Running the test suite to check the reaper change… " },
});
const lifecycle = (threadId: string, n: string, type: "turn.started" | "turn.completed", turnId: string) => ({
  ...base(threadId, n),
  type,
  turnId,
  payload: type === "turn.completed" ? { state: "completed" } : {},
});

const minus = (a: StorageCounts, b: StorageCounts): StorageCounts => ({
  statements: a.statements - b.statements,
  rowsRead: a.rowsRead - b.rowsRead,
  rowsWritten: a.rowsWritten - b.rowsWritten,
  alarmWrites: a.alarmWrites - b.alarmWrites,
});

/** Runs `requests` (each a body for `threadId()`), then waits for the directory updates they caused. */
async function counted(
  origin: string,
  counts: CountReader,
  threadIds: readonly string[],
  requests: readonly [string, unknown][],
  events: number,
): Promise<RowFigure> {
  const sessionsBefore = await Promise.all(threadIds.map((id) => counts.session(id)));
  const directoryBefore = await counts.directory();
  for (const [threadId, body] of requests) await post(origin, threadId, body);
  await sleep(500);
  const sessionsAfter = await Promise.all(threadIds.map((id) => counts.session(id)));
  const session = sessionsAfter
    .map((after, index) => minus(after, sessionsBefore[index] as StorageCounts))
    .reduce((sum, c) => ({
      statements: sum.statements + c.statements,
      rowsRead: sum.rowsRead + c.rowsRead,
      rowsWritten: sum.rowsWritten + c.rowsWritten,
      alarmWrites: sum.alarmWrites + c.alarmWrites,
    }));
  const directory = minus(await counts.directory(), directoryBefore);
  const per = (n: number) => round(n / events, 3);
  return {
    events,
    statementsPerEvent: per(session.statements),
    rowsWrittenPerEvent: per(session.rowsWritten),
    rowsReadPerEvent: per(session.rowsRead),
    alarmWritesPerEvent: per(session.alarmWrites),
    directoryRowsWrittenPerEvent: per(directory.rowsWritten),
    directoryStatementsPerEvent: per(directory.statements),
  };
}

export async function measureRows(origin: string, counts: CountReader): Promise<Record<string, RowFigure>> {
  const thread = (label: string) => `rows-${label}-${run}-${Math.random().toString(36).slice(2, 8)}`;
  const figures: Record<string, RowFigure> = {};

  const running = thread("single");
  await post(origin, running, [lifecycle(running, "open", "turn.started", "t1")]);
  await sleep(300);
  const singles = Array.from({ length: 100 }, (_, i): [string, unknown] => [running, delta(running, `d${i}`, "t1")]);
  figures["content event, one a request"] = await counted(origin, counts, [running], singles, 100);

  const batched = thread("batch");
  await post(origin, batched, [lifecycle(batched, "open", "turn.started", "t1")]);
  await sleep(300);
  const batches = Array.from({ length: 10 }, (_, b): [string, unknown] => [
    batched,
    Array.from({ length: 100 }, (_, i) => delta(batched, `b${b}-${i}`, "t1")),
  ]);
  figures["content events, 100 a request"] = await counted(origin, counts, [batched], batches, 1000);

  const turns = thread("lifecycle");
  await post(origin, turns, [lifecycle(turns, "open", "turn.started", "t0")]);
  await sleep(300);
  const lifecycles = Array.from({ length: 50 }, (_, i): [string, unknown] => [
    turns,
    i % 2 === 0
      ? lifecycle(turns, `c${i}`, "turn.completed", `t${i / 2}`)
      : lifecycle(turns, `s${i}`, "turn.started", `t${(i + 1) / 2}`),
  ]);
  figures["lifecycle event (a turn's start or end), one a request"] = await counted(
    origin,
    counts,
    [turns],
    lifecycles,
    50,
  );

  // The load mix (bench/event-mix.ts): per 40 events a turn that starts, streams, runs items and completes.
  const mixed = thread("mix");
  await post(origin, mixed, realisticEvents(mixed, 1));
  await sleep(300);
  const mixSingles = realisticEvents(mixed, 400).map((event): [string, unknown] => [mixed, event]);
  figures["the load mix, one a request"] = await counted(origin, counts, [mixed], mixSingles, 400);
  const mixBatches = Array.from({ length: 10 }, (): [string, unknown] => [mixed, realisticEvents(mixed, 100)]);
  figures["the load mix, 100 a request"] = await counted(origin, counts, [mixed], mixBatches, 1000);

  const fresh = Array.from({ length: 20 }, () => thread("first"));
  const firsts = fresh.map((id): [string, unknown] => [id, lifecycle(id, "first", "turn.started", "t1")]);
  figures["first event of a new session"] = await counted(origin, counts, fresh, firsts, 20);
  return figures;
}

export function formatRows(figures: Record<string, RowFigure>): string {
  return formatColumns(
    [
      "ingest (direct, counted in the objects)",
      "events",
      "statements/event",
      "rows written/event",
      "rows read/event",
      "alarm writes/event",
      "directory rows written/event",
      "directory statements/event",
    ],
    Object.entries(figures).map(([label, f]) => [
      label,
      String(f.events),
      f.statementsPerEvent.toFixed(3),
      f.rowsWrittenPerEvent.toFixed(3),
      f.rowsReadPerEvent.toFixed(3),
      f.alarmWritesPerEvent.toFixed(3),
      f.directoryRowsWrittenPerEvent.toFixed(3),
      f.directoryStatementsPerEvent.toFixed(3),
    ]),
  );
}
