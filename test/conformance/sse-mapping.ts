/**
 * Re-frames a log's Server-Sent Events as the suite reads them: each `data` event's JSON array of log entries becomes
 * the stream's data (the messages' JSON array; a byte stream's text, a line a `data:` field, or its base64); every
 * other event (`control`, comments) passes byte for byte. A `data` event whose entries are all something else (the
 * marker, the service's own entries) is left out, as a stream without them would not have sent it; one the service
 * sent with `[]` stays. The `data:` fields keep the service's own spelling (with or without a space).
 */
import { bytesOf, type Encoding, messagesOf } from "./messages.ts";

const LINE_END = /\r\n|\r|\n/g;

export interface SseMapper {
  /** Takes the next text of the upstream body; returns what can be sent on so far. */
  push(text: string): string;
  /** The upstream ended: whatever is left, as it came. */
  flush(): string;
}

export function createSseMapper(encoding: Encoding, onUnmapped: (block: string) => void = () => {}): SseMapper {
  let buffer = "";
  return {
    push(text) {
      buffer += text;
      let out = "";
      let blockStart = 0;
      let lineStart = 0;
      const lines: string[] = [];
      LINE_END.lastIndex = 0;
      for (let match = LINE_END.exec(buffer); match !== null; match = LINE_END.exec(buffer)) {
        // A "\r" at the very end may be the first half of "\r\n": wait for the next text.
        if (match[0] === "\r" && match.index + 1 === buffer.length) break;
        const line = buffer.slice(lineStart, match.index);
        lineStart = match.index + match[0].length;
        if (line !== "") {
          lines.push(line);
          continue;
        }
        const raw = buffer.slice(blockStart, lineStart);
        const mapped = mapBlock(raw, lines, match[0], encoding);
        if (mapped === null) onUnmapped(raw);
        out += mapped ?? raw;
        blockStart = lineStart;
        lines.length = 0;
      }
      buffer = buffer.slice(blockStart);
      return out;
    },
    flush() {
      const rest = buffer;
      buffer = "";
      return rest;
    },
  };
}

/** One event (`raw` is its text with the blank line that ends it); `null` when its data is not a log page. */
function mapBlock(raw: string, lines: readonly string[], lineEnd: string, encoding: Encoding): string | null {
  if (lines.length === 0 || fieldValues(lines, "event").at(-1) !== "data") return raw;
  let entries: unknown[];
  try {
    const parsed: unknown = JSON.parse(fieldValues(lines, "data").join("\n"));
    if (!Array.isArray(parsed)) return null;
    entries = parsed;
  } catch {
    return null;
  }
  const firstData = lines.findIndex((line) => fieldName(line) === "data");
  const separator = lines[firstData]?.startsWith("data: ") ? " " : "";
  const data = dataLines(entries, encoding);
  if (data.length === 0) return "";
  const kept = lines.flatMap((line, index) => {
    if (index === firstData) return data.map((value) => `data:${separator}${value}`);
    return fieldName(line) === "data" ? [] : [line];
  });
  return kept.map((line) => line + lineEnd).join("") + lineEnd;
}

/** The values of the `data:` fields for these entries; none when they carry no data but the service sent some. */
function dataLines(entries: readonly unknown[], encoding: Encoding): string[] {
  if (encoding === "json") {
    const messages = messagesOf(entries) ?? [];
    return messages.length === 0 && entries.length > 0 ? [] : [JSON.stringify(messages)];
  }
  const { bytes, count } = bytesOf(entries) ?? { bytes: Buffer.alloc(0), count: 0 };
  if (count === 0 && entries.length > 0) return [];
  return encoding === "text" ? bytes.toString("utf8").split(LINE_END) : [bytes.toString("base64")];
}

function fieldName(line: string): string {
  const colon = line.indexOf(":");
  return colon < 0 ? line : line.slice(0, colon);
}

/** The values of a field in an event's lines, the one optional space after the colon removed (as SSE parsing does). */
function fieldValues(lines: readonly string[], name: string): string[] {
  return lines
    .filter((line) => fieldName(line) === name)
    .map((line) => {
      const value = line.slice(name.length + 1);
      return value.startsWith(" ") ? value.slice(1) : value;
    });
}
