/** What the dashboard shows for a status, what a session needs, a past moment and a deadline: text first. */
import type { SessionSummary } from "../client/index.ts";
import { tasksText } from "../client/tasks-text.ts";

export { pendingText } from "../client/pending-text.ts";
export { tasksText };

import { isStalled, isWaiting } from "../contracts/summary-signs.ts";
import type { DeadlineAction, SessionStatus } from "../contracts/vocabulary.ts";

/** A badge's state picks its colour; its icon and label say the same thing without colour. */
export type BadgeState = SessionStatus | "attention" | "stalled" | "tasks" | "limit";

export interface Badge {
  state: BadgeState;
  icon: string;
  label: string;
}

const STATUS_BADGES: Record<SessionStatus, Omit<Badge, "state">> = {
  idle: { icon: "○", label: "idle" },
  starting: { icon: "◔", label: "starting" },
  running: { icon: "▶", label: "running" },
  ready: { icon: "✓", label: "ready" },
  interrupted: { icon: "‖", label: "interrupted" },
  stopped: { icon: "■", label: "stopped" },
  error: { icon: "✕", label: "error" },
};

export function statusBadge(status: SessionStatus): Badge {
  return { state: status, ...STATUS_BADGES[status] };
}

const STALLED: Badge = { state: "stalled", icon: "⚠", label: "stalled" };

/** A session that waits for a person, or has stalled, says so before anything else: that is what a reader acts on. */
export function sessionBadge(session: Pick<SessionSummary, "status" | "pendingRequests" | "health">): Badge {
  if (isWaiting(session)) return { state: "attention", icon: "◆", label: "waiting for you" };
  return isStalled(session) ? STALLED : statusBadge(session.status);
}

/**
 * What else a reader should know at a glance, each a small badge beside the first: since when a person is awaited,
 * a stall the first badge does not already say, background tasks, and a usage limit counting down to its reset.
 */
export function signBadges(
  session: Pick<SessionSummary, "pendingRequests" | "health" | "tasks" | "limitResetsAt">,
  now: number,
): Badge[] {
  const signs: Badge[] = [];
  const since = waitingSince(session);
  if (since !== "") signs.push({ state: "attention", icon: "◆", label: since });
  if (isStalled(session) && isWaiting(session)) signs.push(STALLED);
  const tasks = tasksText(session);
  if (tasks !== "") signs.push({ state: "tasks", icon: "⚙", label: tasks });
  if (session.limitResetsAt !== null) {
    signs.push({ state: "limit", icon: "◷", label: limitCountdown(session.limitResetsAt, now) });
  }
  return signs;
}

/** "since 10:42": when the oldest pending request opened, in the reader's time of day; empty when none is. */
export function waitingSince(session: Pick<SessionSummary, "pendingRequests">): string {
  const { oldestOpenedAt } = session.pendingRequests;
  if (!isWaiting(session) || oldestOpenedAt === null) return "";
  return `since ${new Date(oldestOpenedAt).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}`;
}

/** "just now", "42 s ago", "3 min ago", "5 h ago", "2 d ago". */
export function relativeTime(iso: string | null, now: number): string {
  if (iso === null) return "never";
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

const DEADLINE_LABELS: Record<DeadlineAction, string> = {
  "expire-turn": "turn expires",
  stall: "stalls",
  "expire-task": "task expires",
  "request-timeout": "request times out",
  "limit-reset": "limit resets",
  reap: "reaped",
  purge: "purged",
};

/** "reaped in 29:41", "turn expires in 1:59:58", "purged now" once due. */
export function countdown(deadline: SessionSummary["deadline"], now: number): string {
  return deadline === null ? "" : untilText(DEADLINE_LABELS[deadline.action], deadline.at, now);
}

/** "limit resets in 2:14:05", "limit resets now" once due (the service clears it at its next wake). */
export function limitCountdown(limitResetsAt: string, now: number): string {
  return untilText("limit resets", limitResetsAt, now);
}

function untilText(label: string, at: string, now: number): string {
  const seconds = Math.round((Date.parse(at) - now) / 1000);
  return seconds <= 0 ? `${label} now` : `${label} in ${clock(seconds)}`;
}

function clock(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const mm = String(minutes).padStart(hours > 0 ? 2 : 1, "0");
  const ss = String(seconds).padStart(2, "0");
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Time of day in the reader's locale, to the second: enough to order a log by eye. */
export function timeOfDay(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** How long something took: "350 ms", "42 s", "3 min 5 s", "2 h 5 min"; whole units, rounded down. */
export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.floor(ms))} ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
