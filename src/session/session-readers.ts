/**
 * A session's live readers, over its log: message streams (a hibernatable WebSocket at `/live`, Server-Sent Events at
 * `/stream`) and the Durable Streams reads of `/log` (catch-up, long-poll, SSE). The object hands it each commit and
 * its purge; the reads run synchronously in the turn they arrive, so no commit falls between a backlog and the tail.
 */
import type { SessionView } from "../contracts/replies.ts";
import type { TurnsReply } from "../contracts/usage.ts";
import type { StoredEntry } from "../domain/event-log.ts";
import { eventPageJson, logEntryJson } from "../domain/session-view.ts";
import { MAX_BACKLOG_BYTES, MAX_BACKLOG_ENTRIES, type ResumeFrom } from "../domain/subscription.ts";
import { turnsOfLog, turnView } from "../domain/turns.ts";
import { LiveHub } from "../live/hub.ts";
import { type LogSource, LogTail } from "../live/log-tail.ts";
import { type SessionPosition, sessionOffset } from "../live/offsets.ts";
import { Subscribers } from "../live/subscribers.ts";
import type { LogStart, SubscriptionRequest } from "../live/subscription-request.ts";
import { type LiveMessage, liveMessageJson, openingMessages } from "./live-opening.ts";
import type { SessionStore } from "./store.ts";

/** A `/log` page: entries up to this many, and this many bytes of events (always at least one entry). */
export const LOG_PAGE_ENTRIES = 1000;
export const LOG_PAGE_BYTES = 2 * 1024 * 1024;

/** The session as its readers see it, read in the turn a reader attaches or a commit is handed over. */
export interface SessionLog {
  readonly store: SessionStore;
  /** null while there is no session (never written, or purged). */
  epoch(): string | null;
  lastSeq(): number;
  view(): SessionView | null;
}

/**
 * The stored bytes one page of `/events` may carry (it always carries one entry): an RPC reply is limited to 32 MiB,
 * and a page's events can take up to twice their UTF-8 bytes there.
 */
export const PAGE_MAX_BYTES = 8 * 1024 * 1024;

/** A page of the log as the EventPage JSON, built where the stored texts are. */
export interface EventPageText {
  json: string;
}

/** `after` named another life of the threadId than the current one (`epoch`). */
export interface EpochChanged {
  epochChanged: true;
  epoch: string;
}

export type SessionSubscription = SubscriptionRequest<ResumeFrom, SessionPosition>;

export class SessionReaders {
  readonly subscribers: Subscribers;
  readonly #log: SessionLog;
  readonly #hub: LiveHub<LiveMessage>;
  readonly #tail: LogTail<SessionPosition, number>;

  constructor(ctx: DurableObjectState, log: SessionLog) {
    this.#log = log;
    this.subscribers = new Subscribers(ctx);
    this.#hub = new LiveHub<LiveMessage>(
      this.subscribers,
      (message) => (message.type === "entry" ? `${log.epoch() ?? ""}:${message.entry.seq}` : null),
      // A frame of several commits carries the session as of its last one: the earlier views add nothing.
      { supersedes: (message) => message.type === "session", serialize: liveMessageJson },
    );
    this.#tail = new LogTail(this.subscribers, sessionLogSource(log));
  }

  /**
   * Opens a reader; a 429 (with the cap's name) when the object or the read token holds too many readers that stay
   * (a socket, an event stream, a waiting long-poll; a catch-up read takes no place).
   */
  open(request: SessionSubscription): Response | Promise<Response> {
    if (request.transport === "log") {
      // The log of no session is no log: 404 (the message streams, by contrast, may wait for a session to begin).
      if (this.#log.epoch() === null) return new Response("no session", { status: 404 });
      return this.#tail.read(request.read, request.grant);
    }
    const refusal = this.subscribers.refusalOverCap(request.grant);
    if (refusal !== null) return refusal;
    const { messages, closing } = openingMessages(
      {
        epoch: this.#log.epoch(),
        lastSeq: this.#log.lastSeq(),
        view: this.#log.view(),
        bytesAfter: (seq) => this.#log.store.bytesAfter(seq),
        entriesAfter: (seq) => this.#log.store.readEntries(seq, MAX_BACKLOG_ENTRIES, MAX_BACKLOG_BYTES),
      },
      request.resume,
    );
    return request.transport === "websocket"
      ? this.#hub.openWebSocket(messages, closing, request.grant, request.framing)
      : this.#hub.openEventStream(messages, closing !== null, request.grant);
  }

  /**
   * A commit, before any await: a reader attaching next reads it in its backlog, and the hub sends what it still
   * holds to the earlier ones before it accepts one, so none gets a commit twice.
   */
  committed(entries: readonly StoredEntry[], view: () => SessionView): void {
    if (this.#hub.hasSubscribers()) {
      const messages = entries.map((entry): LiveMessage => ({ type: "entry", entry }));
      this.#hub.broadcast([...messages, { type: "session", session: view() }]);
    }
    if (entries.length > 0) this.#tail.committed();
  }

  /** A page of this life's log; `epoch-changed` when `after` names another life (deleted and begun again). */
  eventsPage(epoch: string, after: ResumeFrom, limit: number): EventPageText | EpochChanged {
    if (after.epoch !== null && after.epoch !== epoch) return { epochChanged: true, epoch };
    const entries = this.#log.store.readEntries(after.seq, limit, PAGE_MAX_BYTES);
    const last = entries.at(-1);
    const nextAfter = last !== undefined && last.seq < this.#log.lastSeq() ? last.seq : null;
    return { json: eventPageJson(epoch, entries, nextAfter) };
  }

  /** The latest `limit` turns, oldest first, folded from the whole log (src/domain/turns.ts). */
  turns(threadId: string, epoch: string, limit: number): TurnsReply {
    const now = Date.now();
    const turns = turnsOfLog(this.#log.store.entriesAfter(0)).slice(-limit);
    return { threadId, epoch, turns: turns.map((turn) => turnView(turn, now)) };
  }

  /** The session was deleted: every reader is told and closed (call before the caches forget its life). */
  purged(): void {
    this.#hub.closeAll({ type: "purged" }, "purged");
    this.#tail.closeAll();
  }
}

/** The session's log as the Durable Streams reader reads it: positions are seqs of the current life. */
function sessionLogSource(log: SessionLog): LogSource<SessionPosition, number> {
  return {
    resolve(start: LogStart<SessionPosition>) {
      if (start.kind === "beginning") return 0;
      if (start.kind === "now") return log.lastSeq();
      const { epoch, seq } = start.position;
      if (epoch !== null && epoch !== log.epoch()) return "gone";
      return seq > log.lastSeq() ? "beyond" : seq;
    },
    tail: () => log.lastSeq(),
    offsetOf: (seq) => sessionOffset(log.epoch() ?? "", seq),
    readAfter(seq) {
      const entries = log.store.readEntries(seq, LOG_PAGE_ENTRIES, LOG_PAGE_BYTES);
      return { items: entries.map((entry) => logEntryJson(entry)), end: entries.at(-1)?.seq ?? seq };
    },
  };
}
