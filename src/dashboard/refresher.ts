/**
 * A read done again when what it shows may have changed, once a burst of changes settles: `quietMs` after the last
 * request, or `maxWaitMs` after the first of a burst that does not stop. One read at a time; a request during a read
 * brings one more after it, so the last change is never missed.
 */
export interface RefresherTiming {
  quietMs: number;
  maxWaitMs: number;
}

export class Refresher {
  readonly #read: () => Promise<void>;
  readonly #timing: RefresherTiming;
  /** null when no read is scheduled (clearTimeout takes it in both the DOM's and workerd's types). */
  #timer: ReturnType<typeof setTimeout> | null = null;
  #burstStartedAt: number | null = null;
  #reading = false;
  #again = false;
  #disposed = false;

  /** `read` handles its own failures: a rejection here is a bug. */
  constructor(read: () => Promise<void>, timing: RefresherTiming) {
    this.#read = read;
    this.#timing = timing;
  }

  request(): void {
    if (this.#disposed) return;
    const now = Date.now();
    this.#burstStartedAt ??= now;
    this.#cancel();
    const wait = Math.min(this.#timing.quietMs, this.#burstStartedAt + this.#timing.maxWaitMs - now);
    this.#timer = setTimeout(() => void this.#run(), Math.max(0, wait));
  }

  /** Reads at once (after the read under way, if one is): a person asked for it. */
  now(): void {
    if (this.#disposed) return;
    this.#cancel();
    void this.#run();
  }

  dispose(): void {
    this.#disposed = true;
    this.#cancel();
  }

  #cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #run(): Promise<void> {
    this.#burstStartedAt = null;
    this.#timer = null;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = true;
    try {
      await this.#read();
    } finally {
      this.#reading = false;
    }
    if (this.#again && !this.#disposed) {
      this.#again = false;
      await this.#run();
    }
  }
}
