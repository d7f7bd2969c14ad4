/**
 * The platform's own floor for a durable write, measured beside the service in `npm run bench`: a Worker that
 * forwards the request body to one Durable Object, which stores it with a single SQLite INSERT. No validation,
 * no projection, no dedup: whatever the service costs above this is its own work.
 */
import { DurableObject } from "cloudflare:workers";

interface ReferenceEnv {
  STORE: DurableObjectNamespace<ReferenceStore>;
}

export class ReferenceStore extends DurableObject<ReferenceEnv> {
  constructor(ctx: DurableObjectState, env: ReferenceEnv) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS bodies (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  }

  async store(body: string): Promise<number> {
    return this.ctx.storage.sql.exec("INSERT INTO bodies (body) VALUES (?)", body).rowsWritten;
  }
}

export default {
  async fetch(request, env) {
    const name = new URL(request.url).pathname.slice(1) || "reference";
    const rows = await env.STORE.getByName(name).store(await request.text());
    return Response.json({ rows });
  },
} satisfies ExportedHandler<ReferenceEnv>;
