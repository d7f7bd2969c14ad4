/**
 * The session Durable Object: its entry points (ingest, reads, live readers, purge, the alarm). Each reads, asks the
 * domain what to change, and hands the change to the one commit point (commit-point.ts), which keeps the state.
 */
import { DurableObject } from "cloudflare:workers";
import type { TurnsReply } from "../contracts/usage.ts";
import { emptyChange } from "../domain/change.ts";
import { type BatchDecision, decideBatch, NOTHING_STORED, withAttentionNotice } from "../domain/ingest.ts";
import { NO_REVOCATIONS } from "../domain/read-grants.ts";
import { initialSession } from "../domain/session.ts";
import type { ResumeFrom } from "../domain/subscription.ts";
import { withUsageThresholdNotice } from "../domain/usage-alerts.ts";
import { onWake } from "../domain/wake.ts";
import { closeLapsedReaders } from "../live/grant.ts";
import { acknowledgeClose } from "../live/sockets.ts";
import { earlierWorker, subscriptionOf } from "../live/subscription-request.ts";
import { priceUsage } from "../pricing/price-table.ts";
import type { StorageCounts } from "../sql-meter.ts";
import { SessionCommitPoint } from "./commit-point.ts";
import { type IngestResult, incomingBatch, isUniqueViolation, storedIdsOf } from "./ingest-batch.ts";
import { schemaVersion } from "./schema.ts";
import { parseSessionObjectName, type SessionKey } from "./session-key.ts";
import type { EpochChanged, EventPageText, SessionSubscription } from "./session-readers.ts";
import { deliverDueNotifications } from "./webhook.ts";

export class SessionObject extends DurableObject<Env> {
  readonly #key: SessionKey;
  readonly #session: SessionCommitPoint;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#key = parseSessionObjectName(ctx.id.name);
    this.#session = new SessionCommitPoint(ctx, env, this.#key);
    ctx.blockConcurrencyWhile(async () => {
      await this.#session.load(schemaVersion(this.#session.sql));
      // An update cut short by an eviction goes out again now that the object is awake.
      if (this.#session.directoryUpdateCutShort) void this.#session.directoryLink.send("resend");
    });
  }

  /**
   * Applies a batch in one transaction: every event is stored (or found a duplicate), or none is. `texts` are the
   * events' JSON texts as received, already checked by the Worker. The first attempt assumes no eventId is stored
   * and lets the unique index say otherwise: a first-time event costs one INSERT and no read.
   */
  async ingest(texts: readonly string[]): Promise<IngestResult> {
    const batch = incomingBatch(texts);
    const state = this.#session.state ?? initialSession;
    const now = Date.now();
    try {
      return await this.#applyBatch(decideBatch(state, batch, NOTHING_STORED, now, priceUsage), now);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    // Rolled back whole: decided again with the stored ids, so seqs stay gap-free and no duplicate is folded.
    const stored = storedIdsOf(this.#session.store, batch);
    return this.#applyBatch(decideBatch(state, batch, stored, now, priceUsage), now);
  }

  async #applyBatch(decision: BatchDecision, now: number): Promise<IngestResult> {
    if (decision.kind === "conflict") return { ok: false, conflicts: decision.conflicts };
    const { webhook, usageAlertUsd } = this.#session.config;
    const context = { tenant: this.#key.tenant, threadId: this.#key.threadId, now };
    const change =
      webhook === null
        ? decision.change
        : withUsageThresholdNotice(
            withAttentionNotice(decision.change, { ...context, notificationId: crypto.randomUUID() }),
            { ...context, notificationId: crypto.randomUUID(), thresholdUsd: usageAlertUsd },
          );
    await this.#session.apply(change);
    const session = this.#session.views.json();
    return { ok: true, json: `{"session":${session},"results":${JSON.stringify(decision.results)}}` };
  }

  /** The SessionView as JSON, built once per commit. */
  async read(): Promise<string | null> {
    return this.#session.state === null ? null : this.#session.views.json(true);
  }

  /** Statement calls, rows read and written, and alarm writes since the object woke: what storage bills. */
  async storageCounts(): Promise<StorageCounts> {
    return { ...this.#session.sql.counts };
  }

  async turns(limit: number): Promise<TurnsReply | null> {
    if (this.#session.state === null) return null;
    return this.#session.readers.turns(this.#key.threadId, this.#session.currentEpoch, limit);
  }

  async listEvents(after: ResumeFrom, limit: number): Promise<EventPageText | EpochChanged | null> {
    if (this.#session.state === null) return null;
    return this.#session.readers.eventsPage(this.#session.currentEpoch, after, limit);
  }

  /**
   * Opens a live read: a hibernatable WebSocket, Server-Sent Events, or a Durable Streams read of the log. The
   * backlog is read and the reader attached in one turn, so no commit falls between them.
   */
  override async fetch(request: Request): Promise<Response> {
    const subscription: SessionSubscription | null = subscriptionOf(request);
    if (subscription === null) return earlierWorker();
    const answer = this.#session.readers.open(subscription);
    // The alarm closes it when its read token expires or is revoked, even while the object hibernates.
    if (subscription.grant !== null) await this.#session.rearm();
    return answer;
  }

  override async webSocketMessage(): Promise<void> {
    // Subscribers only listen; what they send is ignored.
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    acknowledgeClose(socket, code, reason);
    this.#session.readers.subscribers.forget();
  }

  /**
   * Deletes the whole session at once, after taking it out of the directory (so no entry outlives it); "unavailable"
   * when the directory could not be reached, and nothing was deleted.
   */
  async purge(): Promise<"purged" | "not-found" | "unavailable"> {
    if (this.#session.state === null) return "not-found";
    if (!(await this.#session.directoryLink.leave(this.#key.threadId))) return "unavailable";
    await this.#session.purge("deleted");
    return "purged";
  }

  /** At-least-once and idempotent: the domain decides from the state at the time the alarm runs. */
  override async alarm(): Promise<void> {
    const { readers } = this.#session;
    // The revocations live in the tenant's directory; when it cannot be reached, the read tokens are still checked
    // for expiry, tenant and key, and again next wake.
    if (readers.subscribers.hasGrants()) {
      const revocations = await this.env.DIRECTORY.getByName(this.#key.tenant)
        .revocations()
        .catch(() => NO_REVOCATIONS);
      closeLapsedReaders(readers.subscribers, this.env, this.#key.tenant, revocations);
    }
    const state = this.#session.state;
    if (state === null) {
      await this.#session.rearm({ alarmFired: true });
      return;
    }
    const { policy, webhook } = this.#session.config;
    const decision = onWake(state, policy, {
      now: Date.now(),
      threadId: this.#key.threadId,
      tenant: this.#key.tenant,
      eventId: crypto.randomUUID(),
      notify: webhook !== null,
      pendingNotification: this.#session.oldestPendingNotification,
    });
    if (decision.kind === "purge") {
      // Thrown, the alarm is retried with backoff until the directory can be told.
      if (!(await this.#session.directoryLink.leave(this.#key.threadId)))
        throw new Error("the directory is unavailable: purge postponed");
      await this.#session.purge("retention elapsed");
      return;
    }
    // Also re-arms when nothing was due: the alarm that woke the object may have come early.
    const change = decision.kind === "commit" ? decision.change : emptyChange("wake", state);
    await this.#session.apply(change, { alarmFired: true });
    if (webhook !== null) {
      await deliverDueNotifications(
        webhook,
        () => this.#session.oldestPendingNotification,
        async (attempt) => {
          const current = this.#session.state;
          // The session may have been deleted while the request was in flight.
          if (current === null) return false;
          await this.#session.apply({ ...emptyChange("delivery", current), deliveries: [attempt] });
          return true;
        },
      );
    }
    await this.#session.directoryLink.send("retry");
  }
}
