/**
 * Log offsets: opaque to clients, sorting lexicographically in log order, as the Durable Streams protocol asks.
 * A session's names its life (the epoch) and the seq read up to, zero-padded; a directory's names its version the
 * same way behind a letter, so that a sharded directory can give out another form later without clients noticing.
 */
import { BEGINNING, NOW } from "./durable-streams.ts";
import type { LogStart } from "./subscription-request.ts";

const DIGITS = 16;

/** A position in one life of a session's log: after entry `seq` (0: before the first). */
export interface SessionPosition {
  /** null: the `after` alias gave a bare seq, which means the current life. */
  epoch: string | null;
  seq: number;
}

export const SESSION_OFFSET_PATTERN = "^[0-9a-z]{1,16}_[0-9]{16}$";
const SESSION_OFFSET = new RegExp(SESSION_OFFSET_PATTERN);

export function sessionOffset(epoch: string, seq: number): string {
  return `${epoch}_${String(seq).padStart(DIGITS, "0")}`;
}

export function parseSessionOffset(offset: string): SessionPosition | null {
  if (!SESSION_OFFSET.test(offset)) return null;
  const [epoch = "", seq = ""] = offset.split("_");
  const position = { epoch, seq: Number(seq) };
  return Number.isSafeInteger(position.seq) ? position : null;
}

export const DIRECTORY_OFFSET_PATTERN = "^v[0-9]{16}$";
const DIRECTORY_OFFSET = new RegExp(DIRECTORY_OFFSET_PATTERN);

export function directoryOffset(version: number): string {
  return `v${String(version).padStart(DIGITS, "0")}`;
}

export function parseDirectoryOffset(offset: string): number | null {
  if (!DIRECTORY_OFFSET.test(offset)) return null;
  const version = Number(offset.slice(1));
  return Number.isSafeInteger(version) ? version : null;
}

/** `offset` as a client sends it: a sentinel (`-1`, `now`) or an offset of this log; null when malformed. */
export function logStart<P>(offset: string, parse: (offset: string) => P | null): LogStart<P> | null {
  if (offset === BEGINNING) return { kind: "beginning" };
  if (offset === NOW) return { kind: "now" };
  const position = parse(offset);
  return position === null ? null : { kind: "after", position };
}
