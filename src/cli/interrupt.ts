/** Ctrl-C in the Node entry, apart from `process` so a test can press it the way a person does. */

/** 128 + SIGINT's number: what a shell reports for a command Ctrl-C ended. */
export const INTERRUPTED_STATUS = 130;

/** The part of `process` it needs. */
export interface Interruptible {
  on(event: "SIGINT", listener: () => void): unknown;
  exit(code: number): void;
}

/**
 * Aborted by the first Ctrl-C, which lets a command end cleanly (a send stops reading, sends what it read and
 * reports it); the second one ends the process at once.
 */
export function interruptSignal(process: Interruptible): AbortSignal {
  const interrupt = new AbortController();
  process.on("SIGINT", () => {
    if (interrupt.signal.aborted) return process.exit(INTERRUPTED_STATUS);
    interrupt.abort(new Error("interrupted"));
  });
  return interrupt.signal;
}

export interface Interruption {
  readonly signal: AbortSignal;
  /** Resolves at the abort. */
  readonly happened: Promise<void>;
  /** Takes the one listener it put on the signal off again. */
  dispose(): void;
}

/** Ctrl-C as a promise a command can race its waits against, with one listener on the signal for all of them. */
export function interruption(signal: AbortSignal): Interruption {
  let onAbort = () => {};
  const happened = new Promise<void>((resolve) => {
    onAbort = () => resolve();
  });
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return { signal, happened, dispose: () => signal.removeEventListener("abort", onAbort) };
}

/** The lines of `lines` until they end or the interruption: a read under way then is abandoned, not awaited. */
export async function* linesUntil(lines: AsyncIterable<string>, interrupt: Interruption): AsyncGenerator<string> {
  const iterator = lines[Symbol.asyncIterator]();
  const interrupted = interrupt.happened.then(() => ({ done: true, value: undefined }) as const);
  try {
    while (!interrupt.signal.aborted) {
      const next = await Promise.race([iterator.next(), interrupted]);
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    // Not awaited: standard input that is quiet may never answer the read this would wait for.
    iterator.return?.()?.catch(() => {});
  }
}
