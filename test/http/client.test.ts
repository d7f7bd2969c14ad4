/** `hc<AppType>` from hono/client types every route; driven here through the real Worker entry. */
import { exports } from "cloudflare:workers";
import { hc } from "hono/client";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { EventResult, SessionView } from "../../src/contracts/replies.ts";
import type { AppType } from "../../src/index.ts";
import { newThreadId } from "../support/api.ts";
import { ev } from "../support/events.ts";
import { ACME_TOKEN } from "../support/test-config.ts";

const client = hc<AppType>("https://sessions.test", {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)),
  headers: { authorization: `Bearer ${ACME_TOKEN}` },
});

describe("the typed client", () => {
  it("ingests, reads, pages and deletes a session with typed replies", async () => {
    const threadId = newThreadId();
    const session = client.v1.sessions[":threadId"];
    const posted = await session.events.$post({
      param: { threadId },
      json: [ev.sessionStarted({ threadId }), ev.turnStarted("t1", { threadId })],
    });
    expect(posted.status).toBe(200);
    if (posted.status !== 200) return;
    const reply = await posted.json();
    expectTypeOf(reply.results).toEqualTypeOf<EventResult[]>();
    expect(reply.session.activeTurnId).toBe("t1");

    const read = await session.$get({ param: { threadId } });
    if (read.status !== 200) throw new Error(`GET answered ${read.status}`);
    const view = await read.json();
    expectTypeOf(view.status).toEqualTypeOf<SessionView["status"]>();
    expect(view).toMatchObject({ status: "running", lastSeq: 2 });

    const page = await session.events.$get({ param: { threadId }, query: { after: "1", limit: "10" } });
    if (page.status !== 200) throw new Error(`GET events answered ${page.status}`);
    expect((await page.json()).events.map((entry) => entry.seq)).toEqual([2]);

    expect((await session.$delete({ param: { threadId } })).status).toBe(204);
    expect((await session.$get({ param: { threadId } })).status).toBe(404);
  });

  it("types the health route", async () => {
    const health = await client.healthz.$get();
    expect(health.status).toBe(200);
    if (health.status === 200) expectTypeOf(await health.json()).toEqualTypeOf<{ ok: true }>();
  });
});
