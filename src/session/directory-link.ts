/**
 * The session's link to its tenant directory: sends the feed's pending update one at a time (so the directory
 * sees this session's updates in order), and removes the entry before a purge. What it learns is recorded
 * through the session's commit point; it writes nothing itself.
 */

import type { DirectoryWrite, SessionSummary } from "../contracts/directory.ts";
import { type DirectoryFeed, feedAcknowledged, feedFailed } from "../domain/directory.ts";
import type { UsageBucket } from "../domain/usage-buckets.ts";

export interface DirectoryCalls {
  /** `maybeHeld`: the directory may hold this summary already (a resend), so it compares before writing. */
  upsert(summary: SessionSummary, maybeHeld: boolean, usage: readonly UsageBucket[] | null): Promise<DirectoryWrite>;
  remove(threadId: string): Promise<DirectoryWrite>;
}

export interface DirectoryLinkHost {
  directory(): DirectoryCalls;
  /** The feed as last committed; null once the session is gone. */
  feed(): DirectoryFeed | null;
  record(next: DirectoryFeed): Promise<void>;
  log(record: Record<string, unknown>): void;
}

/**
 * A session sends at most one update this often: the first change after a quiet spell goes at once, the changes
 * of a burst (a batch stream that starts and ends turns) reach the directory as their latest summary.
 */
export const DIRECTORY_UPDATE_INTERVAL_MS = 250;

export class DirectoryLink {
  readonly #host: DirectoryLinkHost;
  #inFlight: Promise<void> | null = null;
  /** When the last update was sent (performance.now()), or null before any. */
  #lastSentAt: number | null = null;

  constructor(host: DirectoryLinkHost) {
    this.#host = host;
  }

  /**
   * Sends what is pending. `queued`: right after the commit that queued it; `resend`: on wake, what was stored as
   * pending (it may have been delivered before the object was evicted); `retry`: the alarm's retry of a failure,
   * when its time has come.
   */
  send(why: "queued" | "resend" | "retry"): Promise<void> {
    this.#inFlight ??= this.#sendPending(why).finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  /** Waits for an update in flight, then removes the entry; false when the directory could not be reached. */
  async leave(threadId: string): Promise<boolean> {
    await this.#inFlight;
    return this.#succeeded(this.#host.directory().remove(threadId));
  }

  async #sendPending(why: "queued" | "resend" | "retry"): Promise<void> {
    let ignoreRetryTime = why !== "retry";
    // A failed call may have been applied before it failed: only a summary queued since is certainly new.
    let maybeHeld = why !== "queued";
    for (let feed = this.#host.feed(); feed?.pending != null; feed = this.#host.feed()) {
      if (!ignoreRetryTime && (feed.nextAttemptAt ?? 0) > Date.now()) return;
      ignoreRetryTime = false;
      // The runtime's monotonic clock: the interval is real time, not the wall clock (which may be set, or faked).
      const wait = this.#lastSentAt === null ? 0 : this.#lastSentAt + DIRECTORY_UPDATE_INTERVAL_MS - performance.now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      this.#lastSentAt = performance.now();
      const sent = feed.pending;
      const sentUsage = feed.pendingUsage;
      const ok = await this.#succeeded(this.#host.directory().upsert(sent, maybeHeld, sentUsage));
      maybeHeld = false;
      const current = this.#host.feed();
      if (current === null) return;
      await this.#host.record(ok ? feedAcknowledged(current, sent, sentUsage) : feedFailed(current, Date.now()));
      if (!ok) return;
    }
  }

  #succeeded(call: Promise<DirectoryWrite>): Promise<boolean> {
    const failed = (error: string) => {
      this.#host.log({ message: "directory call failed", error });
      return false;
    };
    return call.then(
      (result) => result.ok || failed(result.error),
      (error: unknown) => failed(String(error)),
    );
  }
}
