/**
 * Live streams read as SSE over fetch, resumed after the last thing yielded: entries (by seq) are contiguous, so a gap
 * is seen and closed by resubscribing; directory changes (by version) only grow. A repeat of either is skipped.
 */
import type { DirectoryMessage } from "../contracts/directory.ts";
import type { LogEntryView } from "../contracts/replies.ts";
import type { StreamMessage } from "../contracts/stream.ts";
import { ProblemError } from "./problem-error.ts";
import { anySignal, DEFAULT_RETRY, isTransientStatus, type RetryPolicy, retryDelay, sleep } from "./retry.ts";
import { parseSse } from "./sse.ts";
import { sessionPath, type Transport } from "./transport.ts";

export interface StreamOptions {
  signal?: AbortSignal;
  /** Backoff between reconnections after a failure. */
  retry?: RetryPolicy;
  /** With no byte for this long (the service sends a comment every 15 s), the connection is presumed dead. */
  idleTimeoutMs?: number;
}

/** A point of one life of a session: `epoch` and `lastSeq` of a session view, or of a page of its log. */
export interface ResumeAfter {
  epoch: string;
  seq: number;
}

export interface LiveOptions extends StreamOptions {
  /**
   * Resume after this entry of this life; without it, the current life from its first entry. If the session was
   * deleted and begun again since, the stream says `reset` and starts the new life from its first entry.
   */
  after?: ResumeAfter;
}

export interface DirectoryOptions extends StreamOptions {
  /** The `version` of your listing: the changes after it come first. */
  after?: number;
}

interface EntryPager {
  events(
    threadId: string,
    options: { after: number; epoch?: string; signal?: AbortSignal },
  ): AsyncGenerator<LogEntryView>;
}

/** What one connection asks the caller to do once it ends. */
type Next = "reconnect" | "finish";

export async function* followSession(
  transport: Transport,
  pager: EntryPager,
  threadId: string,
  options: LiveOptions,
): AsyncGenerator<StreamMessage> {
  let lastSeq = options.after?.seq ?? 0;
  let epoch: string | null = options.after?.epoch ?? null;
  /** Decides an entry's fate: yield it, skip a repeat, or resubscribe over a gap. */
  const place = (seq: number): "yield" | "skip" | "gap" => {
    const expected = lastSeq + 1;
    return seq === expected ? "yield" : seq < expected ? "skip" : "gap";
  };
  yield* reconnecting(options, async function* (signal, alive): AsyncGenerator<StreamMessage, Next> {
    let nextEpoch: string | null = null;
    // Only <epoch>:<seq> names a point the service can vouch for; a bare seq above 0 would be answered with reset.
    const query = new URLSearchParams();
    if (epoch !== null) query.set("after", `${epoch}:${lastSeq}`);
    else if (lastSeq > 0) query.set("after", String(lastSeq));
    const response = await transport.send("GET", `${sessionPath(threadId)}/stream`, { query, signal });
    for await (const { id, message } of messagesOf<StreamMessage>(response, signal, alive)) {
      switch (message.type) {
        case "snapshot":
          // A new life is followed by `reset`: until it arrives, what is held is still the old life's, and a
          // connection lost in between must resume in the old life (to be reset again), never at its seq in the new.
          nextEpoch = message.epoch;
          if (lastSeq === 0 && message.epoch !== null) epoch = message.epoch;
          yield message;
          break;
        case "reset":
          lastSeq = 0;
          epoch = nextEpoch;
          yield message;
          break;
        case "entry": {
          // An entry's id is <epoch>:<seq>: the life of a session that had none when the stream opened.
          if (id !== null) epoch = id.slice(0, id.lastIndexOf(":"));
          const fate = place(message.seq);
          if (fate === "gap") return "reconnect";
          if (fate === "yield") {
            lastSeq = message.seq;
            yield message;
          }
          break;
        }
        case "behind":
          try {
            const from = { after: lastSeq, signal, ...(epoch === null ? {} : { epoch }) };
            for await (const entry of pager.events(threadId, from)) {
              const fate = place(entry.seq);
              if (fate === "gap") return "reconnect";
              if (fate === "yield") {
                lastSeq = entry.seq;
                yield { type: "entry", ...entry };
              }
            }
          } catch (error) {
            // Begun again while paging: the next connection says reset and starts the new life.
            if (!(error instanceof ProblemError && error.status === 409)) throw error;
          }
          return "reconnect";
        case "purged":
          yield message;
          return "finish";
        case "synchronized":
        case "session":
          yield message;
          break;
        default:
          message satisfies never;
      }
    }
    return "reconnect";
  });
}

export async function* followDirectory(
  transport: Transport,
  options: DirectoryOptions,
): AsyncGenerator<DirectoryMessage> {
  let lastVersion: number | null = options.after ?? null;
  yield* reconnecting(options, async function* (signal, alive): AsyncGenerator<DirectoryMessage, Next> {
    const query = new URLSearchParams();
    if (lastVersion !== null) query.set("after", String(lastVersion));
    const response = await transport.send("GET", "/v1/directory/stream", { query, signal });
    for await (const { message } of messagesOf<DirectoryMessage>(response, signal, alive)) {
      switch (message.type) {
        case "upsert":
        case "remove": {
          // Versions only grow; they need not grow by one (a sharded directory would skip), so only a repeat (one
          // not after the last) is told apart, and skipped.
          if (lastVersion !== null && message.version <= lastVersion) break;
          lastVersion = message.version;
          yield message;
          break;
        }
        case "reset":
        case "synchronized":
          if (message.type === "reset" || lastVersion === null) lastVersion = message.version;
          yield message;
          break;
        default:
          message satisfies never;
      }
    }
    return "reconnect";
  });
}

/**
 * Runs one connection after another until one says finish or the caller stops. Transient failures (network,
 * 429, 5xx, a silent connection) back off; a problem that will not change (401, 403, 422) is thrown.
 */
async function* reconnecting<M>(
  options: StreamOptions,
  connect: (signal: AbortSignal, alive: () => void) => AsyncGenerator<M, Next>,
): AsyncGenerator<M> {
  const policy = options.retry ?? DEFAULT_RETRY;
  let failures = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const connection = new AbortController();
    const { signal, dispose } = anySignal([options.signal, connection.signal]);
    const watchdog = idleWatchdog(connection, options.idleTimeoutMs ?? 45_000);
    let retryAfterMs: number | null = null;
    let received = false;
    const messages = connect(signal, watchdog.feed);
    try {
      for (;;) {
        const step = await messages.next();
        if (step.done) {
          if (step.value === "finish") return;
          break;
        }
        received = true;
        yield step.value;
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (error instanceof ProblemError && !isTransientStatus(error.status)) throw error;
      if (error instanceof ProblemError) retryAfterMs = error.retryAfterMs;
      received = false;
    } finally {
      watchdog.stop();
      connection.abort();
      dispose();
      await messages.return("finish").catch(() => {});
    }
    failures = received ? 0 : failures + 1;
    if (failures > 0) await sleep(retryDelay(failures - 1, retryAfterMs, policy, Math.random()), options.signal);
  }
}

/** Aborts the connection when nothing arrived for `ms`; fed on every read, so heartbeat comments count. */
function idleWatchdog(connection: AbortController, ms: number) {
  let timer = setTimeout(() => connection.abort(new Error("stream idle")), ms);
  return {
    feed() {
      clearTimeout(timer);
      timer = setTimeout(() => connection.abort(new Error("stream idle")), ms);
    },
    stop: () => clearTimeout(timer),
  };
}

async function* messagesOf<M>(
  response: Response,
  signal: AbortSignal,
  alive: () => void,
): AsyncGenerator<{ id: string | null; message: M }> {
  if (response.body === null) return;
  const body = response.body;
  const cancel = () => {
    body.cancel(signal.reason).catch(() => {});
  };
  signal.addEventListener("abort", cancel, { once: true });
  try {
    for await (const event of parseSse(body, alive)) yield { id: event.id, message: JSON.parse(event.data) as M };
  } finally {
    signal.removeEventListener("abort", cancel);
  }
}
