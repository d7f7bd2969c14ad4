/**
 * Wrap mode's observer: the agent's stdio lines in, events out to the delivery, without ever holding the pipe. The
 * caller has already passed each chunk on before it hands it here; mapping and sending happen after, in order.
 */
import type { Direction } from "./common.ts";
import type { Delivery } from "./delivery.ts";
import type { AgentExit, LiveBridge } from "./live.ts";
import { recordedExit, recordedLine, recordedRun } from "./recording.ts";

export interface WrapObserverOptions {
  bridge: LiveBridge;
  delivery: Pick<Delivery, "send">;
  /** Appends a line to the `--record` transcript. */
  record?: (line: string) => void;
  /** A line that is no message of the protocol: passed through already, reported here, not forwarded. */
  report: (problem: string) => void;
  now: () => number;
}

export interface WrapObserver {
  start(): void;
  line(dir: Direction, text: string): void;
  /** Resolves once every line before the exit is mapped and the exit sent. */
  exit(exit: AgentExit): Promise<void>;
  readonly counts: { readonly in: number; readonly out: number; readonly problems: number };
}

export function createWrapObserver(options: WrapObserverOptions): WrapObserver {
  const { bridge, delivery, record, report, now } = options;
  const counts = { in: 0, out: 0, problems: 0 };
  let mapping: Promise<void> = Promise.resolve();
  const iso = () => new Date(now()).toISOString();
  return {
    counts,
    start() {
      record?.(recordedRun(bridge.run));
      delivery.send([bridge.start()]);
    },
    line(dir, text) {
      counts[dir] += 1;
      const ordinal = counts[dir];
      const at = iso();
      record?.(recordedLine(dir, at, text));
      mapping = mapping.then(async () => {
        const observation = await bridge.observe(dir, text, ordinal, at);
        if (observation.ok) return delivery.send(observation.events);
        counts.problems += 1;
        report(`${dir === "out" ? "agent stdout" : "agent stdin"} line ${ordinal}: ${observation.problem}`);
      });
    },
    async exit(exit) {
      const at = iso();
      record?.(recordedExit(at, exit));
      await mapping;
      delivery.send([bridge.exit(exit, at)]);
    },
  };
}

/** Splits a byte stream into lines (without their `\n`), decoding UTF-8 across chunk boundaries. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Uint8Array): void; end(): void } {
  const decoder = new TextDecoder();
  let partial = "";
  return {
    push(chunk) {
      const text = partial + decoder.decode(chunk, { stream: true });
      const lines = text.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    },
    end() {
      const rest = partial + decoder.decode();
      partial = "";
      if (rest !== "") onLine(rest);
    },
  };
}
