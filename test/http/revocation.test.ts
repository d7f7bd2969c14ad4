/**
 * Read tokens that can be cut off: a token stands only while its tenant is configured, the secret that signed it is
 * configured, and it is not revoked, tenant-wide or by itself. Open subscriptions of a revoked token close with 4401
 * within a minute; the directory's too, and at their token's expiry.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DirectoryMessage } from "../../src/contracts/directory.ts";
import type { ReadToken } from "../../src/contracts/read-tokens.ts";
import { app } from "../../src/http/app.ts";
import { api, json, newThreadId, request, sessionPath } from "../support/api.ts";
import { ev } from "../support/events.ts";
import { isType, openLive, openStream, openWebSocket } from "../support/live.ts";
import { expectProblem } from "../support/problems.ts";
import { advance, HOUR, MINUTE, SECOND, sessionStub, useFakeClock } from "../support/session-object.ts";
import { ACME_TOKEN, GLOBEX_TOKEN, TEST_READ_TOKEN_SECRET } from "../support/test-config.ts";

const SECRET_B = "a-second-read-token-secret-of-32-characters-or-more";

/**
 * Revocations are tenant-wide and outlive a test: each test runs on a faked clock an hour past the last one's, so
 * what an earlier test revoked is behind it.
 */
let clock = Date.now();
beforeEach(() => {
  useFakeClock();
  clock += HOUR;
  vi.setSystemTime(clock);
});
afterEach(() => {
  clock = Date.now();
  vi.useRealTimers();
});

/** The Worker under another configuration, sharing this run's Durable Objects. */
function under(overrides: Record<string, string>) {
  const configured = { ...env, ...overrides };
  return {
    read: (threadId: string, token: string) =>
      app.request(sessionPath(threadId), { headers: { authorization: `Bearer ${token}` } }, configured),
    mint: async () => {
      const init = { method: "POST", headers: { authorization: `Bearer ${ACME_TOKEN}` } };
      const response = await app.request("/v1/read-tokens", init, configured);
      expect(response.status).toBe(201);
      return (await json<ReadToken>(response)).token;
    },
  };
}

async function mint(body: object = {}): Promise<string> {
  const response = await request("POST", "/v1/read-tokens", body);
  expect(response.status).toBe(201);
  return (await json<ReadToken>(response)).token;
}

async function startedSession(): Promise<string> {
  const threadId = newThreadId();
  expect((await api.post(threadId, ev.sessionStarted({ threadId }))).status).toBe(200);
  return threadId;
}

const readsWith = async (threadId: string, token: string) => (await api.get(threadId, { token })).status;

describe("a read token stands only while", () => {
  it("its tenant is in API_TOKENS", async () => {
    const threadId = await startedSession();
    const token = await mint();
    expect((await under({}).read(threadId, token)).status).toBe(200);
    const withoutAcme = under({ API_TOKENS: `globex:${GLOBEX_TOKEN}` });
    await expectProblem(await withoutAcme.read(threadId, token), 401, "unauthorized");
  });

  it("the secret that signed it is configured: the newest secret signs, every one verifies", async () => {
    const threadId = await startedSession();
    const signedByA = await mint();
    const rotated = under({ READ_TOKEN_SECRET: `${SECRET_B},${TEST_READ_TOKEN_SECRET}` });
    expect((await rotated.read(threadId, signedByA)).status).toBe(200);
    const signedByB = await rotated.mint();
    expect((await rotated.read(threadId, signedByB)).status).toBe(200);
    const onlyB = under({ READ_TOKEN_SECRET: SECRET_B });
    expect((await onlyB.read(threadId, signedByB)).status).toBe(200);
    await expectProblem(await onlyB.read(threadId, signedByA), 401, "unauthorized");
    await expectProblem(await under({}).read(threadId, signedByB), 401, "unauthorized");
  });
});

describe("POST /v1/read-tokens/revoke", () => {
  it("cuts off every read token of the tenant minted until then, and not one minted after", async () => {
    const threadId = await startedSession();
    const before = await mint();
    const scoped = await mint({ threadId });
    advance(SECOND);
    expect((await request("POST", "/v1/read-tokens/revoke")).status).toBe(204);
    await expectProblem(await api.get(threadId, { token: before }), 401, "unauthorized");
    await expectProblem(await api.get(threadId, { token: scoped }), 401, "unauthorized");
    advance(SECOND);
    expect(await readsWith(threadId, await mint())).toBe(200);
  });

  it("leaves the other tenants' read tokens alone", async () => {
    const globexToken = (await json<ReadToken>(await request("POST", "/v1/read-tokens", {}, { token: GLOBEX_TOKEN })))
      .token;
    advance(SECOND);
    expect((await request("POST", "/v1/read-tokens/revoke")).status).toBe(204);
    expect((await request("GET", "/v1/sessions", undefined, { token: globexToken })).status).toBe(200);
  });

  it("holds through every Worker instance within 60 s: an instance reuses what it read for at most that long", async () => {
    const threadId = await startedSession();
    advance(SECOND);
    const token = await mint();
    expect(await readsWith(threadId, token)).toBe(200);
    // As another instance would revoke: straight at the directory, so this instance's copy is stale.
    await env.DIRECTORY.getByName("acme").revokeAll();
    advance(59 * SECOND);
    expect(await readsWith(threadId, token)).toBe(200);
    advance(SECOND);
    expect(await readsWith(threadId, token)).toBe(401);
  });

  it("is refused to a read token (403)", async () => {
    await expectProblem(
      await request("POST", "/v1/read-tokens/revoke", undefined, { token: await mint() }),
      403,
      "forbidden",
    );
  });
});

describe("DELETE /v1/read-tokens/self", () => {
  it("cuts off the token that asks, and no other", async () => {
    const threadId = await startedSession();
    const signingOut = await mint();
    const other = await mint();
    expect((await request("DELETE", "/v1/read-tokens/self", undefined, { token: signingOut })).status).toBe(204);
    await expectProblem(await api.get(threadId, { token: signingOut }), 401, "unauthorized");
    expect(await readsWith(threadId, other)).toBe(200);
  });

  it("is refused to an API token (403): it has no self to revoke", async () => {
    await expectProblem(await request("DELETE", "/v1/read-tokens/self"), 403, "forbidden");
  });
});

describe("open subscriptions of a token that no longer stands", () => {
  it("close with 4401 within 60 s: a session's WebSocket and event stream at its alarm, the directory's at once", async () => {
    const threadId = await startedSession();
    advance(SECOND);
    const token = await mint();
    const live = await openLive(threadId, undefined, { token });
    const stream = await openStream(threadId, "", {}, token);
    const directory = await openWebSocket<DirectoryMessage>("/v1/directory/live", undefined, { token });
    await Promise.all([live.until(isType("synchronized")), stream.until(isType("synchronized"))]);
    await directory.until((message) => message.type === "synchronized");
    const alarm = await runInDurableObject(sessionStub(threadId), (_, state) => state.storage.getAlarm());
    expect(alarm).toBeLessThanOrEqual(Date.now() + MINUTE);

    expect((await request("POST", "/v1/read-tokens/revoke")).status).toBe(204);
    expect(await directory.closed).toEqual({ code: 4401, reason: "read token revoked" });
    advance(MINUTE);
    await runDurableObjectAlarm(sessionStub(threadId));
    expect(await live.closed).toEqual({ code: 4401, reason: "read token revoked" });
    await stream.closed;
  });

  it("close on the directory when the token expires: the directory wakes for it", async () => {
    advance(SECOND);
    const { token, expiresAt } = await json<ReadToken>(await request("POST", "/v1/read-tokens", { ttlSeconds: 30 }));
    const directory = await openWebSocket<DirectoryMessage>("/v1/directory/live", undefined, { token });
    await directory.until((message) => message.type === "synchronized");
    const stub = env.DIRECTORY.getByName("acme");
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBe(Date.parse(expiresAt));
    advance(30 * SECOND);
    await runDurableObjectAlarm(stub);
    expect(await directory.closed).toEqual({ code: 4401, reason: "read token expired" });
  });
});
