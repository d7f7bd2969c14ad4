/**
 * The tenant directory: one SQLite-backed object per tenant, fed by the sessions' commit points when a listed
 * field changes, listed newest activity first, and streamed as upserts and removals by version.
 */
import { DurableObject } from "cloudflare:workers";
import { fromBase64url, toBase64url } from "../base64url.ts";
import type { DirectoryMessage, DirectoryPage, DirectoryWrite, SessionSummary } from "../contracts/directory.ts";
import type { UsageRow } from "../contracts/usage.ts";
import type { Revocations } from "../domain/read-grants.ts";
import type { UsageBucket } from "../domain/usage-buckets.ts";
import { alarmNeedsWriting, earliestTime } from "../domain/wake.ts";
import { closeLapsedReaders } from "../live/grant.ts";
import { LiveHub } from "../live/hub.ts";
import { type LogSource, LogTail } from "../live/log-tail.ts";
import { directoryOffset } from "../live/offsets.ts";
import { acknowledgeClose } from "../live/sockets.ts";
import { Subscribers } from "../live/subscribers.ts";
import { earlierWorker, type SubscriptionRequest, subscriptionOf } from "../live/subscription-request.ts";
import { SqlMeter, type StorageCounts } from "../sql-meter.ts";
import { DirectoryStore, type ListFilter, type PagePosition, type StoredChange } from "./directory-store.ts";
import { RevocationStore } from "./revocation-store.ts";
import { TenantUsage } from "./tenant-usage.ts";
import type { UsageQuery } from "./usage-store.ts";

/** Changes sent to a subscriber on connect; further behind, it is told to list again (`reset`). */
const MAX_REPLAY = 1000;
/** A `/v1/directory/log` page holds up to this many changes. */
const LOG_PAGE_CHANGES = 1000;
/** The rollups' days past USAGE_RETENTION_DAYS are dropped every this many versions, not at each write. */
const USAGE_PRUNE_EVERY = 100;

export type DirectoryListing = { ok: true; page: DirectoryPage } | { ok: false; reason: "bad-cursor" };

export class DirectoryObject extends DurableObject<Env> {
  readonly #sql: SqlMeter;
  readonly #store: DirectoryStore;
  readonly #revocations: RevocationStore;
  readonly #usage: TenantUsage;
  readonly #subscribers: Subscribers;
  readonly #live: LiveHub<DirectoryMessage>;
  readonly #log: LogTail<number, number>;
  #version: number;
  /** The alarm as last set (undefined until read); written only when the next check moves earlier. */
  #alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = new SqlMeter(ctx.storage.sql);
    this.#store = new DirectoryStore(this.#sql);
    this.#revocations = new RevocationStore(ctx.storage.sql);
    this.#usage = new TenantUsage(this.#sql, env, () => this.#tenant);
    this.#version = this.#store.version();
    this.#subscribers = new Subscribers(ctx);
    this.#live = new LiveHub<DirectoryMessage>(this.#subscribers, (message) =>
      message.type === "upsert" || message.type === "remove" ? String(message.version) : null,
    );
    this.#log = new LogTail(this.#subscribers, this.#changeLog());
  }

  /** Statement calls, rows read and written, and alarm writes since the object woke: what storage bills. */
  async storageCounts(): Promise<StorageCounts> {
    return { ...this.#sql.counts };
  }

  /**
   * Last writer wins: each session sends its updates one at a time, in order, with the usage buckets that changed
   * since the last one it had acknowledged (absolute figures, so a resend writes the same rows again).
   */
  async upsert(
    summary: SessionSummary,
    maybeHeld = true,
    usage: readonly UsageBucket[] | null = null,
  ): Promise<DirectoryWrite> {
    const buckets = usage ?? [];
    let alerted = false;
    const applyUsage = () => {
      alerted = this.#usage.apply(summary.threadId, buckets);
    };
    // A resend after a wake or a failure, unchanged: a read, not three rows written and a broadcast.
    const result =
      maybeHeld && this.#store.holds(summary)
        ? buckets.length === 0
          ? { ok: true as const, version: this.#version }
          : this.#writeUsage(applyUsage)
        : this.#write(
            (version) => {
              this.#store.upsert(version, summary);
              applyUsage();
              if (version % USAGE_PRUNE_EVERY === 0) this.#usage.prune(Date.now());
            },
            { type: "upsert", session: summary },
          );
    // The alarm delivers it, and retries it as a session's outbox does.
    if (alerted) await this.#arm();
    return result;
  }

  get #tenant(): string {
    return this.ctx.id.name ?? "";
  }

  /** The tenant's usage summed over the query's days and grouped by its dimensions (docs/usage.md). */
  async usage(query: UsageQuery): Promise<{ rows: UsageRow[]; totals: UsageRow }> {
    return this.#usage.read(query);
  }

  #writeUsage(apply: () => void): DirectoryWrite {
    try {
      this.ctx.storage.transactionSync(apply);
    } catch (error) {
      return { ok: false, error: String(error) };
    }
    return { ok: true, version: this.#version };
  }

  async remove(threadId: string): Promise<DirectoryWrite> {
    if (!this.#store.has(threadId)) return { ok: true, version: this.#version };
    return this.#write((version) => this.#store.remove(version, threadId), { type: "remove", threadId });
  }

  /** The one place the directory changes: one transaction, the version, the broadcast. */
  #write(
    apply: (version: number) => void,
    message: { type: "upsert"; session: SessionSummary } | { type: "remove"; threadId: string },
  ): DirectoryWrite {
    const version = this.#version + 1;
    try {
      this.ctx.storage.transactionSync(() => apply(version));
    } catch (error) {
      return { ok: false, error: String(error) };
    }
    this.#version = version;
    this.#live.broadcast([{ ...message, version }]);
    this.#log.committed();
    return { ok: true, version };
  }

  async list(filter: ListFilter, cursor: string | null, limit: number): Promise<DirectoryListing> {
    const after = cursor === null ? null : decodeCursor(cursor);
    if (after === undefined) return { ok: false, reason: "bad-cursor" };
    const rows = this.#store.list(filter, after, limit + 1);
    const sessions = rows.slice(0, limit);
    const last = sessions.at(-1);
    const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(last) : null;
    return { ok: true, page: { sessions, nextCursor, version: this.#version } };
  }

  /**
   * A live read: `/live` (WebSocket) or `/stream` (SSE) of change messages from a version, or a Durable Streams read
   * of the change log from an offset (`/v1/directory/log`).
   */
  override async fetch(request: Request): Promise<Response> {
    const subscription: SubscriptionRequest<number, number> | null = subscriptionOf(request);
    if (subscription === null) return earlierWorker();
    // Every change goes to every subscriber: their count bounds what one change costs the tenant's object. The log
    // counts its own, the readers that stay (log-tail.ts).
    const refusal = subscription.transport === "log" ? null : this.#subscribers.refusalOverCap(subscription.grant);
    if (refusal !== null) return refusal;
    const answer =
      subscription.transport === "log"
        ? this.#log.read(subscription.read, subscription.grant)
        : subscription.transport === "websocket"
          ? this.#live.openWebSocket(this.#opening(subscription.resume), null, subscription.grant)
          : this.#live.openEventStream(this.#opening(subscription.resume), false, subscription.grant);
    // The alarm closes it when its read token expires or is revoked, even while the object hibernates.
    if (subscription.grant !== null) await this.#arm();
    return answer;
  }

  /**
   * The change log as the Durable Streams reader reads it. The directory keeps a window of recent changes: offset -1
   * is the oldest it still keeps, and an offset before that is gone (410).
   */
  #changeLog(): LogSource<number, number> {
    const floor = () => {
      const oldest = this.#store.oldestVersion();
      return oldest === 0 ? this.#version : oldest - 1;
    };
    return {
      resolve: (start) => {
        if (start.kind === "beginning") return floor();
        if (start.kind === "now") return this.#version;
        if (start.position > this.#version) return "beyond";
        return start.position < floor() ? "gone" : start.position;
      },
      tail: () => this.#version,
      offsetOf: directoryOffset,
      readAfter: (version) => {
        const changes = this.#store.changesAfter(version, LOG_PAGE_CHANGES);
        return {
          items: changes.map((change) => JSON.stringify(toMessage(change))),
          end: changes.at(-1)?.version ?? version,
        };
      },
    };
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    acknowledgeClose(socket, code, reason);
    this.#subscribers.forget();
  }

  /** The tenant's read-token revocations, for the Worker and the session objects to check tokens against. */
  async revocations(): Promise<Revocations> {
    return this.#revocations.load(Date.now());
  }

  /** Revokes every read token of the tenant minted up to now; the directory's own subscribers close at once. */
  async revokeAll(): Promise<Revocations> {
    this.#revocations.revokeUpTo(Date.now());
    return this.#closeRevoked();
  }

  /** Revokes one read token (kept until it would have expired anyway). */
  async revokeToken(jti: string, expiresAt: number): Promise<Revocations> {
    this.#revocations.revokeToken(jti, expiresAt, Date.now());
    return this.#closeRevoked();
  }

  /** Checks the read tokens of the subscribers, and wakes again while any has one. */
  override async alarm(): Promise<void> {
    await this.#usage.deliverDue();
    this.#closeRevoked();
    this.#alarmAt = null;
    await this.#arm();
  }

  #closeRevoked(): Revocations {
    const revocations = this.#revocations.load(Date.now());
    closeLapsedReaders(this.#subscribers, this.env, this.#tenant, revocations);
    return revocations;
  }

  async #arm(): Promise<void> {
    const now = Date.now();
    const wakeAt = earliestTime(this.#subscribers.nextGrantCheckAt(now), this.#usage.nextDeliveryAt());
    this.#alarmAt ??= await this.ctx.storage.getAlarm();
    if (wakeAt === null || !alarmNeedsWriting(this.#alarmAt, wakeAt, now)) return;
    await this.ctx.storage.setAlarm(wakeAt);
    this.#sql.alarmWritten();
    this.#alarmAt = wakeAt;
  }

  #opening(after: number | null): DirectoryMessage[] {
    const version = this.#version;
    if (after === null) return [{ type: "synchronized", version }];
    const tooOld = after < this.#store.oldestVersion() - 1 || version - after > MAX_REPLAY;
    if (tooOld || after > version)
      return [
        { type: "reset", version },
        { type: "synchronized", version },
      ];
    const changes = this.#store.changesAfter(after, MAX_REPLAY).map(toMessage);
    return [...changes, { type: "synchronized", version }];
  }
}

function toMessage(change: StoredChange): DirectoryMessage {
  return change.summary === null
    ? { type: "remove", version: change.version, threadId: change.threadId }
    : { type: "upsert", version: change.version, session: change.summary };
}

function encodeCursor(summary: SessionSummary): string {
  const position: PagePosition = {
    lastEventAt: summary.lastEventAt === null ? 0 : Date.parse(summary.lastEventAt),
    threadId: summary.threadId,
  };
  return toBase64url(new TextEncoder().encode(JSON.stringify(position)));
}

/** undefined when the cursor is not one this directory wrote. */
function decodeCursor(cursor: string): PagePosition | undefined {
  const bytes = fromBase64url(cursor);
  if (bytes === null) return undefined;
  try {
    const position = JSON.parse(new TextDecoder().decode(bytes)) as Partial<PagePosition>;
    if (typeof position.lastEventAt !== "number" || typeof position.threadId !== "string") return undefined;
    return { lastEventAt: position.lastEventAt, threadId: position.threadId };
  } catch {
    return undefined;
  }
}
