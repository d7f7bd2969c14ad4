/** Read-only tokens: minted by an API token, they read (one thread, if scoped) until they expire, and never write. */

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { ReadToken } from "../../src/contracts/read-tokens.ts";
import type { SessionView } from "../../src/contracts/replies.ts";
import { app } from "../../src/http/app.ts";
import { api, json, newThreadId, request, sessionPath } from "../support/api.ts";
import { ev } from "../support/events.ts";
import { isType, openLive, openStream } from "../support/live.ts";
import { sessionStub } from "../support/session-object.ts";
import { GLOBEX_TOKEN } from "../support/test-config.ts";

async function mint(body: unknown = {}, token?: string): Promise<ReadToken> {
  const response = await request("POST", "/v1/read-tokens", body, token === undefined ? {} : { token });
  expect(response.status).toBe(201);
  return json<ReadToken>(response);
}

async function startedSession(): Promise<string> {
  const threadId = newThreadId();
  expect((await api.post(threadId, ev.sessionStarted({ threadId }))).status).toBe(200);
  return threadId;
}

describe("minting", () => {
  it("answers 201 with a token that expires after 15 minutes by default", async () => {
    const before = Date.now();
    const minted = await mint();
    expect(minted.threadId).toBeNull();
    expect(minted.token).toMatch(/^rt1\./);
    const lifetime = Date.parse(minted.expiresAt) - before;
    expect(lifetime).toBeGreaterThanOrEqual(900_000 - 1000);
    expect(lifetime).toBeLessThanOrEqual(900_000 + 1000);
  });

  it("refuses a lifetime over one day with 422", async () => {
    const response = await request("POST", "/v1/read-tokens", { ttlSeconds: 86_401 });
    expect(response.status).toBe(422);
  });

  it("answers 503 not-configured without READ_TOKEN_SECRET", async () => {
    const response = await app.request(
      "/v1/read-tokens",
      {
        method: "POST",
        headers: { authorization: "Bearer acme-token-0001", "content-type": "application/json" },
        body: "{}",
      },
      { ...env, READ_TOKEN_SECRET: "" },
    );
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ type: "urn:provider-sessions:problem:not-configured" });
  });
});

describe("reading with a read token", () => {
  it("reads the tenant's sessions as a Bearer token and as ?access_token=", async () => {
    const threadId = await startedSession();
    const { token } = await mint();
    const viaHeader = await api.get(threadId, { token });
    expect(viaHeader.status).toBe(200);
    expect((await json<SessionView>(viaHeader)).status).toBe("ready");
    const viaQuery = await request(
      "GET",
      `${sessionPath(threadId)}?access_token=${encodeURIComponent(token)}`,
      undefined,
      {
        token: null,
      },
    );
    expect(viaQuery.status).toBe(200);
  });

  it("is forbidden (403) to write, delete or mint", async () => {
    const threadId = await startedSession();
    const { token } = await mint();
    expect((await api.post(threadId, ev.health({ threadId }), { token })).status).toBe(403);
    expect((await api.delete(threadId, { token })).status).toBe(403);
    expect((await request("POST", "/v1/read-tokens", {}, { token })).status).toBe(403);
    expect((await api.get(threadId)).status).toBe(200);
  });

  it("sees only its own thread when scoped to one: others are 404", async () => {
    const mine = await startedSession();
    const other = await startedSession();
    const { token } = await mint({ threadId: mine });
    expect((await api.get(mine, { token })).status).toBe(200);
    expect((await api.get(other, { token })).status).toBe(404);
    expect((await api.events(other, "", { token })).status).toBe(404);
  });

  it("is refused (401) when tampered, signed with another secret, or when an API token is put in the URL", async () => {
    const threadId = await startedSession();
    const { token } = await mint({ threadId });
    const [prefix, claims, mac] = token.split(".") as [string, string, string];
    const tampered = `${prefix}.${claims.slice(0, -2)}AA.${mac}`;
    expect((await api.get(threadId, { token: tampered })).status).toBe(401);
    expect((await api.get(threadId, { token: `${token}x` })).status).toBe(401);

    const forged = await app.request(
      sessionPath(threadId),
      { headers: { authorization: `Bearer ${token}` } },
      { ...env, READ_TOKEN_SECRET: "a-different-secret-of-at-least-32-characters" },
    );
    expect(forged.status).toBe(401);

    const apiTokenInUrl = await request("GET", `${sessionPath(threadId)}?access_token=acme-token-0001`, undefined, {
      token: null,
    });
    expect(apiTokenInUrl.status).toBe(401);
  });

  it("is refused (401) once expired", async () => {
    const threadId = await startedSession();
    const { token, expiresAt } = await mint({ threadId, ttlSeconds: 60 });
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.parse(expiresAt) - 1);
      expect((await api.get(threadId, { token })).status).toBe(200);
      vi.setSystemTime(Date.parse(expiresAt));
      expect((await api.get(threadId, { token })).status).toBe(401);
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps tenants apart: a globex read token does not see acme's session", async () => {
    const threadId = await startedSession();
    const { token } = await mint({}, GLOBEX_TOKEN);
    expect((await api.get(threadId, { token })).status).toBe(404);
  });

  it("opens the live stream with ?access_token=, as a browser does", async () => {
    const threadId = await startedSession();
    const { token } = await mint({ threadId });
    const live = await openLive(threadId, "0", { token: null, query: `access_token=${encodeURIComponent(token)}` });
    await live.until(isType("synchronized"));
    expect(live.messages[0]).toMatchObject({ type: "snapshot", session: { lastSeq: 1 } });
    live.close();
  });
});

describe("a subscription opened with a read token", () => {
  it("closes the WebSocket with 4401 when the token expires, by the object's alarm", async () => {
    const threadId = await startedSession();
    const { token, expiresAt } = await mint({ threadId, ttlSeconds: 60 });
    const live = await openLive(threadId, undefined, { token });
    await live.until(isType("synchronized"));
    const alarm = await runInDurableObject(sessionStub(threadId), (_, ctx) => ctx.storage.getAlarm());
    expect(alarm).toBe(Date.parse(expiresAt));

    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.parse(expiresAt) + 1);
      await runDurableObjectAlarm(sessionStub(threadId));
      expect(await live.closed).toEqual({ code: 4401, reason: "read token expired" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("ends the event stream when the token expires", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "setTimeout", "clearInterval", "clearTimeout"] });
    try {
      const threadId = await startedSession();
      const { token } = await mint({ threadId, ttlSeconds: 60 });
      const stream = await openStream(threadId, `?access_token=${encodeURIComponent(token)}`, {}, null);
      await stream.until(isType("synchronized"));
      await runInDurableObject(sessionStub(threadId), () => vi.advanceTimersByTimeAsync(61_000));
      await stream.closed;
      // Heartbeats every 15 s until the token's end at 60 s, not the 5 minutes of an API token's stream.
      expect(stream.comments.length).toBeGreaterThanOrEqual(3);
      expect(stream.comments.length).toBeLessThanOrEqual(4);
    } finally {
      vi.useRealTimers();
    }
  });
});
