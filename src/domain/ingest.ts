/** decideBatch: what a batch of provider events does to a session, all or nothing. */
import type { RuntimeEvent } from "../contracts/events.ts";
import { sameJsonText } from "../contracts/json-text.ts";
import type { EventResult } from "../contracts/replies.ts";
import type { Change } from "./change.ts";
import { appendEntry, type StoredEntry } from "./event-log.ts";
import { attentionNotification } from "./notification.ts";
import { usagePricedEvent } from "./service-events.ts";
import type { SessionState } from "./session.ts";
import { attentionReasons, pendingRequestsView } from "./session-view.ts";
import { type UsagePricer, usageToCharge } from "./usage-facts.ts";

/** An event as received: parsed, and its JSON text as sent, which is what the log stores. */
export interface IncomingEvent {
  event: RuntimeEvent;
  text: string;
}

/** Where a provider eventId is already stored, and whether an event's text is the same value as what is stored. */
export interface StoredId {
  seq: number;
  sameContent(text: string): boolean;
}

/** The optimistic first attempt: the unique index, not a lookup, finds an eventId already stored. */
export const NOTHING_STORED: ReadonlyMap<string, StoredId> = new Map();

/** An event whose eventId is stored (or earlier in the batch) with different content. */
export interface EventIdConflict {
  index: number;
  eventId: string;
  seq: number;
}

export type BatchDecision =
  | { kind: "commit"; change: Change; results: EventResult[] }
  | { kind: "conflict"; conflicts: EventIdConflict[] };

/**
 * Each event is a duplicate (same id, same content: answered with the stored seq), a conflict (same id, other
 * content: the whole batch is refused), or appended at the next seq and folded. `stored` holds the ids of this
 * batch that the log already has (NOTHING_STORED on the first, optimistic attempt). With a `pricer`, a usage report
 * the provider did not price is followed by a service entry with its price.
 */
export function decideBatch(
  state: SessionState,
  batch: readonly IncomingEvent[],
  stored: ReadonlyMap<string, StoredId>,
  now: number,
  pricer?: UsagePricer,
): BatchDecision {
  const known = new Map(stored);
  const conflicts: EventIdConflict[] = [];
  const results: EventResult[] = [];
  const entries: StoredEntry[] = [];
  let next = state;
  batch.forEach(({ event, text }, index) => {
    const original = known.get(event.eventId);
    if (original !== undefined) {
      if (original.sameContent(text)) results.push({ eventId: event.eventId, seq: original.seq, outcome: "duplicate" });
      else conflicts.push({ index, eventId: event.eventId, seq: original.seq });
      return;
    }
    const appended = appendEntry(next, "provider", event, now);
    const reported = appended.state.usage !== next.usage;
    next = appended.state;
    entries.push({ ...appended.entry, text });
    const { seq, outcome, reason } = appended.entry;
    results.push({ eventId: event.eventId, seq, outcome, ...(reason === undefined ? {} : { reason }) });
    known.set(event.eventId, { seq, sameContent: (other) => sameJsonText(text, other) });
    // Tokens the provider did not price are priced now, once: the figure is logged, so a refold never looks it up.
    const toCharge = pricer === undefined || !reported ? null : usageToCharge(next, event, now);
    if (pricer !== undefined && toCharge !== null) {
      const context = { eventId: `usage-priced-${seq}`, threadId: event.threadId, now };
      const priced = appendEntry(next, "service", usagePricedEvent(next, pricer(toCharge), context), now);
      next = priced.state;
      entries.push(priced.entry);
    }
  });
  if (conflicts.length > 0) return { kind: "conflict", conflicts };
  const change: Change = { cause: "ingest", before: state, state: next, entries, notifications: [], deliveries: [] };
  return { kind: "commit", change, results };
}

export interface AttentionContext {
  tenant: string;
  threadId: string;
  /** The webhook-id suffix of the notification, if one is made. */
  notificationId: string;
  now: number;
}

/**
 * Adds a `session.attention` notification for each reason a person is needed that the change brings: a first pending
 * request (`pending-request`), or the provider saying it stalled (`stall`). Once per edge, never per event, so an
 * orchestrator can tell a person without being flooded.
 */
export function withAttentionNotice(change: Change, context: AttentionContext): Change {
  const before = new Set(attentionReasons(change.before));
  const fresh = attentionReasons(change.state).filter((reason) => !before.has(reason));
  if (fresh.length === 0) return change;
  const notifications = fresh.map((reason, index) =>
    attentionNotification(
      index === 0 ? context.notificationId : `${context.notificationId}.${reason}`,
      {
        tenant: context.tenant,
        threadId: context.threadId,
        seq: change.state.lastSeq,
        reason,
        activeTurnId: change.state.activeTurnId,
        pendingRequests: pendingRequestsView(change.state.pendingRequests),
      },
      context.now,
    ),
  );
  return { ...change, notifications: [...change.notifications, ...notifications] };
}
