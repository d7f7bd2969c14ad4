/** What the directory hears of a session, and when: listed changes at once, times only when 30 s behind. */
import { describe, expect, it } from "vitest";
import type { SessionSummary } from "../../src/contracts/directory.ts";
import {
  feedAcknowledged,
  feedFailed,
  initialFeed,
  queueChange,
  queueSummary,
  sessionSummary,
  summaryNeedsSending,
} from "../../src/domain/directory.ts";
import type { ReapingPolicy } from "../../src/domain/reaping.ts";
import { initialSession, type SessionState } from "../../src/domain/session.ts";

const policy: ReapingPolicy = { idleTimeoutMs: 1_800_000, staleTurnTimeoutMs: 7_200_000, retentionMs: 86_400_000 };
const T0 = Date.parse("2026-11-28T09:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();
/** A feed's usage fields when no usage was ever sent. */
const NO_USAGE = { pendingUsage: null, usageSeq: 0, usageQueuedAt: null };

const summary = (overrides: Partial<SessionSummary> = {}): SessionSummary => ({
  threadId: "t",
  status: "running",
  providerName: "codex",
  activeTurnId: "turn-1",
  lastError: null,
  lastEventAt: iso(T0),
  deadline: { action: "expire-turn", at: iso(T0 + 7_200_000) },
  pendingRequests: { approvals: 0, userInputs: 0, oldestOpenedAt: null },
  health: null,
  tasks: { running: 0, backgrounded: 0, oldestStartedAt: null },
  limitResetsAt: null,
  attention: [],
  costUsd: null,
  ...overrides,
});

describe("sessionSummary", () => {
  it("lists status, provider, turn, error, last event, next deadline and what waits", () => {
    const state: SessionState = {
      ...initialSession,
      status: "running",
      providerName: "codex",
      activeTurnId: "turn-1",
      lastEventAt: T0,
      pendingRequests: [{ requestId: "r1", kind: "approval", turnId: "turn-1", openedAt: T0 - 1000 }],
      eventCount: 3,
      lastSeq: 3,
    };
    expect(sessionSummary("t", state, policy)).toEqual(
      summary({
        pendingRequests: { approvals: 1, userInputs: 0, oldestOpenedAt: iso(T0 - 1000) },
        attention: ["pending-request"],
        // Waiting for a person: no turn expiry, the request's timeout a day after it opened.
        deadline: { action: "request-timeout", at: iso(T0 - 1000 + 86_400_000) },
      }),
    );
  });
});

describe("summaryNeedsSending", () => {
  it("sends the first summary, and any change of a listed field", () => {
    expect(summaryNeedsSending(null, summary())).toBe(true);
    expect(summaryNeedsSending(summary(), summary())).toBe(false);
    expect(summaryNeedsSending(summary(), summary({ status: "ready", activeTurnId: null }))).toBe(true);
    expect(summaryNeedsSending(summary(), summary({ activeTurnId: "turn-2" }))).toBe(true);
    expect(summaryNeedsSending(summary(), summary({ lastError: "boom" }))).toBe(true);
    expect(summaryNeedsSending(summary(), summary({ providerName: "claudeAgent" }))).toBe(true);
    const waiting = { approvals: 0, userInputs: 1, oldestOpenedAt: iso(T0) };
    expect(summaryNeedsSending(summary(), summary({ pendingRequests: waiting }))).toBe(true);
  });

  it("lets the last event and the deadline's time lag by less than 30 s, not by 30 s", () => {
    const later = (ms: number) =>
      summary({ lastEventAt: iso(T0 + ms), deadline: { action: "expire-turn", at: iso(T0 + 7_200_000 + ms) } });
    expect(summaryNeedsSending(summary(), later(29_999))).toBe(false);
    expect(summaryNeedsSending(summary(), later(30_000))).toBe(true);
    expect(summaryNeedsSending(summary(), summary({ lastEventAt: iso(T0 + 30_000) }))).toBe(true);
    const deadlineOnly = summary({ deadline: { action: "expire-turn", at: iso(T0 + 7_200_000 + 30_000) } });
    expect(summaryNeedsSending(summary(), deadlineOnly)).toBe(true);
  });

  it("sends a deadline that appears, disappears or changes its action at once", () => {
    const reap = { action: "reap" as const, at: iso(T0 + 7_200_000) };
    expect(summaryNeedsSending(summary(), summary({ deadline: reap }))).toBe(true);
    expect(summaryNeedsSending(summary(), summary({ deadline: null }))).toBe(true);
    expect(summaryNeedsSending(summary({ deadline: null }), summary())).toBe(true);
    expect(summaryNeedsSending(summary({ lastEventAt: null }), summary())).toBe(true);
    expect(summaryNeedsSending(summary({ lastEventAt: null }), summary({ lastEventAt: null }))).toBe(false);
    expect(summaryNeedsSending(summary(), summary({ lastEventAt: null }))).toBe(true);
    expect(summaryNeedsSending(summary({ deadline: null }), summary({ deadline: null }))).toBe(false);
  });
});

describe("the directory feed", () => {
  it("queues a summary that differs from what the directory has or will have, and nothing else", () => {
    const first = queueSummary(initialFeed, summary());
    expect(first).toEqual({ known: null, pending: summary(), attempts: 0, nextAttemptAt: null, ...NO_USAGE });
    expect(queueSummary(first ?? initialFeed, summary())).toBeNull();
    // The link acknowledges the very summary it sent: the pending one, unless a newer one replaced it meanwhile.
    const acknowledged = feedAcknowledged(first ?? initialFeed, first?.pending ?? summary());
    expect(acknowledged).toEqual({ known: summary(), pending: null, attempts: 0, nextAttemptAt: null, ...NO_USAGE });
    expect(queueSummary(acknowledged, summary())).toBeNull();
    expect(queueSummary(acknowledged, summary({ status: "ready", activeTurnId: null }))?.pending?.status).toBe("ready");
    // Acknowledged after a failed attempt: nothing is left to retry.
    const retried = feedFailed(first ?? initialFeed, T0);
    expect(feedAcknowledged(retried, retried.pending ?? summary())).toEqual({
      known: summary(),
      pending: null,
      attempts: 0,
      nextAttemptAt: null,
      ...NO_USAGE,
    });
  });

  it("retries a failed update after 5 s, then 10 s, and keeps a newer summary queued after an older is acknowledged", () => {
    const queued = queueSummary(initialFeed, summary()) ?? initialFeed;
    const failedOnce = feedFailed(queued, T0);
    expect(failedOnce).toMatchObject({ attempts: 1, nextAttemptAt: T0 + 5_000 });
    expect(feedFailed(failedOnce, T0 + 5_000)).toMatchObject({ attempts: 2, nextAttemptAt: T0 + 15_000 });

    const sent = queued.pending ?? summary();
    const newer = queueSummary(failedOnce, summary({ status: "ready", activeTurnId: null })) ?? initialFeed;
    expect(newer).toMatchObject({ attempts: 0, nextAttemptAt: null });
    const afterOlderAck = feedAcknowledged({ ...newer, nextAttemptAt: T0 + 9_000 }, sent);
    expect(afterOlderAck).toEqual({
      known: sent,
      pending: summary({ status: "ready", activeTurnId: null }),
      attempts: 0,
      nextAttemptAt: T0 + 9_000,
      ...NO_USAGE,
    });
  });
});

describe("queueChange: what a change of the session queues for the directory", () => {
  const running: SessionState = {
    ...initialSession,
    status: "running",
    providerName: "codex",
    activeTurnId: "turn-1",
    lastEventAt: T0,
    eventCount: 2,
    lastSeq: 2,
  };
  const known = { ...initialFeed, known: sessionSummary("t", running, policy) };
  const later = (ms: number): SessionState => ({
    ...running,
    lastEventAt: T0 + ms,
    eventCount: running.eventCount + 1,
    lastSeq: running.lastSeq + 1,
  });

  it("queues nothing for an event that moves only the counters and the activity time, within the lag", () => {
    expect(queueChange(known, "t", running, later(29_999), policy, T0)).toBeNull();
  });

  it("queues the summary once activity is 30 s ahead of the directory's copy", () => {
    expect(queueChange(known, "t", running, later(30_000), policy, T0)?.pending).toEqual(
      sessionSummary("t", later(30_000), policy),
    );
  });

  it("queues a change of a listed field at once, and the first summary of a session", () => {
    const ready = { ...later(1), status: "ready" as const, activeTurnId: null };
    expect(queueChange(known, "t", running, ready, policy, T0)?.pending).toMatchObject({ status: "ready" });
    expect(queueChange(initialFeed, "t", initialSession, running, policy, T0)?.pending).toMatchObject({
      status: "running",
    });
  });
});
