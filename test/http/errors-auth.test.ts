import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SessionView } from "../../src/contracts/replies.ts";
import { app } from "../../src/http/app.ts";
import { api, json, newThreadId, request, sessionPath } from "../support/api.ts";
import { ev } from "../support/events.ts";
import { expectProblem } from "../support/problems.ts";
import { sessionStub } from "../support/session-object.ts";
import { ACME_TOKEN, GLOBEX_TOKEN } from "../support/test-config.ts";

async function expectNoSession(threadId: string) {
  expect((await api.get(threadId)).status).toBe(404);
}

describe("bad input is refused with problem+json and stores nothing", () => {
  it("answers 400 for malformed JSON", async () => {
    const threadId = newThreadId();
    await expectProblem(await api.post(threadId, '{"eventId": '), 400, "malformed-request");
    await expectNoSession(threadId);
  });

  it("answers 415 for a body that is not JSON", async () => {
    const threadId = newThreadId();
    const response = await api.post(threadId, "eventId=1", { headers: { "content-type": "text/plain" } });
    await expectProblem(response, 415, "unsupported-media-type");
    await expectNoSession(threadId);
  });

  it("answers 413 for a body over 1 MiB", async () => {
    const threadId = newThreadId();
    const event = { ...ev.contentDelta("t", { threadId }), payload: { delta: "x".repeat(1024 * 1024) } };
    await expectProblem(await api.post(threadId, event), 413, "payload-too-large");
    await expectNoSession(threadId);
  });

  it("answers 422 with the failing field paths for a schema violation", async () => {
    const threadId = newThreadId();
    const bad = [ev.sessionStarted({ threadId }), { ...ev.state("ready", { threadId }), payload: { state: "asleep" } }];
    const problem = await expectProblem(await api.post(threadId, bad), 422, "validation-failed");
    expect(problem.errors?.map((e) => e.pointer)).toEqual(["/1/payload/state"]);
    await expectNoSession(threadId);
  });

  it("names every missing field of a single event", async () => {
    const threadId = newThreadId();
    const problem = await expectProblem(await api.post(threadId, { type: "turn.started" }), 422, "validation-failed");
    expect(problem.errors?.map((e) => e.pointer)).toEqual(
      expect.arrayContaining(["/eventId", "/provider", "/threadId", "/createdAt"]),
    );
  });

  it("answers 422 when a runtime.error has no message", async () => {
    const threadId = newThreadId();
    const event = { ...ev.runtimeError("x", undefined, { threadId }), payload: {} };
    const problem = await expectProblem(await api.post(threadId, event), 422, "validation-failed");
    expect(problem.errors?.map((e) => e.pointer)).toEqual(["/payload/message"]);
  });

  it("answers 422 when an event belongs to another thread than the path", async () => {
    const threadId = newThreadId();
    const batch = [ev.sessionStarted({ threadId }), ev.turnStarted("t1", { threadId: "someone-else" })];
    const problem = await expectProblem(await api.post(threadId, batch), 422, "validation-failed");
    expect(problem.errors).toEqual([{ pointer: "/1/threadId", detail: "must equal the threadId in the path" }]);
    await expectNoSession(threadId);
  });

  it("answers 422 for an empty batch and for more than 500 events", async () => {
    const threadId = newThreadId();
    await expectProblem(await api.post(threadId, []), 422, "validation-failed");
    const tooMany = Array.from({ length: 501 }, () => ev.contentDelta("t", { threadId }));
    await expectProblem(await api.post(threadId, tooMany), 422, "validation-failed");
    await expectNoSession(threadId);
  });

  it("answers 422 for a threadId over 256 characters and for a bad page size", async () => {
    await expectProblem(await api.get("x".repeat(257)), 422, "validation-failed");
    await expectProblem(await api.events(newThreadId(), "?limit=1001"), 422, "validation-failed");
  });

  it("answers 404 problem+json for an unknown route", async () => {
    await expectProblem(await request("GET", "/v1/anything"), 404, "not-found");
  });
});

describe("a threadId has one spelling in the path", () => {
  async function expectNoStorage(threadId: string) {
    await runInDurableObject(sessionStub(threadId), (_, state) => {
      expect(state.storage.sql.exec("SELECT name FROM sqlite_master").toArray()).toEqual([]);
    });
  }

  const controlCharacter = [422, "validation-failed"] as const;
  const undecodable = [400, "malformed-request"] as const;
  it.each([
    ["a NUL", "a%00b", "a\u0000b", controlCharacter],
    ["a C0 control", "a%1Fb", "a\u001fb", controlCharacter],
    ["DEL", "a%7Fb", "a\u007fb", controlCharacter],
    ["a C1 control", "a%C2%80b", "a\u0080b", controlCharacter],
    ["an undecodable percent sequence", "%zz", "%zz", undecodable],
    ["truncated UTF-8", "%E0%A4%A", "%E0%A4%A", undecodable],
  ])("refuses %s on every route and creates nothing", async (_, raw, id, [status, type]) => {
    const suffix = crypto.randomUUID();
    const [segment, threadId] = [`${raw}-${suffix}`, `${id}-${suffix}`];
    for (const [method, path, body] of [
      ["POST", `/v1/sessions/${segment}/events`, ev.sessionStarted({ threadId })],
      ["GET", `/v1/sessions/${segment}`, undefined],
      ["GET", `/v1/sessions/${segment}/events`, undefined],
      ["DELETE", `/v1/sessions/${segment}`, undefined],
    ] as const) {
      await expectProblem(await request(method, path, body), status, type);
    }
    await expectNoStorage(threadId);
  });

  it("keeps a literal %zz, sent as %25zz, apart from the refused raw %zz", async () => {
    const threadId = `%zz-${crypto.randomUUID()}`;
    const raw = `/v1/sessions/${threadId}`;
    expect((await request("POST", `${raw}/events`, ev.sessionStarted({ threadId }))).status).toBe(400);
    await expectNoSession(threadId);
    expect((await api.post(threadId, ev.sessionStarted({ threadId }))).status).toBe(200);
    expect(await json<SessionView>(await api.get(threadId))).toMatchObject({ threadId, eventCount: 1 });
    await expectProblem(await request("GET", raw), 400, "malformed-request");
  });

  it.each(["thread-😀", "a b", "ü-ñ", "x%y"])("still serves the ordinary id %j", async (name) => {
    const threadId = `${name}-${crypto.randomUUID()}`;
    expect((await api.post(threadId, ev.sessionStarted({ threadId }))).status).toBe(200);
    expect(await json<SessionView>(await api.get(threadId))).toMatchObject({ threadId, eventCount: 1 });
    expect((await api.events(threadId)).status).toBe(200);
    expect((await api.delete(threadId)).status).toBe(204);
  });
});

describe("authentication", () => {
  it.each([
    ["no Authorization header", {}],
    ["a wrong token", { authorization: "Bearer not-a-real-token" }],
    ["a non-Bearer scheme", { authorization: "Basic YWNtZTpzZWNyZXQ=" }],
    ["an empty Bearer", { authorization: "Bearer " }],
  ])("answers 401 for %s", async (_, headers) => {
    const response = await request("GET", sessionPath("t"), undefined, { token: null, headers });
    await expectProblem(response, 401, "unauthorized");
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("answers 401 for every shortened form of a valid token: its prefixes, its suffixes and the token without one character", async () => {
    const shortened = new Set<string>();
    for (let length = 1; length < ACME_TOKEN.length; length += 1) {
      shortened.add(ACME_TOKEN.slice(0, length));
      shortened.add(ACME_TOKEN.slice(ACME_TOKEN.length - length));
      shortened.add(ACME_TOKEN.slice(0, length - 1) + ACME_TOKEN.slice(length));
    }
    const statuses = await Promise.all(
      [...shortened].map(async (token) => [token, (await api.get(newThreadId(), { token })).status] as const),
    );
    expect(statuses.filter(([, status]) => status !== 401)).toEqual([]);
    expect((await api.get(newThreadId())).status).toBe(404);
  });

  it("fails closed with 503 when API_TOKENS is not configured", async () => {
    const response = await app.request(
      sessionPath("t"),
      { headers: { authorization: "Bearer anything-at-all" } },
      {
        ...env,
        API_TOKENS: "",
      },
    );
    await expectProblem(response, 503, "not-configured");
  });

  it("answers 500 naming the variable when API_TOKENS is malformed", async () => {
    const response = await app.request(
      sessionPath("t"),
      { headers: { authorization: "Bearer anything-at-all" } },
      {
        ...env,
        API_TOKENS: "no-separator",
      },
    );
    const problem = await expectProblem(response, 500, "misconfigured");
    expect(problem.detail).toContain("API_TOKENS");
  });
});

describe("tenant isolation", () => {
  it("keeps the same threadId under two tenants as two sessions", async () => {
    const threadId = newThreadId();
    await api.post(threadId, [ev.sessionStarted({ threadId }), ev.turnStarted("acme-turn", { threadId })]);
    expect((await api.get(threadId, { token: GLOBEX_TOKEN })).status).toBe(404);
    expect((await api.events(threadId, "", { token: GLOBEX_TOKEN })).status).toBe(404);
    expect((await api.delete(threadId, { token: GLOBEX_TOKEN })).status).toBe(404);

    await api.post(threadId, ev.sessionStarted({ threadId }), { token: GLOBEX_TOKEN });
    const globex = await json<SessionView>(await api.get(threadId, { token: GLOBEX_TOKEN }));
    const acme = await json<SessionView>(await api.get(threadId));
    expect(globex).toMatchObject({ status: "ready", activeTurnId: null, eventCount: 1 });
    expect(acme).toMatchObject({ status: "running", activeTurnId: "acme-turn", eventCount: 2 });
  });
});

describe("responses", () => {
  it("tells browsers not to sniff a JSON answer or a problem", async () => {
    const threadId = newThreadId();
    const answers = [
      await request("GET", "/healthz", undefined, { token: null }),
      await api.post(threadId, ev.sessionStarted({ threadId })),
      await api.get(threadId),
      await api.events(threadId),
      await api.get(newThreadId()),
      await request("GET", "/v1/nothing-here"),
      await api.get(threadId, { token: null }),
    ];
    for (const response of answers) expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
