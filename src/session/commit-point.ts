/**
 * The session's one commit point and what it keeps between requests: the state folded from the log, the epoch, the
 * caches, the alarm, the directory outbox and the live readers. Every change to the session passes through `apply`;
 * `purge` deletes it, `rearm` only moves the alarm. The Durable Object (session-object.ts) is the entry points only.
 */
import { parseSessionConfig, type SessionConfig } from "../config-session.ts";
import { memoizedByEnv } from "../config-source.ts";
import { type Change, emptyChange, writesNothing } from "../domain/change.ts";
import { type DirectoryFeed, initialFeed, queueChange, usageFlushAt } from "../domain/directory.ts";
import { foldLog } from "../domain/event-log.ts";
import type { Notification } from "../domain/notification.ts";
import { nextWake } from "../domain/reaping.ts";
import { initialSession, type SessionState } from "../domain/session.ts";
import { sessionView } from "../domain/session-view.ts";
import { listedFieldsDiffer, snapshotDue } from "../domain/snapshot.ts";
import { earliestTime } from "../domain/wake.ts";
import { SqlMeter } from "../sql-meter.ts";
import { AlarmKeeper } from "./alarm-keeper.ts";
import { mintEpoch, writeChange } from "./change-writer.ts";
import { commitLogRecord, isLogWorthy } from "./commit-log.ts";
import { DirectoryLink } from "./directory-link.ts";
import { migrateForward } from "./schema.ts";
import type { SessionKey } from "./session-key.ts";
import { SessionReaders } from "./session-readers.ts";
import { SessionStore } from "./store.ts";
import { ViewCache } from "./view-cache.ts";

const sessionConfig = memoizedByEnv(parseSessionConfig);

export interface CommitContext {
  /** The change was made by the alarm, which the runtime consumed when it fired (even early): it must be set anew. */
  alarmFired?: boolean;
  /** Why the snapshot was rebuilt from the log. */
  rebuiltFrom?: string;
}

export class SessionCommitPoint {
  readonly sql: SqlMeter;
  readonly store: SessionStore;
  readonly readers: SessionReaders;
  readonly views: ViewCache;
  readonly directoryLink: DirectoryLink;
  readonly #storage: DurableObjectStorage;
  readonly #env: Env;
  readonly #key: SessionKey;
  readonly #alarm: AlarmKeeper;
  /** This life of the threadId, minted with its first stored event; null while there is none. */
  #epoch: string | null = null;
  /** null while the object has no storage: never written, or purged. */
  #state: SessionState | null = null;
  /** The last seq the stored snapshot covers: the log after it is folded on wake. */
  #snapshotSeq = 0;
  #oldestPendingNotification: Notification | null = null;
  #latestNotification: Notification | null = null;
  #directoryFeed: DirectoryFeed = initialFeed;

  constructor(ctx: DurableObjectState, env: Env, key: SessionKey) {
    this.#storage = ctx.storage;
    this.#env = env;
    this.#key = key;
    this.sql = new SqlMeter(ctx.storage.sql);
    this.store = new SessionStore(this.sql);
    this.#alarm = new AlarmKeeper(ctx.storage, this.sql);
    this.directoryLink = new DirectoryLink({
      directory: () => env.DIRECTORY.getByName(key.tenant),
      feed: () => (this.#state === null ? null : this.#directoryFeed),
      record: (next) => this.#recordDirectoryFeed(next),
      log: (record) => this.log(record),
    });
    this.views = new ViewCache(
      () => ctx.storage.sql.databaseSize,
      (storageBytes) => ({
        ...sessionView(
          key.threadId,
          this.#state ?? initialSession,
          this.config.policy,
          this.#latestNotification,
          storageBytes,
        ),
        epoch: this.currentEpoch,
      }),
    );
    this.readers = new SessionReaders(ctx, {
      store: this.store,
      epoch: () => this.#epoch,
      lastSeq: () => this.#state?.lastSeq ?? 0,
      view: () => (this.#state === null ? null : this.views.view(true)),
    });
  }

  /** Parsed once per env; the Worker refuses requests under a bad configuration before they get here. */
  get config(): SessionConfig {
    return sessionConfig(this.#env);
  }

  /** null while the object has no storage: never written, or purged. */
  get state(): SessionState | null {
    return this.#state;
  }

  get oldestPendingNotification(): Notification | null {
    return this.#oldestPendingNotification;
  }

  /** Minted with the first stored event, so set whenever there is a session to show. */
  get currentEpoch(): string {
    if (this.#epoch === null) throw new Error("a stored session without an epoch");
    return this.#epoch;
  }

  /** Whether an update stored as pending may not have reached the directory before an eviction. */
  get directoryUpdateCutShort(): boolean {
    return this.#directoryFeed.pending !== null && this.#directoryFeed.nextAttemptAt === null;
  }

  /**
   * Loads the alarm, the snapshot and the log's tail after it (folded); when the snapshot is missing, older or
   * unreadable while the log exists, folds the whole log instead and stores the result.
   */
  async load(schema: number): Promise<void> {
    await this.#alarm.load();
    if (schema === 0) return;
    migrateForward(this.sql, schema, Date.now());
    this.#oldestPendingNotification = this.store.oldestPendingNotification();
    this.#latestNotification = this.store.latestNotification();
    this.#epoch = this.store.loadEpoch();
    const snapshot = this.store.loadSnapshot();
    this.#directoryFeed = snapshot.feed;
    if (snapshot.kind === "current") {
      this.#snapshotSeq = snapshot.state.lastSeq;
      this.#state = foldLog(this.store.entriesAfter(snapshot.state.lastSeq), snapshot.state);
      return;
    }
    this.#state = initialSession;
    if (!this.store.hasEntries()) return;
    const rebuilt = foldLog(this.store.entriesAfter(0));
    await this.apply({ ...emptyChange("rebuild", initialSession), state: rebuilt }, { rebuiltFrom: snapshot.kind });
  }

  /**
   * Writes the change in one transaction (or one statement), updates the caches, hands the commit to the live
   * readers, re-arms the alarm and logs what an operator searches for.
   */
  async apply(change: Change, context: CommitContext = {}): Promise<void> {
    // The directory hears of a change to a listed field, not of every event; usage goes with it, or when it is due.
    // A change of no state (a wake) queues only the usage's flush once it is due; the flush time is asked only then.
    const now = Date.now();
    const unchanged = change.state === change.before;
    const flushAt = unchanged ? usageFlushAt(this.#directoryFeed, change.state) : null;
    const queued =
      unchanged && (flushAt === null || flushAt > now)
        ? null
        : queueChange(this.#directoryFeed, this.#key.threadId, change.before, change.state, this.config.policy, now);
    const writes = !writesNothing(change) || queued !== null;
    // Asked once here for the wake; the snapshot and the directory queue ask it inside the domain.
    const listedChanged = change.state !== change.before && listedFieldsDiffer(change.before, change.state);
    if (writes) this.#write(change, queued);
    this.#state = change.state;
    this.views.invalidate();
    if (queued !== null) this.#directoryFeed = queued;
    if (context.alarmFired === true) this.#alarm.cleared();
    if (change.notifications.length > 0 || change.deliveries.length > 0) {
      this.#oldestPendingNotification = this.store.oldestPendingNotification();
      this.#latestNotification = this.store.latestNotification();
    }
    // Handed to the readers before any await (see SessionReaders.committed).
    if (writes) this.readers.committed(change.entries, () => this.views.view());
    if (context.alarmFired === true || this.#alarm.mayMove(change, queued, listedChanged, Date.now())) {
      await this.#arm(change.state);
    }
    if (writes && isLogWorthy(change)) this.log(commitLogRecord(change, context.rebuiltFrom));
    // Ingest never waits on the directory; the alarm retries what this attempt does not deliver.
    if (queued !== null) void this.directoryLink.send("queued");
  }

  /** Stores a change (and the directory summary it queued) atomically; synchronous, so nothing interleaves. */
  #write(change: Change, queued: DirectoryFeed | null): void {
    const first = this.#state === null;
    const epoch = this.#epoch ?? mintEpoch();
    // The snapshot's row holds the directory outbox too: a commit that changes either writes it once.
    const snapshot = first || queued !== null || snapshotDue(change, this.#snapshotSeq);
    const feed = snapshot ? (queued ?? this.#directoryFeed) : null;
    writeChange(this.#storage, this.sql, this.store, change, { first, epoch, snapshot: feed });
    this.#epoch = epoch;
    if (snapshot) this.#snapshotSeq = change.state.lastSeq;
  }

  /** Deletes the whole session at once: storage, alarm, caches; live readers are told and closed. */
  async purge(reason: "deleted" | "retention elapsed"): Promise<void> {
    // deleteAll() also removes the alarm; the schema is recreated by the next write, not before.
    await this.#storage.deleteAll();
    this.readers.purged();
    this.#state = null;
    this.#alarm.cleared();
    this.#oldestPendingNotification = null;
    this.#latestNotification = null;
    this.#directoryFeed = initialFeed;
    this.#epoch = null;
    this.#snapshotSeq = 0;
    this.views.invalidate();
    this.log({ message: "session purged", reason });
  }

  /** No change to the session, only to when it must wake (read tokens to check, an alarm that fired). */
  async rearm(context: CommitContext = {}): Promise<void> {
    if (context.alarmFired === true) this.#alarm.cleared();
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
    if (isLogWorthy(change)) this.log(commitLogRecord(change));
  }

  /** Applies the domain's next wake: the alarm is written only when that moves earlier, or the one set came due. */
  async #arm(state: SessionState | null): Promise<void> {
    const now = Date.now();
    const others = {
      notificationAt: this.#oldestPendingNotification?.nextAttemptAt ?? null,
      readTokenCheckAt: this.readers.subscribers.nextGrantCheckAt(now),
      directoryUpdateAt: earliestTime(
        this.#directoryFeed.nextAttemptAt,
        usageFlushAt(this.#directoryFeed, state ?? initialSession),
      ),
    };
    await this.#alarm.set(nextWake(state ?? initialSession, this.config.policy, others)?.at ?? null, now);
  }

  /** One JSON line per record for Workers Logs; never carries a token. */
  log(record: Record<string, unknown>): void {
    console.log(JSON.stringify({ ...record, tenant: this.#key.tenant, threadId: this.#key.threadId }));
  }
}
