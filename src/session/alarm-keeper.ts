/**
 * The session's alarm as last written. The domain says when the object must next wake (nextWake); this applies it,
 * writing the alarm only when that moves earlier or when the one set has come due, so most commits write none.
 */
import type { Change } from "../domain/change.ts";
import type { DirectoryFeed } from "../domain/directory.ts";
import { alarmNeedsWriting } from "../domain/wake.ts";
import type { SqlMeter } from "../sql-meter.ts";

export class AlarmKeeper {
  readonly #storage: DurableObjectStorage;
  readonly #sql: SqlMeter;
  #at: number | null = null;

  constructor(storage: DurableObjectStorage, sql: SqlMeter) {
    this.#storage = storage;
    this.#sql = sql;
  }

  async load(): Promise<void> {
    this.#at = await this.#storage.getAlarm();
  }

  /** The alarm fired (even early: the runtime consumed it), or storage was deleted with it: none is set. */
  cleared(): void {
    this.#at = null;
  }

  /**
   * False for most events: when only the counters moved (the domain's deadlines count from activity, so they only
   * move later) and nothing else that wakes the object changed, the alarm already set still comes first.
   */
  mayMove(change: Change, queued: DirectoryFeed | null, listedChanged: boolean, now: number): boolean {
    return (
      this.#at === null ||
      this.#at <= now ||
      queued !== null ||
      change.notifications.length > 0 ||
      change.deliveries.length > 0 ||
      change.directoryFeed !== undefined ||
      listedChanged ||
      // Usage not yet sent goes to the directory at the latest 30 s on, by the alarm (usageFlushAt).
      change.state.usageBuckets !== change.before.usageBuckets
    );
  }

  async set(wakeAt: number | null, now: number): Promise<void> {
    if (wakeAt === null || !alarmNeedsWriting(this.#at, wakeAt, now)) return;
    await this.#storage.setAlarm(wakeAt);
    this.#sql.alarmWritten();
    this.#at = wakeAt;
  }
}
