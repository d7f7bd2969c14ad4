/**
 * A session's turns folded from its log: times, how each ended, a person's waiting time, and the usage each added,
 * a report sent after the turn's end (Claude's) included. Every expected figure is counted by hand from the events.
 */
import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import type { StoredEntry } from "../../src/domain/event-log.ts";
import { decideBatch } from "../../src/domain/ingest.ts";
import { initialSession, type SessionState } from "../../src/domain/session.ts";
import { turnsOfLog, turnView } from "../../src/domain/turns.ts";
import type { UsageCharge } from "../../src/domain/usage.ts";
import type { UsageToCharge } from "../../src/domain/usage-facts.ts";
import { ev, runtimeEvent } from "../support/events.ts";
import { T0 } from "../support/given.ts";

/** $1 a million tokens of any kind, for any model. */
const pricer = ({ tokens, model }: UsageToCharge): UsageCharge => ({
  source: "builtin-pricing",
  costUsd: (tokens.inputTokens + tokens.outputTokens) / 1e6,
  confidence: "high",
  pricingVersion: "stand-in@1",
  model: model ?? "any",
});

/** Each event at T0 + its second. */
function logOf(timeline: ReadonlyArray<[number, RuntimeEvent]>): StoredEntry[] {
  let state: SessionState = initialSession;
  const log: StoredEntry[] = [];
  for (const [second, event] of timeline) {
    const decision = decideBatch(
      state,
      [{ event, text: JSON.stringify(event) }],
      new Map(),
      T0 + second * 1000,
      pricer,
    );
    if (decision.kind !== "commit") throw new Error("conflict");
    state = decision.change.state;
    log.push(...decision.change.entries);
  }
  return log;
}

const totals = (inputTokens: number, outputTokens: number, turnId: string) =>
  runtimeEvent("thread.token-usage.updated", { usage: { usedTokens: 1, inputTokens, outputTokens } }, { turnId });

describe("turns folded from the log", () => {
  const log = logOf([
    [0, ev.sessionStarted()],
    [10, ev.turnStarted("t1")],
    [20, ev.requestOpened("r1", "t1")],
    [50, ev.requestResolved("r1", "t1")],
    [60, totals(1_000, 200, "t1")],
    [70, ev.turnCompleted("t1")],
    // Claude's way: the turn ends, then its usage comes, naming it.
    [100, ev.turnStarted("t2")],
    [130, ev.turnCompleted("t2", "failed", {}, "tool crashed")],
    [131, totals(1_500, 300, "t2")],
    [200, ev.turnStarted("t3")],
    [230, ev.userInputRequested("q1", "t3")],
  ]);
  const now = T0 + 260_000;
  const views = turnsOfLog(log).map((turn) => turnView(turn, now));

  it("times each turn and says how it ended; a running one counts to now", () => {
    expect(
      views.map(({ turnId, state, durationMs, endedAt }) => ({ turnId, state, durationMs, ended: endedAt !== null })),
    ).toEqual([
      { turnId: "t1", state: "completed", durationMs: 60_000, ended: true },
      { turnId: "t2", state: "failed", durationMs: 30_000, ended: true },
      { turnId: "t3", state: "running", durationMs: 60_000, ended: false },
    ]);
    expect(views[0]?.startedAt).toBe(new Date(T0 + 10_000).toISOString());
  });

  it("counts a person's time: from a request's opening to its answer, or to now while it waits", () => {
    expect(views.map((view) => view.waitingMs)).toEqual([30_000, 0, 30_000]);
  });

  it("gives each turn the usage it added, a report after its end included, with its logged price", () => {
    expect(views.map(({ usage }) => [usage.inputTokens, usage.outputTokens])).toEqual([
      [1_000, 200],
      [500, 100],
      [0, 0],
    ]);
    expect(views[0]?.usage.costUsd).toBeCloseTo(1_200 / 1e6, 12);
    expect(views[1]?.usage.costUsd).toBeCloseTo(600 / 1e6, 12);
    expect(views[2]?.usage.costUsd).toBe(0);
  });

  it("names an interrupted and a stopped end", () => {
    const ends = turnsOfLog(
      logOf([
        [0, ev.turnStarted("a")],
        [1, ev.turnAborted("a")],
        [2, ev.turnStarted("b")],
        [3, ev.exited()],
      ]),
    ).map((turn) => [turn.turnId, turn.state]);
    expect(ends).toEqual([
      ["a", "interrupted"],
      ["b", "stopped"],
    ]);
  });
});
