/** The Codex app-server transcript fixture, line by line, and what a reader of it knows (ids, times) without the bridge. */
import transcript from "../fixtures/codex-app-server.jsonl?raw";

/** Lines in file order; `lines[n - 1]` is line n. */
export const lines: readonly string[] = transcript.split("\n").filter((line) => line !== "");

/**
 * Codex's usage reports (`thread/tokenUsage/updated`): Codex prices none, so the service logs each one's price as a
 * service entry right after it, one seq more in the session's log per report.
 */
export const USAGE_REPORTS = lines.filter((text) => text.includes('"method":"thread/tokenUsage/updated"')).length;

export const line = (n: number): string => lines[n - 1] ?? expectLine(n);

/** Codex's own thread id and the four turns, as the transcript spells them. */
export const CODEX_THREAD = "019ac9a4-5e10-7d22-9b3e-4f6a1c2d3e01";
export const TURN = {
  completed: "019ac9a4-6a00-7c11-8d20-000000000001",
  interrupted: "019ac9a4-7b00-7c11-8d20-000000000002",
  failed: "019ac9a4-8c00-7c11-8d20-000000000003",
  secondProcess: "019ac9a5-9d00-7c11-8d20-000000000004",
} as const;

/** 2026-11-28T09:00:00Z, the thread's createdAt (seconds); the other times are offsets from it. */
export const START_SECONDS = Date.UTC(2026, 10, 28, 9, 0, 0) / 1000;
export const at = (offsetSeconds: number): string => new Date((START_SECONDS + offsetSeconds) * 1000).toISOString();

function expectLine(n: number): never {
  throw new Error(`the transcript has no line ${n}`);
}
