/** The session as the API shows it: the projection plus its next deadline and latest notification. */
import type { LogEntryView, PendingRequestsView, SessionView, TasksView } from "../contracts/replies.ts";
import type { AttentionReason } from "../contracts/vocabulary.ts";
import type { StoredEntry } from "./event-log.ts";
import type { Notification } from "./notification.ts";
import type { PendingRequest } from "./pending-requests.ts";
import { nextDeadline, type ReapingPolicy } from "./reaping.ts";
import type { RunningTask, SessionState } from "./session.ts";
import { type UsageView, usageView } from "./usage-view.ts";

/** The view without the storage's own fact, the epoch, which the object holding the log adds. */
export type ProjectedView = Omit<SessionView, "epoch">;

export function sessionView(
  threadId: string,
  state: SessionState,
  policy: ReapingPolicy,
  notification: Notification | null,
  storageBytes: number,
): ProjectedView {
  const deadline = nextDeadline(state, policy);
  return {
    threadId,
    status: state.status,
    providerName: state.providerName,
    activeTurnId: state.activeTurnId,
    lastError: state.lastError,
    providerUpdatedAt: state.providerUpdatedAt,
    lastEventAt: isoOrNull(state.lastEventAt),
    eventCount: state.eventCount,
    lastSeq: state.lastSeq,
    pendingRequests: pendingRequestsView(state.pendingRequests),
    health: state.health === null ? null : { ...state.health, since: iso(state.health.since) },
    tasks: tasksView(state.tasks),
    limitResetsAt: isoOrNull(state.limitResetsAt),
    deniedTools: state.deniedTools,
    exitKind: state.exit?.exitKind ?? null,
    stderrTail: state.exit?.stderrTail ?? null,
    usage: usageShown(state),
    attention: attentionReasons(state),
    deadline: deadline === null ? null : { action: deadline.action, at: iso(deadline.at) },
    reapedAt: isoOrNull(state.reapedAt),
    reapReason: state.reapReason,
    storageBytes,
    notification:
      notification === null
        ? null
        : {
            id: notification.id,
            type: notification.type,
            state: notification.state,
            attempts: notification.attempts,
            lastError: notification.lastError,
          },
  };
}

/** The session's tokens and cost; null until a provider reported any usage. */
export function usageShown(state: SessionState): UsageView | null {
  const usage = usageView(state.usage);
  const anyTokens = TOKEN_FIGURES.some((figure) => usage[figure] > 0);
  return anyTokens || usage.contextWindow !== null || usage.cost !== null ? usage : null;
}

const TOKEN_FIGURES = [
  "inputTokens",
  "cacheCreationInputTokens",
  "cacheReadInputTokens",
  "outputTokens",
  "reasoningOutputTokens",
] as const;

/** A log entry as the events route and the live stream show it. */
export function logEntryView(entry: StoredEntry): LogEntryView {
  return {
    seq: entry.seq,
    receivedAt: iso(entry.receivedAt),
    origin: entry.origin,
    outcome: entry.outcome,
    ...(entry.reason === undefined ? {} : { reason: entry.reason }),
    event: entry.event,
  };
}

/**
 * A log entry as JSON, the event spliced in as the text it was received as (JSON.stringify of the parsed event would
 * drop a `__proto__` key and round a number beyond 2^53). With `type`, a live stream's `entry` message.
 */
export function logEntryJson(entry: StoredEntry, type?: "entry"): string {
  const reason = entry.reason === undefined ? "" : `,"reason":${JSON.stringify(entry.reason)}`;
  return (
    `{${type === undefined ? "" : '"type":"entry",'}"seq":${entry.seq},"receivedAt":"${iso(entry.receivedAt)}",` +
    `"origin":${JSON.stringify(entry.origin)},"outcome":${JSON.stringify(entry.outcome)}${reason},` +
    `"event":${entry.text ?? JSON.stringify(entry.event)}}`
  );
}

/** A page of the log as JSON (the EventPage shape), each event as received. */
export function eventPageJson(epoch: string, entries: readonly StoredEntry[], nextAfter: number | null): string {
  return `{"epoch":${JSON.stringify(epoch)},"events":[${entries.map((entry) => logEntryJson(entry)).join(",")}],"nextAfter":${nextAfter}}`;
}

export function pendingRequestsView(pending: readonly PendingRequest[]): PendingRequestsView {
  let approvals = 0;
  let oldestOpenedAt: number | null = null;
  for (const open of pending) {
    if (open.kind === "approval") approvals += 1;
    oldestOpenedAt = oldestOpenedAt === null ? open.openedAt : Math.min(oldestOpenedAt, open.openedAt);
  }
  return { approvals, userInputs: pending.length - approvals, oldestOpenedAt: isoOrNull(oldestOpenedAt) };
}

export function tasksView(tasks: readonly RunningTask[]): TasksView {
  const oldest = tasks.length === 0 ? null : Math.min(...tasks.map((task) => task.startedAt));
  return {
    running: tasks.length,
    backgrounded: tasks.filter((task) => task.backgrounded).length,
    oldestStartedAt: isoOrNull(oldest),
  };
}

/** A person is needed while an approval or a question is pending, and while the session is stalled. */
export function attentionReasons(state: Pick<SessionState, "pendingRequests" | "health">): AttentionReason[] {
  return [
    ...(state.pendingRequests.length > 0 ? (["pending-request"] as const) : []),
    ...(state.health?.state === "stalled" ? (["stall"] as const) : []),
  ];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}
