/**
 * The tenant's rollups add up: after random histories of usage reports across several sessions, with directory
 * updates that fail and are retried, and once every outbox has drained (each session's last turn over and its flush
 * time passed), the directory's buckets sum to what each session's own ledger says, token kind by token kind, in
 * known cost and in tokens without a price. The directory here is a map upserted by key, as the usage table is; the
 * object's alarm is modelled by a commit of no change at the flush time (usageFlushAt), as the object makes one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import {
  type DirectoryFeed,
  feedAcknowledged,
  feedFailed,
  initialFeed,
  queueChange,
  usageFlushAt,
} from "../../src/domain/directory.ts";
import { decideBatch } from "../../src/domain/ingest.ts";
import type { ReapingPolicy } from "../../src/domain/reaping.ts";
import { initialSession, type SessionState } from "../../src/domain/session.ts";
import { segmentKnownCost, segmentTokens, type UsageCharge } from "../../src/domain/usage.ts";
import type { UsageBucket } from "../../src/domain/usage-buckets.ts";
import type { UsageToCharge } from "../../src/domain/usage-facts.ts";
import { TOKEN_KINDS } from "../../src/domain/usage-tokens.ts";
import { runtimeEvent } from "../support/events.ts";
import { T0 } from "../support/given.ts";

const policy: ReapingPolicy = { idleTimeoutMs: 1_800_000, staleTurnTimeoutMs: 7_200_000, retentionMs: 86_400_000 };

/** $3 a million tokens for model-a; model-z has no price. */
const pricer = ({ tokens, model }: UsageToCharge): UsageCharge =>
  model === "model-a"
    ? {
        source: "builtin-pricing",
        costUsd: ((tokens.inputTokens + tokens.outputTokens) * 3) / 1e6,
        confidence: "high",
        pricingVersion: "stand-in@1",
        model,
      }
    : { source: "not-priced", model };

type Step =
  | { kind: "turn"; model: "model-a" | "model-z" }
  | { kind: "report"; input: number; output: number; providerCost: number | null }
  | { kind: "restart" }
  | { kind: "end" };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("turn" as const),
      model: fc.constantFrom("model-a" as const, "model-z" as const),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("report" as const),
      input: fc.integer({ min: 0, max: 5_000 }),
      output: fc.integer({ min: 0, max: 1_000 }),
      providerCost: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { freq: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "restart" as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: "end" as const }) },
);

/** A session's steps, each after a pause of 0 to 40 s, and whether each directory update fails. */
const history = fc.array(fc.tuple(step, fc.integer({ min: 0, max: 40_000 }), fc.boolean()), { maxLength: 25 });

interface Simulated {
  state: SessionState;
  feed: DirectoryFeed;
  now: number;
}

type Directory = Map<string, UsageBucket>;

function deliver(session: Simulated, threadId: string, directory: Directory, fails: boolean): void {
  const { feed } = session;
  if (feed.pending === null) return;
  if (fails) {
    session.feed = feedFailed(feed, session.now);
    return;
  }
  for (const bucket of feed.pendingUsage ?? []) {
    directory.set(`${threadId}|${bucket.day}|${bucket.provider}|${bucket.model}`, bucket);
  }
  session.feed = feedAcknowledged(feed, feed.pending, feed.pendingUsage);
}

function eventOf(
  current: Step,
  threadId: string,
  turn: number,
  totals: { input: number; output: number },
): RuntimeEvent {
  const o = { threadId, turnId: `turn-${turn}` };
  switch (current.kind) {
    case "turn":
      return runtimeEvent("turn.started", { model: current.model }, o);
    case "end":
      return runtimeEvent("turn.completed", { state: "completed" }, o);
    case "restart":
      return runtimeEvent("thread.started", { providerThreadId: `native-${turn}-${totals.input}` }, { threadId });
    case "report": {
      const cost =
        current.providerCost === null
          ? {}
          : { cost: { currency: "USD", totalCostUsd: current.providerCost, source: "provider", confidence: "high" } };
      return runtimeEvent(
        "thread.token-usage.updated",
        { usage: { usedTokens: 1, inputTokens: totals.input, outputTokens: totals.output, ...cost } },
        o,
      );
    }
  }
}

function run(threadId: string, steps: ReadonlyArray<[Step, number, boolean]>, directory: Directory): SessionState {
  const session: Simulated = { state: initialSession, feed: initialFeed, now: T0 };
  let turn = 0;
  const totals = { input: 0, output: 0 };
  const commit = (event: RuntimeEvent | null, fails: boolean) => {
    const before = session.state;
    if (event !== null) {
      const decision = decideBatch(before, [{ event, text: JSON.stringify(event) }], new Map(), session.now, pricer);
      if (decision.kind !== "commit") throw new Error("conflict");
      session.state = decision.change.state;
    }
    // As the object: a change of no state goes to the directory only when the usage's flush time has come.
    const flushAt = usageFlushAt(session.feed, session.state);
    const flushes = flushAt !== null && flushAt <= session.now;
    const queued =
      event === null && !flushes
        ? null
        : queueChange(session.feed, threadId, before, session.state, policy, session.now);
    if (queued !== null) session.feed = queued;
    deliver(session, threadId, directory, fails);
  };
  for (const [current, pause, fails] of [...steps, [{ kind: "end" }, 1_000, false] as [Step, number, boolean]]) {
    session.now += pause;
    if (current.kind === "turn") turn += 1;
    if (current.kind === "restart") Object.assign(totals, { input: 0, output: 0 });
    if (current.kind === "report") {
      totals.input += current.input;
      totals.output += current.output;
    }
    commit(eventOf(current, threadId, turn, totals), fails);
  }
  // The outbox drains: retries succeed, and a flush due after the last turn runs at its time.
  for (let rounds = 0; rounds < 10; rounds += 1) {
    deliver(session, threadId, directory, false);
    const flushAt = usageFlushAt(session.feed, session.state);
    if (flushAt === null && session.feed.pending === null) break;
    session.now = Math.max(session.now, flushAt ?? session.now);
    commit(null, false);
  }
  return session.state;
}

describe("the tenant's usage rollups", () => {
  it("sum, once the outboxes drain, to the sessions' own figures", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.array(history, { minLength: 1, maxLength: 4 }), (histories) => {
        const directory: Directory = new Map();
        const states = histories.map((steps, index) => run(`thread-${index}`, steps, directory));
        const rows = [...directory.values()];
        const ledgers = states.map((state) => state.usage);
        for (const kind of TOKEN_KINDS) {
          const inDirectory = rows.reduce((sum, row) => sum + row.tokens[kind], 0);
          const inSessions = ledgers.reduce(
            (sum, ledger) => sum + ledger.closed.tokens[kind] + segmentTokens(ledger.current)[kind],
            0,
          );
          expect(inDirectory, kind).toBe(inSessions);
        }
        const knownInDirectory = rows.reduce((sum, row) => sum + row.knownCostUsd, 0);
        const knownInSessions = ledgers.reduce(
          (sum, ledger) => sum + ledger.closed.knownCostUsd + segmentKnownCost(ledger.current),
          0,
        );
        expect(knownInDirectory).toBeCloseTo(knownInSessions, 9);
        const unpricedInDirectory = rows.reduce((sum, row) => sum + row.unpricedTokens, 0);
        const unpricedInSessions = ledgers.reduce(
          (sum, ledger) => sum + ledger.closed.unpricedTokens + ledger.current.unpricedTokens,
          0,
        );
        expect(unpricedInDirectory).toBe(unpricedInSessions);
      }),
    );
  });
});
