/** The session Durable Object: a thin shell that reads, commits what the domain decides, and delivers. */
import { DurableObject } from "cloudflare:workers";
import { memoizedByEnv, parseSessionConfig, type SessionConfig } from "../config.ts";
import type { RuntimeEvent } from "../contracts/events.ts";
import { sameJsonText } from "../contracts/json-text.ts";
import type { SessionView } from "../contracts/replies.ts";
import type { TurnsReply } from "../contracts/usage.ts";
import { type Change, emptyChange, writesNothing } from "../domain/change.ts";
import { type DirectoryFeed, initialFeed, queueChange, usageFlushAt } from "../domain/directory.ts";
import { foldLog } from "../domain/event-log.ts";
import {
  type BatchDecision,
  decideBatch,
  type EventIdConflict,
  type IncomingEvent,
  NOTHING_STORED,
  type StoredId,
  withAttentionNotice,
} from "../domain/ingest.ts";
import { type Notification, recordAttempt } from "../domain/notification.ts";
import { grantStanding, NO_REVOCATIONS } from "../domain/read-grants.ts";
import { nextWake } from "../domain/reaping.ts";
import { initialSession, type SessionState } from "../domain/session.ts";
import { eventPageJson, sessionView } from "../domain/session-view.ts";
import { listedFieldsDiffer, snapshotDue } from "../domain/snapshot.ts";
import { MAX_BACKLOG_BYTES, MAX_BACKLOG_ENTRIES, type ResumeFrom } from "../domain/subscription.ts";
import { turnsOfLog, turnView } from "../domain/turns.ts";
import { withUsageThresholdNotice } from "../domain/usage-alerts.ts";
import { alarmNeedsWriting, dueDelivery, earliestTime, onWake } from "../domain/wake.ts";
import { priceUsage } from "../pricing/price-table.ts";
import { SqlMeter, type StorageCounts } from "../sql-meter.ts";
import { commitLogRecord, isLogWorthy } from "./commit-log.ts";
import { eventDigest } from "./digest.ts";
import { DirectoryLink } from "./directory-link.ts";
import { acknowledgeClose, capReached, LiveHub } from "./live-hub.ts";
import { type LiveMessage, liveMessageJson, openingMessages, resumePoint } from "./live-opening.ts";
import { createSchema, migrateForward, schemaVersion } from "./schema.ts";
import { parseSessionObjectName, type SessionKey } from "./session-key.ts";
import { SessionStore } from "./store.ts";
import { grantFacts, readGrant } from "./subscription-grant.ts";
import { deliverWebhook } from "./webhook.ts";

const sessionConfig = memoizedByEnv(parseSessionConfig);

/**
 * The stored bytes one page of the log may carry (it always carries one entry): an RPC reply is limited to 32 MiB,
 * and a page's events can take up to twice their UTF-8 bytes there.
 */
export const PAGE_MAX_BYTES = 8 * 1024 * 1024;

/** How old the storage size in a view may be. */
const STORAGE_BYTES_MAX_AGE_MS = 1000;

/** `json`: the IngestReply as JSON, built where the view is cached (a string crosses RPC for less than an object). */
export type IngestResult = { ok: true; json: string } | { ok: false; conflicts: EventIdConflict[] };

/** A page of the log as the EventPage JSON, built where the stored texts are. */
export interface EventPageText {
  json: string;
}

/** `after` named another life of the threadId than the current one (`epoch`). */
export interface EpochChanged {
  epochChanged: true;
  epoch: string;
}

export class SessionObject extends DurableObject<Env> {
  readonly #sql: SqlMeter;
  readonly #store: SessionStore;
  readonly #key: SessionKey;
  readonly #live: LiveHub<LiveMessage>;
  /** This life of the threadId, minted with its first stored event; null while there is none. */
  #epoch: string | null = null;
  /** null while the object has no storage: never written, or purged. */
  #state: SessionState | null = null;
  /** The last seq the stored snapshot covers: the log after it is folded on wake. */
  #snapshotSeq = 0;
  /** The view of `#state`, built once per commit and served to every read until the next; and its JSON. */
  #currentView: SessionView | null = null;
  #currentViewJson: string | null = null;
  /** Whether the current view's storage size was read after the commit it shows. */
  #currentViewExact = false;
  /** `databaseSize` as last read, and when (performance.now(); see #sessionView). */
  #storageBytesRead = 0;
  #storageBytesAt: number | null = null;
  /** The alarm as last written; writes are skipped unless the next wake moves earlier. */
  #alarmAt: number | null = null;
  #oldestPendingNotification: Notification | null = null;
  #latestNotification: Notification | null = null;
  #directoryFeed: DirectoryFeed = initialFeed;
  readonly #directoryLink: DirectoryLink;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new SqlMeter(ctx.storage.sql);
    this.#store = new SessionStore(this.#sql);
    this.#key = parseSessionObjectName(ctx.id.name);
    this.#directoryLink = new DirectoryLink({
      directory: () => env.DIRECTORY.getByName(this.#key.tenant),
      feed: () => (this.#state === null ? null : this.#directoryFeed),
      record: (next) => this.#recordDirectoryFeed(next),
      log: (record) => this.#log(record),
    });
    this.#live = new LiveHub<LiveMessage>(
      ctx,
      (message) => (message.type === "entry" ? `${this.#epoch ?? ""}:${message.entry.seq}` : null),
      // A frame of several commits carries the session as of its last one: the earlier views add nothing.
      { supersedes: (message) => message.type === "session", serialize: liveMessageJson },
    );
    ctx.blockConcurrencyWhile(async () => {
      this.#alarmAt = await ctx.storage.getAlarm();
      const version = schemaVersion(this.#sql);
      if (version > 0) await this.#load(version);
      // An update cut short by an eviction goes out again now that the object is awake.
      if (this.#directoryFeed.pending !== null && this.#directoryFeed.nextAttemptAt === null) {
        void this.#directoryLink.send("resend");
      }
    });
  }

  /** Parsed once per env; the Worker refuses requests under a bad configuration before they get here. */
  get #config(): SessionConfig {
    return sessionConfig(this.env);
  }

  /**
   * Applies a batch in one transaction: every event is stored (or found a duplicate), or none is. `texts` are the
   * events' JSON texts as received, already checked by the Worker. The first attempt assumes no eventId is stored
   * and lets the unique index say otherwise: a first-time event costs one INSERT and no read.
   */
  async ingest(texts: readonly string[]): Promise<IngestResult> {
    const batch = texts.map((text): IncomingEvent => ({ event: JSON.parse(text) as RuntimeEvent, text }));
    const state = this.#state ?? initialSession;
    const now = Date.now();
    try {
      return await this.#applyBatch(decideBatch(state, batch, NOTHING_STORED, now, priceUsage), now);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    // Rolled back whole: decided again with the stored ids, so seqs stay gap-free and no duplicate is folded.
    return this.#applyBatch(decideBatch(state, batch, this.#storedIds(batch), now, priceUsage), now);
  }

  async #applyBatch(decision: BatchDecision, now: number): Promise<IngestResult> {
    if (decision.kind === "conflict") return { ok: false, conflicts: decision.conflicts };
    const { webhook, usageAlertUsd } = this.#config;
    const context = { tenant: this.#key.tenant, threadId: this.#key.threadId, now };
    const change =
      webhook === null
        ? decision.change
        : withUsageThresholdNotice(
            withAttentionNotice(decision.change, { ...context, notificationId: crypto.randomUUID() }),
            { ...context, notificationId: crypto.randomUUID(), thresholdUsd: usageAlertUsd },
          );
    await this.#apply(change);
    return { ok: true, json: `{"session":${this.#sessionViewJson()},"results":${JSON.stringify(decision.results)}}` };
  }

  /** The stored events among the batch's eventIds, compared by text (or by digest, for those stored before texts). */
  #storedIds(batch: readonly IncomingEvent[]): Map<string, StoredId> {
    const stored = new Map<string, StoredId>();
    for (const row of this.#store.storedIds(batch.map(({ event }) => event.eventId))) {
      const { digest, body } = row;
      stored.set(row.eventId, {
        seq: row.seq,
        sameContent: (text) => (digest === null ? sameJsonText(body, text) : eventDigest(JSON.parse(text)) === digest),
      });
    }
    return stored;
  }

  /** The SessionView as JSON, built once per commit. */
  async read(): Promise<string | null> {
    return this.#state === null ? null : this.#sessionViewJson(true);
  }

  /** Statement calls, rows read and written, and alarm writes since the object woke: what storage bills. */
  async storageCounts(): Promise<StorageCounts> {
    return { ...this.#sql.counts };
  }

  /** The latest `limit` turns, oldest first, folded from the whole log (src/domain/turns.ts). */
  async turns(limit: number): Promise<TurnsReply | null> {
    if (this.#state === null) return null;
    const now = Date.now();
    const turns = turnsOfLog(this.#store.entriesAfter(0)).slice(-limit);
    return { threadId: this.#key.threadId, epoch: this.#currentEpoch, turns: turns.map((turn) => turnView(turn, now)) };
  }

  /** A page of this life's log; `epoch-changed` when `after` names another life (deleted and begun again). */
  async listEvents(after: ResumeFrom, limit: number): Promise<EventPageText | EpochChanged | null> {
    if (this.#state === null) return null;
    const epoch = this.#currentEpoch;
    if (after.epoch !== null && after.epoch !== epoch) return { epochChanged: true, epoch };
    const entries = this.#store.readEntries(after.seq, limit, PAGE_MAX_BYTES);
    const last = entries.at(-1);
    const nextAfter = last !== undefined && last.seq < this.#state.lastSeq ? last.seq : null;
    return { json: eventPageJson(epoch, entries, nextAfter) };
  }

  /**
   * Opens a live subscription: `/live` a hibernatable WebSocket, `/stream` Server-Sent Events. The snapshot and
   * the backlog are read and the subscriber attached in one turn, so no commit falls between them.
   */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const grant = readGrant(url.searchParams);
    const cap = capReached(this.#live, grant);
    if (cap !== null) return new Response(cap, { status: 429 });
    const state = this.#state;
    const { messages, closing } = openingMessages(
      {
        epoch: this.#epoch,
        lastSeq: state?.lastSeq ?? 0,
        view: state === null ? null : this.#sessionView(true),
        bytesAfter: (seq) => this.#store.bytesAfter(seq),
        entriesAfter: (seq) => this.#store.readEntries(seq, MAX_BACKLOG_ENTRIES, MAX_BACKLOG_BYTES),
      },
      resumePoint(url.searchParams),
    );
    const framing = url.searchParams.get("frames") === "commit" ? "commit" : "message";
    const response =
      url.pathname === "/live"
        ? this.#live.openWebSocket(messages, closing, grant, framing)
        : this.#live.openEventStream(messages, closing !== null, grant);
    // The alarm closes it when its read token expires or is revoked, even while the object hibernates.
    if (grant !== null) await this.#rearm();
    return response;
  }

  override async webSocketMessage(): Promise<void> {
    // Subscribers only listen; what they send is ignored.
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    acknowledgeClose(socket, code, reason);
    this.#live.forget();
  }

  /**
   * Deletes the whole session at once, after taking it out of the directory (so no entry outlives it); "unavailable"
   * when the directory could not be reached, and nothing was deleted.
   */
  async purge(): Promise<"purged" | "not-found" | "unavailable"> {
    if (this.#state === null) return "not-found";
    if (!(await this.#directoryLink.leave(this.#key.threadId))) return "unavailable";
    await this.#purge("deleted");
    return "purged";
  }

  /** At-least-once and idempotent: the domain decides from the state at the time the alarm runs. */
  override async alarm(): Promise<void> {
    await this.#checkReadGrants();
    const state = this.#state;
    if (state === null) {
      await this.#rearm({ alarmFired: true });
      return;
    }
    const { policy, webhook } = this.#config;
    const decision = onWake(state, policy, {
      now: Date.now(),
      threadId: this.#key.threadId,
      tenant: this.#key.tenant,
      eventId: crypto.randomUUID(),
      notify: webhook !== null,
      pendingNotification: this.#oldestPendingNotification,
    });
    if (decision.kind === "purge") {
      // Thrown, the alarm is retried with backoff until the directory can be told.
      if (!(await this.#directoryLink.leave(this.#key.threadId)))
        throw new Error("the directory is unavailable: purge postponed");
      await this.#purge("retention elapsed");
      return;
    }
    // Also re-arms when nothing was due: the alarm that woke the object may have come early.
    await this.#apply(decision.kind === "commit" ? decision.change : emptyChange("wake", state), {
      alarmFired: true,
    });
    await this.#deliverDueNotifications();
    await this.#directoryLink.send("retry");
  }

  /**
   * Closes the subscriptions whose read token no longer stands. The revocations live in the tenant's directory;
   * when it cannot be reached, the tokens are still checked for expiry, tenant and key, and again next wake.
   */
  async #checkReadGrants(): Promise<void> {
    if (!this.#live.hasGrants()) return;
    const revocations = await this.env.DIRECTORY.getByName(this.#key.tenant)
      .revocations()
      .catch(() => NO_REVOCATIONS);
    const now = Date.now();
    const facts = grantFacts(this.env, this.#key.tenant, revocations);
    this.#live.closeUnstanding((grant) => grantStanding(grant, facts, now), now);
  }

  /**
   * Loads the snapshot and folds the log's tail after it; when the snapshot is missing, older or unreadable while
   * the log exists, folds the whole log instead and stores the result.
   */
  async #load(schema: number): Promise<void> {
    migrateForward(this.#sql, schema, Date.now());
    this.#oldestPendingNotification = this.#store.oldestPendingNotification();
    this.#latestNotification = this.#store.latestNotification();
    this.#epoch = this.#store.loadEpoch();
    const snapshot = this.#store.loadSnapshot();
    this.#directoryFeed = snapshot.feed;
    if (snapshot.kind === "current") {
      this.#snapshotSeq = snapshot.state.lastSeq;
      this.#state = foldLog(this.#store.entriesAfter(snapshot.state.lastSeq), snapshot.state);
      return;
    }
    this.#state = initialSession;
    if (!this.#store.hasEntries()) return;
    const rebuilt = foldLog(this.#store.entriesAfter(0));
    await this.#apply({ ...emptyChange("rebuild", initialSession), state: rebuilt }, { rebuiltFrom: snapshot.kind });
  }

  /** Only the oldest pending notification is ever due, so a failed one holds the later ones back. */
  async #deliverDueNotifications(): Promise<void> {
    const webhook = this.#config.webhook;
    if (webhook === null) return;
    for (
      let due = dueDelivery(this.#oldestPendingNotification, Date.now());
      due !== null;
      due = dueDelivery(this.#oldestPendingNotification, Date.now())
    ) {
      const result = await deliverWebhook(webhook, due, Date.now());
      // The session may have been deleted while the request was in flight.
      if (this.#state === null) return;
      await this.#apply({
        ...emptyChange("delivery", this.#state),
        deliveries: [recordAttempt(due, Date.now(), result)],
      });
    }
  }

  /**
   * The one commit point of the session: writes the change in one transaction (or one statement), updates the
   * caches, hands the commit to the live subscribers, re-arms the alarm and logs what an operator searches for.
   * Every change to the session passes here; #purge deletes it, #rearm only moves the alarm.
   */
  async #apply(change: Change, context: CommitContext = {}): Promise<void> {
    // The directory hears of a change to a listed field, not of every event; usage goes with it, or when it is due.
    // A change of no state (a wake) queues only the usage's flush once it is due; the flush time is asked only then.
    const now = Date.now();
    const unchanged = change.state === change.before;
    const flushAt = unchanged ? usageFlushAt(this.#directoryFeed, change.state) : null;
    const queued =
      unchanged && (flushAt === null || flushAt > now)
        ? null
        : queueChange(this.#directoryFeed, this.#key.threadId, change.before, change.state, this.#config.policy, now);
    const writes = !writesNothing(change) || queued !== null;
    // Asked once here for the wake; the snapshot and the directory queue ask it inside the domain.
    const listedChanged = change.state !== change.before && listedFieldsDiffer(change.before, change.state);
    if (writes) this.#write(change, queued);
    this.#state = change.state;
    this.#currentView = null;
    this.#currentViewJson = null;
    if (queued !== null) this.#directoryFeed = queued;
    if (context.alarmFired === true) this.#alarmAt = null;
    if (change.notifications.length > 0 || change.deliveries.length > 0) {
      this.#oldestPendingNotification = this.#store.oldestPendingNotification();
      this.#latestNotification = this.#store.latestNotification();
    }
    // Handed to the hub before any await: a subscriber attaching next sees this commit in its backlog, and the hub
    // sends what it still holds to the earlier subscribers before it accepts one, so none gets a commit twice.
    if (writes && this.#live.size > 0) {
      const entries = change.entries.map((entry): LiveMessage => ({ type: "entry", entry }));
      this.#live.broadcast([...entries, { type: "session", session: this.#sessionView() }]);
    }
    if (this.#wakeMayMove(change, queued, context, listedChanged)) await this.#arm(change.state);
    if (writes && isLogWorthy(change)) this.#log(commitLogRecord(change, context.rebuiltFrom));
    // Ingest never waits on the directory; the alarm retries what this attempt does not deliver.
    if (queued !== null) void this.#directoryLink.send("queued");
  }

  /** Stores a change (and the directory summary it queued) atomically; synchronous, so nothing interleaves. */
  #write(change: Change, queued: DirectoryFeed | null): void {
    const first = this.#state === null;
    const epoch = this.#epoch ?? mintEpoch();
    // The snapshot's row holds the directory outbox too: a commit that changes either writes it once.
    const snapshot = first || queued !== null || snapshotDue(change, this.#snapshotSeq);
    const write = () => {
      if (first) createSchema(this.#sql, epoch);
      this.#store.appendEntries(change.entries);
      if (snapshot) this.#store.saveSnapshot(change.state, queued ?? this.#directoryFeed);
      for (const notification of change.notifications) this.#store.insertNotification(notification);
      for (const delivery of change.deliveries) this.#store.updateDelivery(delivery);
    };
    const oneStatement =
      !first &&
      !snapshot &&
      change.notifications.length === 0 &&
      change.deliveries.length === 0 &&
      SessionStore.appendStatements(change.entries) <= 1;
    // One statement is atomic by itself: a transaction around it would only add its own cost.
    if (oneStatement) write();
    else this.ctx.storage.transactionSync(write);
    this.#epoch = epoch;
    if (snapshot) this.#snapshotSeq = change.state.lastSeq;
  }

  /** Deletes the whole session at once: storage, alarm, caches; live subscribers are told and closed. */
  async #purge(reason: "deleted" | "retention elapsed"): Promise<void> {
    // deleteAll() also removes the alarm; the schema is recreated by the next write, not before.
    await this.ctx.storage.deleteAll();
    this.#state = null;
    this.#alarmAt = null;
    this.#oldestPendingNotification = null;
    this.#latestNotification = null;
    this.#directoryFeed = initialFeed;
    this.#epoch = null;
    this.#snapshotSeq = 0;
    this.#currentView = null;
    this.#currentViewJson = null;
    this.#live.closeAll({ type: "purged" }, "purged");
    this.#log({ message: "session purged", reason });
  }

  /** No change to the session, only to when it must wake (read tokens to check, an alarm that fired). */
  async #rearm(context: CommitContext = {}): Promise<void> {
    if (context.alarmFired === true) this.#alarmAt = null;
    await this.#arm(this.#state);
  }

  /**
   * What the directory acknowledged or failed, kept in memory only: the outbox is stored with the snapshot whenever
   * a summary is queued, and one stored as pending after it was delivered is sent again on the next wake, which the
   * directory finds unchanged.
   */
  async #recordDirectoryFeed(feed: DirectoryFeed): Promise<void> {
    this.#directoryFeed = feed;
    await this.#arm(this.#state);
    const change: Change = { ...emptyChange("directory", this.#state ?? initialSession), directoryFeed: feed };
    if (isLogWorthy(change)) this.#log(commitLogRecord(change));
  }

  /**
   * False for most events: when only the counters moved (the domain's deadlines count from activity, so they only
   * move later) and nothing else that wakes the object changed, the alarm already set still comes first.
   */
  #wakeMayMove(change: Change, queued: DirectoryFeed | null, context: CommitContext, listedChanged: boolean): boolean {
    return (
      context.alarmFired === true ||
      this.#alarmAt === null ||
      this.#alarmAt <= Date.now() ||
      queued !== null ||
      change.notifications.length > 0 ||
      change.deliveries.length > 0 ||
      change.directoryFeed !== undefined ||
      listedChanged ||
      // Usage not yet sent goes to the directory at the latest 30 s on, by the alarm (usageFlushAt).
      change.state.usageBuckets !== change.before.usageBuckets
    );
  }

  /** Writes the alarm only when the next wake moves earlier, or when the one set has come due (fired or firing). */
  async #arm(state: SessionState | null): Promise<void> {
    const now = Date.now();
    const others = {
      notificationAt: this.#oldestPendingNotification?.nextAttemptAt ?? null,
      readTokenCheckAt: this.#live.nextGrantCheckAt(now),
      directoryUpdateAt: earliestTime(
        this.#directoryFeed.nextAttemptAt,
        usageFlushAt(this.#directoryFeed, state ?? initialSession),
      ),
    };
    const wake = nextWake(state ?? initialSession, this.#config.policy, others);
    if (wake === null || !alarmNeedsWriting(this.#alarmAt, wake.at, now)) return;
    await this.ctx.storage.setAlarm(wake.at);
    this.#sql.alarmWritten();
    this.#alarmAt = wake.at;
  }

  /** Minted with the first stored event, so set whenever there is a session to show. */
  get #currentEpoch(): string {
    if (this.#epoch === null) throw new Error("a stored session without an epoch");
    return this.#epoch;
  }

  /** The view's JSON; `exact`: with the storage size read now (a GET), not up to a second old (an ingest's reply). */
  #sessionViewJson(exact = false): string {
    if (this.#currentViewJson === null || (exact && !this.#currentViewExact)) {
      this.#currentViewJson = JSON.stringify(this.#sessionView(exact));
    }
    return this.#currentViewJson;
  }

  /**
   * The view of the current state, built at most once per commit (twice when a read wants the exact storage size).
   * The database's size costs about as much to read as the rest of a small ingest (measured under workerd with its
   * files on disk): an ingest's reply and the live stream carry it up to a second old, a GET reads it.
   */
  #sessionView(exact = false): SessionView {
    if (this.#currentView !== null && (this.#currentViewExact || !exact)) return this.#currentView;
    const now = performance.now();
    const stale = this.#storageBytesAt === null || now - this.#storageBytesAt >= STORAGE_BYTES_MAX_AGE_MS;
    if (exact || stale) {
      this.#storageBytesRead = this.ctx.storage.sql.databaseSize;
      this.#storageBytesAt = now;
    }
    const projected = sessionView(
      this.#key.threadId,
      this.#state ?? initialSession,
      this.#config.policy,
      this.#latestNotification,
      this.#storageBytesRead,
    );
    this.#currentView = { ...projected, epoch: this.#currentEpoch };
    this.#currentViewJson = null;
    this.#currentViewExact = exact || stale;
    return this.#currentView;
  }

  /** One JSON line per record for Workers Logs; never carries a token. */
  #log(record: Record<string, unknown>): void {
    console.log(JSON.stringify({ ...record, tenant: this.#key.tenant, threadId: this.#key.threadId }));
  }
}

interface CommitContext {
  /** The change was made by the alarm, which the runtime consumed when it fired (even early): it must be set anew. */
  alarmFired?: boolean;
  /** Why the snapshot was rebuilt from the log. */
  rebuiltFrom?: string;
}

/** The unique index's answer to an eventId already stored: SQLite's constraint error, as workerd throws it. */
function isUniqueViolation(error: unknown): boolean {
  return String(error).includes("UNIQUE constraint failed");
}

/** A short random id for this life of the session. */
function mintEpoch(): string {
  const [high = 0, low = 0] = crypto.getRandomValues(new Uint32Array(2));
  return `${high.toString(36)}${low.toString(36)}`;
}
