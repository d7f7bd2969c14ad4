/** What the dashboard writes for times, deadlines, badges and signs: the words a reader sees, at their boundaries. */
import { describe, expect, it } from "vitest";
import { isActive, needsAttention } from "../../src/contracts/summary-signs.ts";
import { SESSION_STATUSES } from "../../src/contracts/vocabulary.ts";
import {
  countdown,
  durationText,
  limitCountdown,
  relativeTime,
  sessionBadge,
  signBadges,
  statusBadge,
  timeOfDay,
  waitingSince,
} from "../../src/dashboard/format.ts";

const NOW = Date.parse("2026-11-28T12:00:00.000Z");
const secondsAgo = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();
const inSeconds = (seconds: number) => new Date(NOW + seconds * 1000).toISOString();
const NONE_PENDING = { approvals: 0, userInputs: 0, oldestOpenedAt: null };
const NO_TASKS = { running: 0, backgrounded: 0, oldestStartedAt: null };
const STALLED = { state: "stalled", since: secondsAgo(300), source: "service" } as const;
const QUIET = { pendingRequests: NONE_PENDING, health: null, tasks: NO_TASKS, limitResetsAt: null };

describe("relativeTime", () => {
  it.each([
    [0, "just now"],
    [4.4, "just now"],
    [5, "5 s ago"],
    [59, "59 s ago"],
    [60, "1 min ago"],
    [3599, "59 min ago"],
    [3600, "1 h ago"],
    [86_399, "23 h ago"],
    [86_400, "1 d ago"],
    [10 * 86_400, "10 d ago"],
  ])("writes %s s ago as %j", (seconds, text) => {
    expect(relativeTime(secondsAgo(seconds), NOW)).toBe(text);
  });

  it("writes a moment ahead of the reader's clock (skew) as just now, and no moment as never", () => {
    expect(relativeTime(inSeconds(30), NOW)).toBe("just now");
    expect(relativeTime(null, NOW)).toBe("never");
  });
});

describe("countdown", () => {
  it.each([
    ["reap", 29 * 60 + 41, "reaped in 29:41"],
    ["reap", 65, "reaped in 1:05"],
    ["reap", 9, "reaped in 0:09"],
    ["expire-turn", 2 * 3600 - 2, "turn expires in 1:59:58"],
    ["expire-turn", 3600, "turn expires in 1:00:00"],
    ["purge", 3600 + 5 * 60 + 7, "purged in 1:05:07"],
  ] as const)("writes a %s due in %s s as %j", (action, seconds, text) => {
    expect(countdown({ action, at: inSeconds(seconds) }, NOW)).toBe(text);
  });

  it("says now once the deadline is due or past, and nothing without one", () => {
    expect(countdown({ action: "purge", at: inSeconds(0) }, NOW)).toBe("purged now");
    expect(countdown({ action: "reap", at: secondsAgo(90) }, NOW)).toBe("reaped now");
    expect(countdown(null, NOW)).toBe("");
  });
});

describe("badges", () => {
  it("name every status in words, each with its own icon, so colour is never the only sign", () => {
    const badges = SESSION_STATUSES.map(statusBadge);
    expect(badges.map((badge) => badge.label)).toEqual([...SESSION_STATUSES]);
    expect(new Set(badges.map((badge) => badge.icon)).size).toBe(SESSION_STATUSES.length);
  });

  it("put what waits for a person before the status, whatever the status", () => {
    for (const status of SESSION_STATUSES) {
      const approval = sessionBadge({ status, pendingRequests: { ...NONE_PENDING, approvals: 1 }, health: STALLED });
      const question = sessionBadge({ status, pendingRequests: { ...NONE_PENDING, userInputs: 2 }, health: null });
      expect([approval.state, question.state]).toEqual(["attention", "attention"]);
      expect(approval.label).toBe("waiting for you");
      expect(sessionBadge({ status, pendingRequests: NONE_PENDING, health: null }).state).toBe(status);
    }
  });

  it("count only starting and running sessions as active", () => {
    expect(SESSION_STATUSES.filter((status) => isActive({ status }))).toEqual(["starting", "running"]);
  });

  it("say a stall before the status, and an active health changes nothing", () => {
    const active = { ...STALLED, state: "active" } as const;
    expect(sessionBadge({ status: "running", pendingRequests: NONE_PENDING, health: STALLED })).toEqual({
      state: "stalled",
      icon: "⚠",
      label: "stalled",
    });
    expect(sessionBadge({ status: "running", pendingRequests: NONE_PENDING, health: active }).state).toBe("running");
  });

  it("count as needing attention what the service lists in attention, and nothing else", () => {
    expect(needsAttention({ attention: ["pending-request"] })).toBe(true);
    expect(needsAttention({ attention: ["stall"] })).toBe(true);
    expect(needsAttention({ attention: [] })).toBe(false);
  });
});

describe("signs", () => {
  it("are none for a quiet session", () => {
    expect(signBadges(QUIET, NOW)).toEqual([]);
  });

  it.each([
    [1, "1 background task"],
    [2, "2 background tasks"],
  ])("count %s running task(s) as %j", (running, label) => {
    const tasks = { running, backgrounded: 1, oldestStartedAt: secondsAgo(60) };
    expect(signBadges({ ...QUIET, tasks }, NOW)).toEqual([{ state: "tasks", icon: "⚙", label }]);
  });

  it.each([
    [2 * 3600 + 14 * 60 + 5, "limit resets in 2:14:05"],
    [3600, "limit resets in 1:00:00"],
    [59, "limit resets in 0:59"],
    [0, "limit resets now"],
    [-30, "limit resets now"],
  ])("count a usage limit resetting in %s s down as %j", (seconds, label) => {
    expect(signBadges({ ...QUIET, limitResetsAt: inSeconds(seconds) }, NOW)).toEqual([
      { state: "limit", icon: "◷", label },
    ]);
    expect(limitCountdown(inSeconds(seconds), NOW)).toBe(label);
  });

  it("add a stall only when the first badge says waiting for you, and list stall, tasks, limit in that order", () => {
    const everything = {
      health: STALLED,
      tasks: { running: 2, backgrounded: 0, oldestStartedAt: secondsAgo(60) },
      limitResetsAt: inSeconds(90),
    };
    const labels = (pendingRequests: typeof NONE_PENDING) =>
      signBadges({ ...everything, pendingRequests }, NOW).map((sign) => sign.label);
    expect(labels(NONE_PENDING)).toEqual(["2 background tasks", "limit resets in 1:30"]);
    expect(labels({ ...NONE_PENDING, approvals: 1 })).toEqual([
      "stalled",
      "2 background tasks",
      "limit resets in 1:30",
    ]);
  });
});

describe("waitingSince", () => {
  it("says since when the oldest request waits, to the minute of the reader's time of day", () => {
    const openedAt = secondsAgo(600);
    const pendingRequests = { approvals: 1, userInputs: 0, oldestOpenedAt: openedAt };
    const since = waitingSince({ pendingRequests });
    expect(since).toMatch(/^since \d\d?.\d\d/);
    // The hour and minute of timeOfDay, without its seconds.
    expect(timeOfDay(openedAt).startsWith(since.slice("since ".length, "since ".length + 5))).toBe(true);
    expect(signBadges({ ...QUIET, pendingRequests }, NOW)).toEqual([{ state: "attention", icon: "◆", label: since }]);
  });

  it("says nothing when nothing waits", () => {
    expect(waitingSince({ pendingRequests: NONE_PENDING })).toBe("");
    expect(waitingSince({ pendingRequests: { ...NONE_PENDING, oldestOpenedAt: secondsAgo(5) } })).toBe("");
  });
});

describe("durationText", () => {
  it.each([
    [0, "0 ms"],
    [350, "350 ms"],
    [999, "999 ms"],
    [1_000, "1 s"],
    [59_999, "59 s"],
    [60_000, "1 min 0 s"],
    [185_000, "3 min 5 s"],
    [3_599_999, "59 min 59 s"],
    [3_600_000, "1 h 0 min"],
    [7_500_000, "2 h 5 min"],
  ])("writes %s ms as %j, rounded down", (ms, text) => {
    expect(durationText(ms)).toBe(text);
  });
});
