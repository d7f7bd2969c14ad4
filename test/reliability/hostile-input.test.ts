/**
 * Hostile input through the Worker: random and malformed bodies, paths, media types and Authorization headers are
 * refused with a 4xx problem+json that changes nothing; awkward but valid text reads back as sent; tenants stay apart.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import type { EventPage, IngestReply, SessionView } from "../../src/contracts/replies.ts";
import { api, json, newThreadId, request } from "../support/api.ts";
import { awkwardText, awkwardThreadId, hostileBody } from "../support/arbitraries.ts";
import { canonical } from "../support/checks.ts";
import { ev } from "../support/events.ts";
import { ACME_TOKEN, GLOBEX_TOKEN } from "../support/test-config.ts";

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

const statuses = new Map<number, number>();
afterAll(() => {
  const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
  const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${count} x ${status}`);
  console.info(`hostile input: ${total} requests refused (${byStatus.join(", ")}); 0 5xx, 0 partial writes`);
});

async function expectRefused(response: Response): Promise<Problem> {
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const problem = await json<Problem>(response);
  expect(problem.type).toMatch(/^urn:provider-sessions:problem:[a-z-]+$/);
  expect(problem.status).toBe(response.status);
  expect(problem.title).toEqual(expect.stringMatching(/./));
  expect(problem.detail).toEqual(expect.stringMatching(/./));
  return problem;
}

/** Everything a tenant can observe of a session. */
async function observe(threadId: string, token = ACME_TOKEN) {
  const session = await api.get(threadId, { token });
  const log = await api.events(threadId, "?limit=1000", { token });
  return {
    status: session.status,
    view: session.status === 200 ? await json<SessionView>(session) : null,
    log: log.status === 200 ? (await json<EventPage>(log)).events : null,
  };
}

let target: { threadId: string; before: Awaited<ReturnType<typeof observe>> };

beforeAll(async () => {
  const threadId = newThreadId();
  await api.post(threadId, [ev.sessionStarted({ threadId }), ev.turnStarted("t1", { threadId })]);
  target = { threadId, before: await observe(threadId) };
  expect(target.before.view).toMatchObject({ status: "running", eventCount: 2 });
});

const valid = (threadId: string) => ev.contentDelta("t1", { threadId });

describe("hostile input is refused with a 4xx problem and changes nothing", () => {
  it("refuses random, malformed, deep, huge and partly invalid bodies", async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody(valid), fc.boolean(), async (body, toTarget) => {
        const threadId = toTarget ? target.threadId : newThreadId();
        await expectRefused(await api.post(threadId, body(threadId)));
        if (toTarget) expect(await observe(threadId)).toEqual(target.before);
        else expect((await api.get(threadId)).status).toBe(404);
      }),
    );
  }, 120_000);

  it("refuses bodies that are not sent as JSON", async () => {
    const mediaType = fc.constantFrom(null, "", "text/plain", "application/x-www-form-urlencoded", "application/jsonx");
    await fc.assert(
      fc.asyncProperty(mediaType, async (contentType) => {
        const threadId = newThreadId();
        await expectRefused(await api.post(threadId, valid(threadId), { contentType }));
        expect((await api.get(threadId)).status).toBe(404);
      }),
      { numRuns: 20 },
    );
  });

  it("refuses path ids that are empty, too long, or full of slashes, dot segments and percent-encodings", async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        "",
        "/",
        "//",
        ".",
        "..",
        "%2e%2e",
        "%2E%2E",
        ".%2e",
        "%2F",
        "%",
        "%ZZ",
        "%ED%A0%80",
        "%00",
        "%C0%AF",
      ),
      fc.integer({ min: 257, max: 4000 }).map((length) => "x".repeat(length)),
      fc
        .array(fc.constantFrom("/", "..", ".", "%2F", "%2e", "%25", "%", "x", ";", "?", "#"), {
          minLength: 1,
          maxLength: 24,
        })
        .map((parts) => parts.join("")),
    );
    const suffix = fc.constantFrom(
      "",
      "/events",
      "/events?after=-1",
      "/events?limit=0",
      "/events?after=1e400",
      "/x/events",
    );
    const method = fc.constantFrom("GET", "POST", "DELETE", "PUT", "PATCH");
    await fc.assert(
      fc.asyncProperty(segment, suffix, method, async (id, rest, verb) => {
        const body = verb === "GET" || verb === "DELETE" ? undefined : valid(target.threadId);
        await expectRefused(await request(verb, `/v1/sessions/${id}${rest}`, body));
        expect((await request("GET", `/v1/sessions/${id}${rest}`)).status).not.toBe(200);
        expect(await observe(target.threadId)).toEqual(target.before);
      }),
    );
  }, 120_000);

  it("refuses missing, duplicated, oversized and malformed Authorization headers", async () => {
    const authorization = fc.oneof(
      fc.constantFrom(
        `Bearer ${ACME_TOKEN}, Bearer ${ACME_TOKEN}`,
        `Bearer ${ACME_TOKEN}, Bearer ${GLOBEX_TOKEN}`,
        `Bearer ${ACME_TOKEN} extra`,
        `Bearer ${ACME_TOKEN}x`,
        `Bearer\t${ACME_TOKEN}`,
        `Basic ${btoa(`acme:${ACME_TOKEN}`)}`,
        `Token ${ACME_TOKEN}`,
        "Bearer",
        `Bearer ${encodeURIComponent(`${ACME_TOKEN}=x`)}`,
      ),
      fc.integer({ min: 1_000, max: 200_000 }).map((length) => `Bearer ${"a".repeat(length)}`),
      fc.string({ unit: "binary-ascii", maxLength: 80 }).map((text) => text.replace(/[^\x20-\x7e]/g, "")),
    );
    const action = fc.constantFrom("post", "get", "events", "delete");
    await fc.assert(
      fc.asyncProperty(fc.option(authorization), action, async (header, verb) => {
        const fresh = newThreadId();
        const options = { token: null, headers: header === null ? {} : { authorization: header } };
        const attempt = {
          post: () => api.post(fresh, valid(fresh), options),
          get: () => api.get(target.threadId, options),
          events: () => api.events(target.threadId, "", options),
          delete: () => api.delete(target.threadId, options),
        }[verb];
        expect((await expectRefused(await attempt())).status).toBe(401);
        expect((await api.get(fresh)).status).toBe(404);
        expect(await observe(target.threadId)).toEqual(target.before);
      }),
    );
  }, 120_000);

  it("stores awkward text as sent and answers its replay as a duplicate, or refuses it whole", async () => {
    const content = fc.record({
      eventId: awkwardText,
      provider: awkwardText,
      turnId: awkwardText,
      key: awkwardText,
      text: awkwardText,
    });
    await fc.assert(
      fc.asyncProperty(content, async ({ eventId, provider, turnId, key, text }) => {
        const threadId = newThreadId();
        const event: RuntimeEvent = {
          ...ev.contentDelta(turnId, { threadId, provider, eventId }),
          payload: { [key]: text, delta: text },
          vendorExtra: { [key]: [text, { nested: text }] },
        };
        const first = await api.post(threadId, event);
        if (first.status !== 200) {
          await expectRefused(first);
          return void expect((await api.get(threadId)).status).toBe(404);
        }
        const replay = await api.post(threadId, event);
        expect(replay.status).toBe(200);
        expect((await json<IngestReply>(replay)).results).toEqual([{ eventId, seq: 1, outcome: "duplicate" }]);
        const log = (await observe(threadId)).log ?? [];
        expect(log.map((entry) => canonical(entry.event))).toEqual([canonical(event)]);
      }),
    );
  }, 120_000);
});

describe("counterexamples found by the fuzz tests", () => {
  it("refuses an eventId with a lone surrogate, whose replay could not be recognised (it answered 500)", async () => {
    const threadId = newThreadId();
    const event = { ...valid(threadId), eventId: "\ud800" };
    const problem = await expectRefused(await api.post(threadId, event));
    expect(problem).toMatchObject({ status: 422, errors: [{ pointer: "/eventId" }] });
    expect((await api.get(threadId)).status).toBe(404);
  });

  it("refuses nesting past 64 levels in a field it does not know, instead of overflowing the stack (500)", async () => {
    const threadId = newThreadId();
    const body = JSON.stringify({ ...valid(threadId), vendorExtra: 0 }).replace(
      '"vendorExtra":0',
      `"vendorExtra":${"[".repeat(4000)}${"]".repeat(4000)}`,
    );
    const problem = await expectRefused(await api.post(threadId, body));
    expect(problem).toMatchObject({ status: 422, errors: [{ pointer: "/vendorExtra" }] });
    expect((await api.get(threadId)).status).toBe(404);
  });
});

/** Ways to write one id in a path: all name the same session but `twice`, which names `encodeURIComponent(id)`. */
const ENCODINGS = {
  standard: (id: string) => encodeURIComponent(id),
  lowercase: (id: string) => encodeURIComponent(id).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
  everyByte: (id: string) =>
    [...new TextEncoder().encode(id)].map((byte) => `%${byte.toString(16).padStart(2, "0").toUpperCase()}`).join(""),
  twice: (id: string) => encodeURIComponent(encodeURIComponent(id)),
};
type Encoding = keyof typeof ENCODINGS;
const addressed = (encoding: Encoding, id: string) => (encoding === "twice" ? encodeURIComponent(id) : id);

/** The acme id itself, or ids that would reach it if the object name were built naively. */
const VARIANTS = {
  same: (id: string) => id,
  tenantPrefixed: (id: string) => `acme/${id}`,
  traversal: (id: string) => `../acme/${id}`,
};
type Variant = keyof typeof VARIANTS;

const encoding = fc.constantFrom(...(Object.keys(ENCODINGS) as Encoding[]));
const variant = fc.constantFrom(...(Object.keys(VARIANTS) as Variant[]));
const cursor = fc.oneof(fc.integer({ min: -3, max: 6 }).map(String), fc.constantFrom("", "abc", "1e400", "0x1"));
const globexOperation = fc.oneof(
  fc.record({ kind: fc.constant("read" as const), variant, encoding }),
  fc.record({ kind: fc.constant("events" as const), variant, encoding, after: cursor, limit: cursor }),
  fc.record({ kind: fc.constant("delete" as const), variant, encoding }),
  fc.record({ kind: fc.constant("write" as const), variant }),
  fc.record({ kind: fc.constant("acme-read" as const), encoding }),
);

describe("tenant isolation", () => {
  it("keeps tenants apart whatever the id, its encoding or the cursor", async () => {
    const globex = { token: GLOBEX_TOKEN };
    await fc.assert(
      fc.asyncProperty(
        awkwardThreadId,
        fc.array(globexOperation, { minLength: 1, maxLength: 6 }),
        async (name, ops) => {
          const acmeId = `${Array.from(name).slice(0, 200).join("")}~${crypto.randomUUID()}`;
          await api.post(acmeId, [
            ev.sessionStarted({ threadId: acmeId }),
            ev.turnStarted("acme-turn", { threadId: acmeId }),
          ]);
          const acme = await observe(acmeId);
          expect(acme.view).toMatchObject({ eventCount: 2, activeTurnId: "acme-turn" });
          /** What globex wrote, by the threadId it wrote to. */
          const written = new Map<string, string[]>();
          for (const op of ops) {
            if (op.kind === "write") {
              const threadId = VARIANTS[op.variant](acmeId);
              const event = ev.health({ threadId, provider: "globex-provider" });
              expect((await api.post(threadId, event, globex)).status).toBe(200);
              written.set(threadId, [...(written.get(threadId) ?? []), event.eventId]);
              continue;
            }
            if (op.kind === "acme-read") {
              const response = await request("GET", `/v1/sessions/${ENCODINGS[op.encoding](acmeId)}`);
              if (addressed(op.encoding, acmeId) !== acmeId) await expectRefused(response);
              else expect(await json(response)).toEqual(acme.view);
              continue;
            }
            const threadId = VARIANTS[op.variant](acmeId);
            const path = `/v1/sessions/${ENCODINGS[op.encoding](threadId)}`;
            const own = written.get(addressed(op.encoding, threadId));
            if (op.kind === "read") {
              const response = await request("GET", path, undefined, globex);
              if (own === undefined) await expectRefused(response);
              else
                expect(await json(response)).toMatchObject({ eventCount: own.length, providerName: "globex-provider" });
            } else if (op.kind === "events") {
              const response = await request(
                "GET",
                `${path}/events?after=${op.after}&limit=${op.limit}`,
                undefined,
                globex,
              );
              if (response.status !== 200) await expectRefused(response);
              else
                expect((await json<EventPage>(response)).events.map((e) => e.event.eventId)).toEqual(
                  own?.slice(Number(op.after) || 0),
                );
            } else {
              const response = await request("DELETE", path, undefined, globex);
              if (own === undefined) await expectRefused(response);
              else expect(response.status).toBe(204);
              written.delete(addressed(op.encoding, threadId));
            }
          }
          expect(await observe(acmeId)).toEqual(acme);
        },
      ),
    );
  }, 120_000);
});
