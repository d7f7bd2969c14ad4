/**
 * The service as the adapter uses it: a session's routes with the tenant's token, the ingest of events in batches, the
 * tail offset of its log, and the content type each stream was created with (its marker, remembered once read).
 */
import { JSON_TYPE, markerContentType, type RuntimeEvent } from "./messages.ts";

const MAX_EVENTS_PER_BATCH = 500;

export interface Service {
  /** A request to `/v1/sessions/{threadId}` plus `path`, with the token unless `anonymous`. */
  fetch(threadId: string, path: string, init?: RequestInit & { anonymous?: boolean }): Promise<Response>;
  /** Ingests the events in order, at most 500 a request; the first answer that is not a 200, or the last one. */
  ingest(threadId: string, events: readonly RuntimeEvent[]): Promise<Response>;
  /** The log's Stream-Next-Offset (HEAD), as a header to answer a write with. */
  tailHeader(threadId: string): Promise<Record<string, string>>;
  /** The media type the stream was created with; `null` when there is no such session. */
  streamType(threadId: string): Promise<string | null>;
  remember(threadId: string, type: string | null): void;
}

export function createService(origin: string, token: string): Service {
  const types = new Map<string, string>();
  const service: Service = {
    fetch(threadId, path, init = {}) {
      const { anonymous, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (anonymous !== true && !headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
      const url = `${origin}/v1/sessions/${encodeURIComponent(threadId)}${path}`;
      return fetch(url, { ...rest, headers, redirect: "manual" });
    },
    async ingest(threadId, events) {
      let last: Response | null = null;
      for (let start = 0; start < events.length; start += MAX_EVENTS_PER_BATCH) {
        if (last !== null) await last.body?.cancel();
        last = await service.fetch(threadId, "/events", {
          method: "POST",
          headers: { "content-type": JSON_TYPE },
          body: JSON.stringify(events.slice(start, start + MAX_EVENTS_PER_BATCH)),
        });
        if (last.status !== 200) return last;
      }
      if (last === null) throw new Error("nothing to ingest");
      return last;
    },
    async tailHeader(threadId) {
      const head = await service.fetch(threadId, "/log", { method: "HEAD" });
      const offset = head.headers.get("stream-next-offset");
      return offset === null ? {} : { "stream-next-offset": offset };
    },
    async streamType(threadId) {
      const known = types.get(threadId);
      if (known !== undefined) return known;
      const page = await service.fetch(threadId, "/events?limit=1");
      if (page.status !== 200) {
        await page.body?.cancel();
        return null;
      }
      const first = ((await page.json()) as { events?: unknown[] }).events?.[0];
      // A session the adapter did not make (no marker) is a JSON stream: the log's own content type.
      const type = markerContentType(first) ?? JSON_TYPE;
      types.set(threadId, type);
      return type;
    },
    remember(threadId, type) {
      if (type === null) types.delete(threadId);
      else types.set(threadId, type);
    },
  };
  return service;
}
