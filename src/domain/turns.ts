/**
 * A session's turns, derived from its log: when each started and ended, how it ended, how long a person was waited
 * for, and what it added to the usage. Nothing is stored for them: the log is folded again (rows read cost next to
 * nothing, and a view nobody asks for costs nothing).
 */
import type { TurnEnd, TurnView } from "../contracts/usage.ts";
import { evolve, type LogEntry } from "./event-log.ts";
import { initialSession, type SessionState } from "./session.ts";
import { USAGE_PRICED } from "./usage-facts.ts";
import { tokenFigures, type UsageTotals, usageBetween, usageTotals } from "./usage-view.ts";

export interface TurnRecord {
  turnId: string;
  startedAt: number;
  endedAt: number | null;
  state: TurnEnd;
  /** A person's time: the turn's time with an approval or a question pending. */
  waitingMs: number;
  /** Since when a request has been pending in the turn; null when none is. */
  waitingSince: number | null;
  startUsage: UsageTotals;
  endUsage: UsageTotals;
}

/** The turns of a log in order, the last one still running if the session is. */
export function turnsOfLog(entries: Iterable<LogEntry>): TurnRecord[] {
  const turns: TurnRecord[] = [];
  const byId = new Map<string, TurnRecord>();
  let state: SessionState = initialSession;
  /** The turn the last usage report was counted for: a price logged right after it belongs there too. */
  let lastReported: TurnRecord | null = null;
  for (const entry of entries) {
    const before = state;
    state = evolve(state, entry).state;
    const open = before.activeTurnId === null ? undefined : byId.get(before.activeTurnId);
    if (open !== undefined) {
      waitedUntil(open, state, entry.receivedAt);
      if (state.activeTurnId !== before.activeTurnId) endTurn(open, entry, state);
    }
    if (state.activeTurnId !== null && state.activeTurnId !== before.activeTurnId) {
      const turn: TurnRecord = {
        turnId: state.activeTurnId,
        startedAt: entry.receivedAt,
        endedAt: null,
        state: "running",
        waitingMs: 0,
        waitingSince: state.pendingRequests.length > 0 ? entry.receivedAt : null,
        startUsage: usageTotals(before.usage),
        endUsage: usageTotals(state.usage),
      };
      turns.push(turn);
      byId.set(turn.turnId, turn);
    }
    if (state.usage !== before.usage) lastReported = usageCounted(entry, state, byId, lastReported);
  }
  return turns;
}

/** The turn a usage change counts for: the active one, or the one the report names (Claude reports after the end). */
function usageCounted(
  entry: LogEntry,
  state: SessionState,
  byId: ReadonlyMap<string, TurnRecord>,
  lastReported: TurnRecord | null,
): TurnRecord | null {
  const turnId = entry.event.type === USAGE_PRICED ? null : (entry.event.turnId ?? state.activeTurnId);
  const turn = turnId === null ? lastReported : (byId.get(turnId) ?? null);
  if (turn !== null) turn.endUsage = usageTotals(state.usage);
  return turn;
}

function waitedUntil(turn: TurnRecord, after: SessionState, at: number): void {
  const waiting = after.pendingRequests.length > 0 && after.activeTurnId === turn.turnId;
  if (turn.waitingSince !== null && !waiting) {
    turn.waitingMs += at - turn.waitingSince;
    turn.waitingSince = null;
  } else if (turn.waitingSince === null && waiting) {
    turn.waitingSince = at;
  }
}

function endTurn(turn: TurnRecord, entry: LogEntry, after: SessionState): void {
  turn.endedAt = entry.receivedAt;
  turn.state = howItEnded(entry, after);
  turn.endUsage = usageTotals(after.usage);
}

function howItEnded(entry: LogEntry, after: SessionState): TurnEnd {
  const { event } = entry;
  if (entry.origin === "service") return event.type === "turn.expired" ? "expired" : "stopped";
  if (event.type === "turn.completed") {
    const state = event.payload?.state;
    return state === "failed" || state === "interrupted" || state === "cancelled" ? state : "completed";
  }
  if (event.type === "turn.aborted") return "interrupted";
  switch (after.status) {
    case "error":
      return "failed";
    case "interrupted":
      return "interrupted";
    case "stopped":
      return "stopped";
    default:
      // Another turn started, or the provider said it is ready: this one is over as far as anyone can tell.
      return "completed";
  }
}

/** A turn as `GET /v1/sessions/{threadId}/turns` shows it at `now`: a running one's times count to now. */
export function turnView(turn: TurnRecord, now: number): TurnView {
  const end = turn.endedAt ?? now;
  const usage = usageBetween(turn.startUsage, turn.endUsage);
  return {
    turnId: turn.turnId,
    startedAt: new Date(turn.startedAt).toISOString(),
    endedAt: turn.endedAt === null ? null : new Date(turn.endedAt).toISOString(),
    state: turn.state,
    durationMs: Math.max(0, end - turn.startedAt),
    waitingMs: turn.waitingMs + (turn.waitingSince === null ? 0 : Math.max(0, end - turn.waitingSince)),
    usage: { ...tokenFigures(usage.tokens), costUsd: usage.costUsd },
  };
}
