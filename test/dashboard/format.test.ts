/** What the dashboard writes for times, deadlines and badges: the words a reader sees, at their boundaries. */
import { describe, expect, it } from "vitest";
import { SESSION_STATUSES } from "../../src/contracts/vocabulary.ts";
import { countdown, isActive, relativeTime, sessionBadge, statusBadge } from "../../src/dashboard/format.ts";

const NOW = Date.parse("2026-11-28T12:00:00.000Z");
const secondsAgo = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();
const inSeconds = (seconds: number) => new Date(NOW + seconds * 1000).toISOString();
const NONE_PENDING = { approvals: 0, userInputs: 0, oldestOpenedAt: null };

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
      const approval = sessionBadge({ status, pendingRequests: { ...NONE_PENDING, approvals: 1 } });
      const question = sessionBadge({ status, pendingRequests: { ...NONE_PENDING, userInputs: 2 } });
      expect([approval.state, question.state]).toEqual(["attention", "attention"]);
      expect(approval.label).toBe("waiting for you");
      expect(sessionBadge({ status, pendingRequests: NONE_PENDING }).state).toBe(status);
    }
  });

  it("count only starting and running sessions as active", () => {
    expect(SESSION_STATUSES.filter((status) => isActive({ status }))).toEqual(["starting", "running"]);
  });
});
