/** The session Durable Object: a thin shell that serializes events into storage and wakes itself to reap. */
import { DurableObject } from "cloudflare:workers";
import { memoizedByEnv, parseSessionConfig, type SessionConfig } from "../config.ts";
import { evolve, type LogEntry } from "../domain/event-log.ts";
import type { RuntimeEvent } from "../domain/events.ts";
import { type Notification, newNotification, recordAttempt } from "../domain/notification.ts";
import { dueAction, nextWakeAt, sessionReapedEvent, turnExpiredEvent } from "../domain/reaping.ts";
import type { EventPage, EventResult, IngestReply, SessionView } from "../domain/replies.ts";
import { initialSession, type SessionState } from "../domain/session.ts";
import { sessionView } from "../domain/session-view.ts";
import { hasSchema, migrate } from "./schema.ts";
import { parseSessionObjectName, type SessionKey } from "./session-key.ts";
import { SessionStore, type StoredEntry } from "./store.ts";
import { deliverWebhook } from "./webhook.ts";

const sessionConfig = memoizedByEnv(parseSessionConfig);

export class SessionObject extends DurableObject<Env> {
  readonly #store: SessionStore;
  readonly #key: SessionKey;
  readonly #config: SessionConfig;
  /** null while the object has no storage: never written, or purged. */
  #state: SessionState | null = null;
  /** The alarm as last written; writes are skipped unless the next wake moves earlier. */
  #alarmAt: number | null = null;
  #nextNotificationAt: number | null = null;
  #latestNotification: Notification | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new SessionStore(ctx.storage.sql);
    this.#key = parseSessionObjectName(ctx.id.name);
    this.#config = sessionConfig(env);
    ctx.blockConcurrencyWhile(async () => {
      if (hasSchema(ctx.storage.sql)) {
        migrate(ctx.storage.sql, Date.now());
        this.#state = this.#store.loadState() ?? initialSession;
        this.#nextNotificationAt = this.#store.nextPendingNotification()?.nextAttemptAt ?? null;
        this.#latestNotification = this.#store.latestNotification();
      }
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** Applies a batch in one transaction: every event is stored (or found a duplicate), or none is. */
  async ingest(events: RuntimeEvent[]): Promise<IngestReply> {
    const now = Date.now();
    const before = this.#state;
    const { state, results } = this.ctx.storage.transactionSync(() => {
      if (before === null) migrate(this.ctx.storage.sql, now);
      // One lookup for the whole batch; ids repeated inside the batch are caught as they are added below.
      const stored = before === null ? new Map<string, number>() : this.#store.storedSeqs(events.map((e) => e.eventId));
      let state = before ?? initialSession;
      const results: EventResult[] = [];
      const entries: StoredEntry[] = [];
      for (const event of events) {
        const duplicateOf = stored.get(event.eventId);
        if (duplicateOf !== undefined) {
          results.push({ eventId: event.eventId, seq: duplicateOf, outcome: "duplicate" });
          continue;
        }
        const entry: LogEntry = { seq: state.lastSeq + 1, receivedAt: now, origin: "provider", event };
        const evolution = evolve(state, entry);
        const verdict = {
          outcome: evolution.outcome,
          ...(evolution.reason === undefined ? {} : { reason: evolution.reason }),
        };
        entries.push({ ...entry, ...verdict });
        results.push({ eventId: event.eventId, seq: entry.seq, ...verdict });
        stored.set(event.eventId, entry.seq);
        state = evolution.state;
      }
      this.#store.appendEvents(entries);
      if (state !== before) this.#store.saveState(state);
      return { state, results };
    });
    this.#state = state;
    await this.#scheduleWake();
    this.#logBatch(before ?? initialSession, state, results);
    return { session: this.#view(state), results };
  }

  async read(): Promise<SessionView | null> {
    return this.#state === null ? null : this.#view(this.#state);
  }

  async listEvents(afterSeq: number, limit: number): Promise<EventPage | null> {
    if (this.#state === null) return null;
    const entries = this.#store.readEntries(afterSeq, limit);
    const last = entries.at(-1);
    return {
      events: entries.map((entry) => ({
        seq: entry.seq,
        receivedAt: new Date(entry.receivedAt).toISOString(),
        origin: entry.origin,
        outcome: entry.outcome,
        ...(entry.reason === undefined ? {} : { reason: entry.reason }),
        event: entry.event,
      })),
      nextAfter: last !== undefined && last.seq < this.#state.lastSeq ? last.seq : null,
    };
  }

  /** Deletes the whole session at once; false when there was nothing to delete. */
  async purge(): Promise<boolean> {
    if (this.#state === null) return false;
    await this.#purgeStorage("deleted");
    return true;
  }

  /** At-least-once and idempotent: every decision is taken from the stored state at the time it runs. */
  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    const state = this.#state;
    if (state === null) return;
    const now = Date.now();
    const { policy } = this.#config;
    switch (dueAction(state, now, policy, this.#nextNotificationAt !== null)) {
      case "expire-turn":
        this.#appendServiceEvent(turnExpiredEvent(state, this.#syntheticContext(now)), now);
        break;
      case "reap":
        this.#appendServiceEvent(sessionReapedEvent(state, this.#syntheticContext(now)), now);
        break;
      case "purge":
        await this.#purgeStorage("retention elapsed");
        return;
      case null:
        break;
    }
    await this.#deliverDueNotifications();
    await this.#scheduleWake();
  }

  #appendServiceEvent(event: RuntimeEvent, now: number): void {
    const before = this.#state ?? initialSession;
    const entry: LogEntry = { seq: before.lastSeq + 1, receivedAt: now, origin: "service", event };
    const { state, outcome } = evolve(before, entry);
    const notification =
      this.#config.webhook === null ? null : newNotification({ tenant: this.#key.tenant, seq: entry.seq, event }, now);
    this.ctx.storage.transactionSync(() => {
      this.#store.appendEvents([{ ...entry, outcome }]);
      this.#store.saveState(state);
      if (notification !== null) this.#store.insertNotification(notification, entry.seq);
    });
    this.#state = state;
    if (notification !== null) {
      this.#latestNotification = notification;
      this.#nextNotificationAt = now;
    }
    this.#log({ message: event.type, seq: entry.seq, status: { from: before.status, to: state.status } });
  }

  /** Delivers in creation order; a failure waits for its backoff, so later notifications wait behind it. */
  async #deliverDueNotifications(): Promise<void> {
    const webhook = this.#config.webhook;
    if (webhook === null) return;
    for (;;) {
      const notification = this.#store.nextPendingNotification();
      if (notification === null || (notification.nextAttemptAt ?? 0) > Date.now()) break;
      const result = await deliverWebhook(webhook, notification, Date.now());
      // The session may have been deleted while the request was in flight.
      if (this.#state === null) return;
      const updated = recordAttempt(notification, Date.now(), result);
      this.#store.updateDelivery(updated);
      if (this.#latestNotification?.id === updated.id) this.#latestNotification = updated;
      this.#log({
        message: "notification attempt",
        id: updated.id,
        state: updated.state,
        attempts: updated.attempts,
        error: updated.lastError,
      });
      if (!result.ok) break;
    }
    this.#nextNotificationAt = this.#store.nextPendingNotification()?.nextAttemptAt ?? null;
  }

  async #scheduleWake(): Promise<void> {
    if (this.#state === null) return;
    const wakeAt = nextWakeAt(this.#state, this.#config.policy, this.#nextNotificationAt);
    if (wakeAt === null || (this.#alarmAt !== null && this.#alarmAt <= wakeAt)) return;
    await this.ctx.storage.setAlarm(wakeAt);
    this.#alarmAt = wakeAt;
  }

  /** deleteAll() also removes the alarm; the schema is recreated by the next write, not before. */
  async #purgeStorage(reason: string): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.#state = null;
    this.#alarmAt = null;
    this.#nextNotificationAt = null;
    this.#latestNotification = null;
    this.#log({ message: "session purged", reason });
  }

  #syntheticContext(now: number) {
    return { eventId: crypto.randomUUID(), threadId: this.#key.threadId, now };
  }

  #view(state: SessionState): SessionView {
    return sessionView(
      this.#key.threadId,
      state,
      this.#config.policy,
      this.#latestNotification,
      this.ctx.storage.sql.databaseSize,
    );
  }

  #logBatch(before: SessionState, after: SessionState, results: readonly EventResult[]): void {
    const outcomes = { applied: 0, recorded: 0, ignored: 0, duplicate: 0 };
    for (const result of results) outcomes[result.outcome] += 1;
    const stored = results.length - outcomes.duplicate;
    this.#log({
      message: "batch ingested",
      events: results.length,
      outcomes,
      seq: stored === 0 ? null : { first: before.lastSeq + 1, last: after.lastSeq },
      status: { from: before.status, to: after.status },
      activeTurnId: after.activeTurnId,
    });
  }

  /** One JSON line per record for Workers Logs; never carries a token. */
  #log(record: Record<string, unknown>): void {
    console.log(JSON.stringify({ ...record, tenant: this.#key.tenant, threadId: this.#key.threadId }));
  }
}
