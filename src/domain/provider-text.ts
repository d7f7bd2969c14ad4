/** Provider text the projection keeps: clipped to a bound, never refused, so an event is never lost for its length. */
import { MAX_TEXT_LENGTH } from "../contracts/limits.ts";

/** `lastError` and the other lifecycle text the view shows: at most this many UTF-16 code units (the bridges clip to it too). */
export const MAX_LIFECYCLE_TEXT_LENGTH = MAX_TEXT_LENGTH;

/** The first `limit` UTF-16 units of `text`, one fewer when the cut would split a surrogate pair. */
export function clipText(text: string, limit: number = MAX_LIFECYCLE_TEXT_LENGTH): string {
  if (text.length <= limit) return text;
  const end = isHighSurrogate(text.charCodeAt(limit - 1)) ? limit - 1 : limit;
  return text.slice(0, end);
}

/** The last `limit` UTF-16 units of `text` (a tail, such as stderr's), one fewer when the cut would split a pair. */
export function clipTail(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const start = text.length - limit;
  return text.slice(isLowSurrogate(text.charCodeAt(start)) ? start + 1 : start);
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
