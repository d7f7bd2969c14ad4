/** Server-Sent Events read from a fetch body (no EventSource): works in browsers, Workers, Node, Bun and Deno. */

export interface SseEvent {
  event: string;
  id: string | null;
  data: string;
}

/** Yields each complete event; comments (`: keep-alive`) are skipped and an event cut off by the end is dropped. */
export async function* parseSse(body: ReadableStream<Uint8Array>, onRead?: () => void): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let id: string | null = null;
  let data: string[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onRead?.();
      buffer += decoder.decode(value, { stream: true });
      let newline = buffer.search(/\r\n|\r|\n/);
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        // A lone \r at the end of the buffer may be the first half of \r\n: wait for the next chunk.
        if (buffer[newline] === "\r" && newline === buffer.length - 1) break;
        buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
        if (line === "") {
          if (data.length > 0) yield { event: event || "message", id, data: data.join("\n") };
          event = "";
          id = null;
          data = [];
        } else if (!line.startsWith(":")) {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + (line[colon + 1] === " " ? 2 : 1));
          if (field === "event") event = value;
          else if (field === "data") data.push(value);
          else if (field === "id") id = value;
        }
        newline = buffer.search(/\r\n|\r|\n/);
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
