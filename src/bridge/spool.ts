/**
 * The spool: a write-ahead log of one thread's events, so a bridge never holds the agent's pipe while the service is
 * slow or down. Every event is appended before it is sent; the log is cleared once everything appended is settled,
 * so what a run leaves in it (the service was down, the bridge was stopped) is resent, in order, by the next run.
 * The service deduplicates by eventId, so resending an event it already stored stores nothing twice.
 */
import type { RuntimeEvent } from "../contracts/events.ts";

export interface SpoolStore {
  /** Events earlier runs left unsettled, oldest first. */
  load(): Promise<RuntimeEvent[]>;
  /** Appends in call order; nothing waits for it on the pipe's path. Rejects on a write error (a full disk). */
  append(events: readonly RuntimeEvent[]): Promise<void>;
  /** Everything appended so far is settled: empty the log. */
  clear(): Promise<void>;
}

/** One event a line; a torn last line (the bridge killed mid-append) is left out rather than failing the load. */
export function spoolLines(text: string): RuntimeEvent[] {
  const events: RuntimeEvent[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      events.push(JSON.parse(line) as RuntimeEvent);
    } catch {}
  }
  return events;
}

export function spoolText(events: readonly RuntimeEvent[]): string {
  return events.map((event) => `${JSON.stringify(event)}\n`).join("");
}

/** A spool in memory, for tests and for callers that keep no state on disk. */
export function memorySpool(initial: readonly RuntimeEvent[] = []): SpoolStore & { readonly events: RuntimeEvent[] } {
  const events = [...initial];
  return {
    events,
    load: async () => [...events],
    async append(more) {
      events.push(...more);
    },
    async clear() {
      events.length = 0;
    },
  };
}
