import { describe, expect, it } from "vitest";
import type { StoredEntry } from "../../src/domain/event-log.ts";
import { newNotification, recordAttempt } from "../../src/domain/notification.ts";
import type { ReapingPolicy } from "../../src/domain/reaping.ts";
import { eventPageJson, logEntryJson, logEntryView, sessionView } from "../../src/domain/session-view.ts";
import { ev } from "../support/events.ts";
import { given, T0 } from "../support/given.ts";

/** The defaults of docs/operations.md (Configuration): 30 min idle, 2 h stale turn, 1 day retention. */
const policy: ReapingPolicy = { idleTimeoutMs: 1_800_000, staleTurnTimeoutMs: 7_200_000, retentionMs: 86_400_000 };
const iso = (ms: number) => new Date(ms).toISOString();
/** The view of a session without health reports, tasks, limits, denied tools or a failed exit. */
const NOTHING_ELSE = {
  health: null,
  tasks: { running: 0, backgrounded: 0, oldestStartedAt: null },
  limitResetsAt: null,
  deniedTools: { turn: 0, session: 0 },
  exitKind: null,
  stderrTail: null,
  usage: null,
  attention: [],
};

describe("the session as GET shows it", () => {
  it("has no deadline and no times before any event", () => {
    const view = sessionView("thread-1", given().state, policy, null, 0);
    expect(view).toEqual({
      threadId: "thread-1",
      status: "idle",
      providerName: null,
      activeTurnId: null,
      lastError: null,
      providerUpdatedAt: null,
      lastEventAt: null,
      eventCount: 0,
      lastSeq: 0,
      deadline: null,
      reapedAt: null,
      reapReason: null,
      storageBytes: 0,
      notification: null,
      pendingRequests: { approvals: 0, userInputs: 0, oldestOpenedAt: null },
      ...NOTHING_ELSE,
    });
  });

  it("shows a running turn with its stall deadline 5 min after the last event, as ISO times", () => {
    const { state } = given(
      ev.sessionStarted({ provider: "codex" }),
      ev.turnStarted("T1", { createdAt: "2026-11-25T09:59:59.000Z" }),
    );
    const lastEventAt = T0 + 2000;
    expect(sessionView("thread-7", state, policy, null, 4096)).toEqual({
      threadId: "thread-7",
      status: "running",
      providerName: "codex",
      activeTurnId: "T1",
      lastError: null,
      providerUpdatedAt: "2026-11-25T09:59:59.000Z",
      lastEventAt: iso(lastEventAt),
      eventCount: 2,
      lastSeq: 2,
      deadline: { action: "stall", at: iso(lastEventAt + 300_000) },
      reapedAt: null,
      reapReason: null,
      storageBytes: 4096,
      notification: null,
      pendingRequests: { approvals: 0, userInputs: 0, oldestOpenedAt: null },
      ...NOTHING_ELSE,
    });
  });

  it("shows a reaped session with its purge a day later and the latest notification's attempts", () => {
    const reapedAt = T0 + 1_800_000;
    const state = {
      ...given(ev.sessionStarted()).state,
      status: "stopped" as const,
      reapedAt,
      reapReason: "idle" as const,
    };
    const event = { ...ev.sessionStarted(), eventId: "r-1", type: "session.reaped", payload: { reason: "idle" } };
    const failed = recordAttempt(newNotification({ tenant: "acme", seq: 2, event }, reapedAt), reapedAt, {
      ok: false,
      error: "HTTP 503",
    });
    const view = sessionView("thread-1", state, policy, failed, 0);
    expect(view).toMatchObject({
      status: "stopped",
      reapedAt: iso(reapedAt),
      reapReason: "idle",
      deadline: { action: "purge", at: iso(reapedAt + 86_400_000) },
    });
    expect(view.notification).toEqual({
      id: "msg_r-1",
      type: "session.reaped",
      state: "pending",
      attempts: 1,
      lastError: "HTTP 503",
    });
  });
});

describe("a log entry as JSON", () => {
  const started = ev.sessionStarted();
  const entries: StoredEntry[] = [
    { seq: 1, receivedAt: T0, origin: "provider", outcome: "applied", event: started, text: JSON.stringify(started) },
    {
      seq: 2,
      receivedAt: T0 + 1,
      origin: "provider",
      outcome: "ignored",
      reason: "stale-sequence",
      event: started,
      text: `  ${JSON.stringify(started)}\n`,
    },
    { seq: 3, receivedAt: T0 + 2, origin: "service", outcome: "applied", event: ev.health() },
  ];

  it.each(entries)("is the entry's view, the event its received text (seq $seq)", (entry) => {
    expect(JSON.parse(logEntryJson(entry))).toEqual(logEntryView(entry));
    expect(JSON.parse(logEntryJson(entry, "entry"))).toEqual({ type: "entry", ...logEntryView(entry) });
    expect(logEntryJson(entry)).toContain(`"event":${entry.text ?? JSON.stringify(entry.event)}}`);
  });

  it("makes a page of the entries, and the cursor of the next", () => {
    expect(JSON.parse(eventPageJson("e1", entries, 3))).toEqual({
      epoch: "e1",
      events: entries.map(logEntryView),
      nextAfter: 3,
    });
    expect(JSON.parse(eventPageJson("e1", [], null))).toEqual({ epoch: "e1", events: [], nextAfter: null });
  });
});
