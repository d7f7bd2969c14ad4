/** The session's signs in words for `ls` and `get`: a stall, background tasks, a usage limit, a provider's stderr. */
import type { HealthView, SessionView } from "../contracts/replies.ts";
import { isStalled } from "../contracts/summary-signs.ts";
import { duration, relative, type Style } from "./terminal.ts";

/** `stalled 5m` (for how long no sign of life came), `active`, or a dash before anything is known. */
export function healthCell(health: HealthView | null, now: number, style: Style): string {
  if (health === null) return "—";
  return isStalled({ health }) ? style.yellow(`stalled ${duration(now - Date.parse(health.since))}`) : health.state;
}

/** `2`, or `2 (1 bg)` when some said they run in the background; a dash when none runs. */
export function tasksCell({ running, backgrounded }: SessionView["tasks"]): string {
  if (running === 0) return "—";
  return backgrounded === 0 ? String(running) : `${running} (${backgrounded} bg)`;
}

/** `resets in 2h 14m`, or a dash with no limit. */
export function limitCell(limitResetsAt: string | null, now: number, style: Style): string {
  return limitResetsAt === null ? "—" : style.red(`resets ${relative(limitResetsAt, now)}`);
}

/** Who said a session stalled, and since when it has been silent. */
export function healthLine(health: HealthView | null, now: number, style: Style): string {
  if (health === null) return "—";
  const source = health.source === "provider" ? "the provider says" : "seen by the service";
  if (health.state === "active") return `active (${source})`;
  return style.yellow(`stalled: no sign of life for ${duration(now - Date.parse(health.since))} (${source})`);
}

const STDERR_LINES = 12;
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are the thing removed (CSI, OSC, two-byte)
const ESCAPE_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters but tab and line feed are removed
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * The last lines of a provider's stderr, without the control characters a terminal would obey: the text is the
 * provider's, and an escape sequence in it must not restyle or move the reader's terminal.
 */
export function stderrLines(stderrTail: string): string[] {
  const lines = stderrTail.replace(ESCAPE_SEQUENCE, "").replace(CONTROL, "").split("\n");
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === "") lines.pop();
  return lines.length <= STDERR_LINES
    ? lines
    : [`… ${lines.length - STDERR_LINES} earlier lines (--json shows them)`, ...lines.slice(-STDERR_LINES)];
}
