/**
 * The platform's own floor, measured beside the service in `npm run bench`. `POST /body/{name}` forwards the
 * request body to one Durable Object that stores it with a single SQLite INSERT. `POST /rows/{name}` parses the
 * body as a JSON array and stores one row per event under a unique event-id index, as the service's log does.
 * `GET /read/{name}` returns the latest stored body of one object, read with one SQLite SELECT: the platform's cost of
 * a Worker → Durable Object → SQLite read. No validation, projection or dedup: whatever the service costs above these
 * is its own work.
 */
import { DurableObject } from "cloudflare:workers";

interface ReferenceEnv {
  STORE: DurableObjectNamespace<ReferenceStore>;
}

/** 3 columns a row: 30 rows stay under the 100 bound parameters a statement may take. */
const ROWS_PER_INSERT = 30;
const JSON_HEADERS = { "content-type": "application/json" };

export class ReferenceStore extends DurableObject<ReferenceEnv> {
  #lastSeq = 0;

  constructor(ctx: DurableObjectState, env: ReferenceEnv) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS bodies (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, event_id TEXT, body TEXT)");
    ctx.storage.sql.exec("CREATE UNIQUE INDEX IF NOT EXISTS events_event_id ON events (event_id)");
    this.#lastSeq = ctx.storage.sql.exec<{ seq: number }>("SELECT coalesce(max(seq), 0) AS seq FROM events").one().seq;
  }

  async storeBody(body: string): Promise<number> {
    return this.ctx.storage.sql.exec("INSERT INTO bodies (body) VALUES (?)", body).rowsWritten;
  }

  async readLatest(): Promise<string | null> {
    const rows = this.ctx.storage.sql.exec<{ body: string }>("SELECT body FROM bodies ORDER BY seq DESC LIMIT 1");
    return rows.toArray()[0]?.body ?? null;
  }

  async storeRows(events: readonly { eventId: string }[]): Promise<number> {
    for (let start = 0; start < events.length; start += ROWS_PER_INSERT) {
      const chunk = events.slice(start, start + ROWS_PER_INSERT);
      const values = chunk.flatMap((event) => [++this.#lastSeq, event.eventId, JSON.stringify(event)]);
      this.ctx.storage.sql.exec(`INSERT INTO events VALUES ${chunk.map(() => "(?, ?, ?)").join(", ")}`, ...values);
    }
    return events.length;
  }
}

export default {
  async fetch(request, env) {
    const [, kind, name = "reference"] = new URL(request.url).pathname.split("/");
    const store = env.STORE.getByName(name);
    if (request.method === "POST" && kind === "body") return Response.json(await store.storeBody(await request.text()));
    if (request.method === "GET" && kind === "read") {
      const body = await store.readLatest();
      return body === null ? new Response(null, { status: 404 }) : new Response(body, { headers: JSON_HEADERS });
    }
    if (request.method === "POST" && kind === "rows") {
      const body: unknown = await request.json();
      return Response.json(await store.storeRows((Array.isArray(body) ? body : [body]) as { eventId: string }[]));
    }
    return new Response(null, { status: 204 });
  },
} satisfies ExportedHandler<ReferenceEnv>;
