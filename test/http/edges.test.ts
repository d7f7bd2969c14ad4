/**
 * The API's edges: repeated parameters, empty and oversized bodies, one parsing rule for `after` and `limit` on every
 * route that takes them, HEAD as a read, 405 with Allow, and one spelling per token and cursor.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { DirectoryPage } from "../../src/contracts/directory.ts";
import type { ReadToken } from "../../src/contracts/read-tokens.ts";
import { app } from "../../src/http/app.ts";
import { api, json, newThreadId, request, sessionPath } from "../support/api.ts";
import { ev } from "../support/events.ts";
import { expectProblem } from "../support/problems.ts";
import { ACME_TOKEN } from "../support/test-config.ts";

async function startedSession(): Promise<string> {
  const threadId = newThreadId();
  expect((await api.post(threadId, [ev.sessionStarted({ threadId }), ev.turnStarted("t1", { threadId })])).status).toBe(
    200,
  );
  return threadId;
}

const repeated = (name: string, value: string, times: number) => Array(times).fill(`${name}=${value}`).join("&");

describe("repeated query parameters", () => {
  it("answers 422 naming the parameter when one is repeated more than 16 times, even with every filter", async () => {
    const cursor = btoa(JSON.stringify([1, "x"])).replaceAll("=", "");
    const query = `${repeated("status", "running", 97)}&cursor=${cursor}&active=true&attention=true`;
    const problem = await expectProblem(await request("GET", `/v1/sessions?${query}`), 422, "validation-failed");
    expect(problem.errors?.map((error) => error.pointer)).toEqual(["status"]);
  });

  it("answers 422 for any parameter of any route repeated more than 16 times", async () => {
    const threadId = await startedSession();
    await expectProblem(await api.events(threadId, `?${repeated("after", "0", 17)}`), 422, "validation-failed");
    await expectProblem(await request("GET", `/v1/sessions?${repeated("zzz", "1", 17)}`), 422, "validation-failed");
  });

  it("lists with 16 repeats of one status as with one: the values count once", async () => {
    const threadId = await startedSession();
    const once = await json<DirectoryPage>(await request("GET", "/v1/sessions?status=running&limit=200"));
    const response = await request("GET", `/v1/sessions?${repeated("status", "running", 16)}&limit=200`);
    expect(response.status).toBe(200);
    const page = await json<DirectoryPage>(response);
    expect(page.sessions.map((session) => session.threadId)).toContain(threadId);
    expect(page.sessions.map((session) => session.threadId)).toEqual(once.sessions.map((s) => s.threadId));
  });
});

describe("POST /v1/read-tokens bodies", () => {
  const mintWith = (init: RequestInit) =>
    rawFetch("/v1/read-tokens", {
      method: "POST",
      ...init,
      headers: { authorization: `Bearer ${ACME_TOKEN}`, ...init.headers },
    });

  it("takes no body as every default: 201, 900 s, no thread", async () => {
    for (const init of [
      {},
      { headers: { "content-length": "0" } },
      { headers: { "content-type": "application/json" }, body: "" },
    ]) {
      const before = Date.now();
      const response = await mintWith(init);
      expect(response.status).toBe(201);
      const minted = await json<ReadToken>(response);
      expect(minted.threadId).toBeNull();
      expect(Date.parse(minted.expiresAt) - before).toBeGreaterThanOrEqual(899_000);
      expect(Date.parse(minted.expiresAt) - before).toBeLessThanOrEqual(901_000);
    }
  });

  it("answers 413 for a body over 16 KiB", async () => {
    const body = JSON.stringify({ ttlSeconds: 60, padding: "x".repeat(16 * 1024) });
    await expectProblem(
      await mintWith({ headers: { "content-type": "application/json" }, body }),
      413,
      "payload-too-large",
    );
  });

  it("answers 400 for malformed JSON and 415 for a body that is not JSON", async () => {
    await expectProblem(
      await mintWith({ headers: { "content-type": "application/json" }, body: "{" }),
      400,
      "malformed-request",
    );
    await expectProblem(
      await mintWith({ headers: { "content-type": "text/plain" }, body: "{}" }),
      415,
      "unsupported-media-type",
    );
  });

  it("refuses a threadId with a control character or a lone surrogate, as every session route does", async () => {
    for (const threadId of ["bad\u0007thread", "bad\ud800thread", ""]) {
      const response = await mintWith({
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ threadId }),
      });
      await expectProblem(response, 422, "validation-failed");
    }
  });
});

describe("an unexpected failure", () => {
  const broken = {
    ...env,
    SESSIONS: {
      getByName: () => ({
        read: () => Promise.reject(new Error("boom")),
        ingest: () => Promise.reject(new Error("boom")),
      }),
    },
  };
  const headers = { authorization: `Bearer ${ACME_TOKEN}`, "content-type": "application/json" };

  it("tells a reader nothing about writes", async () => {
    const response = await app.request(sessionPath("t1"), { headers }, broken);
    const problem = await expectProblem(response, 500, "internal");
    expect(problem.detail).not.toMatch(/write|stored/);
  });

  it("tells a writer that the write may or may not be stored", async () => {
    const threadId = "t1";
    const body = JSON.stringify(ev.sessionStarted({ threadId }));
    const response = await app.request(`${sessionPath(threadId)}/events`, { method: "POST", headers, body }, broken);
    const problem = await expectProblem(response, 500, "internal");
    expect(problem.detail).toMatch(/may or may not have been stored/);
  });
});

/** One table of `after` values: each route that takes a seq or a version reads them alike. */
const AFTER_ACCEPTED = ["0", "1", "007", "999999999999999"];
const AFTER_REFUSED = [
  "",
  "1e2",
  "1e3",
  "-1",
  "+1",
  " 1",
  "1 ",
  "1.0",
  "0x10",
  "null",
  "abc",
  "9007199254740991",
  "1:",
];

describe("one parsing rule for after and limit", () => {
  it("refuses the same after values with 422 on every route that takes one", async () => {
    const threadId = await startedSession();
    const routes = [
      (after: string) => api.events(threadId, `?after=${encodeURIComponent(after)}`),
      (after: string) => request("GET", `${sessionPath(threadId)}/stream?after=${encodeURIComponent(after)}`),
      (after: string) =>
        request("GET", `${sessionPath(threadId)}/live?after=${encodeURIComponent(after)}`, undefined, {
          headers: { upgrade: "websocket" },
        }),
      (after: string) => request("GET", `/v1/directory/stream?after=${encodeURIComponent(after)}`),
      (after: string) =>
        request("GET", `/v1/directory/live?after=${encodeURIComponent(after)}`, undefined, {
          headers: { upgrade: "websocket" },
        }),
    ];
    for (const route of routes) {
      for (const after of AFTER_REFUSED) {
        const response = await route(after);
        expect({ after, status: response.status }).toEqual({ after, status: 422 });
        await response.body?.cancel();
      }
      for (const after of AFTER_ACCEPTED) {
        const response = await route(after);
        expect({ after, status: response.status }).toEqual({ after, status: expect.toBeOneOf([200, 101]) });
        response.webSocket?.accept();
        response.webSocket?.close(1000, "done");
        await response.body?.cancel();
      }
    }
  });

  it("refuses the same limit values with 422 on every route that takes one", async () => {
    const threadId = await startedSession();
    const routes = [
      (limit: string) => api.events(threadId, `?limit=${encodeURIComponent(limit)}`),
      (limit: string) => request("GET", `/v1/sessions?limit=${encodeURIComponent(limit)}`),
    ];
    for (const route of routes) {
      for (const limit of ["", "1e1", "+5", "5.0", "0x5", "0", "null"]) {
        expect({ limit, status: (await route(limit)).status }).toEqual({ limit, status: 422 });
      }
      for (const limit of ["1", "05", "200"]) {
        expect({ limit, status: (await route(limit)).status }).toEqual({ limit, status: 200 });
      }
    }
  });
});

describe("methods", () => {
  it("answers HEAD like GET with a read token, in the header or the URL", async () => {
    const threadId = await startedSession();
    const minted = await json<ReadToken>(await request("POST", "/v1/read-tokens", {}));
    const viaHeader = await request("HEAD", sessionPath(threadId), undefined, { token: minted.token });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.headers.get("content-type")).toContain("application/json");
    expect(await viaHeader.text()).toBe("");
    const viaQuery = await request(
      "HEAD",
      `${sessionPath(threadId)}?access_token=${encodeURIComponent(minted.token)}`,
      undefined,
      { token: null },
    );
    expect(viaQuery.status).toBe(200);
  });

  it("answers 405 with Allow for a method a route does not have", async () => {
    const threadId = await startedSession();
    const cases: Array<[string, string, string]> = [
      ["PATCH", sessionPath(threadId), "GET, HEAD, DELETE"],
      ["PUT", `${sessionPath(threadId)}/events`, "GET, HEAD, POST"],
      ["DELETE", "/v1/sessions", "GET, HEAD"],
      ["GET", "/v1/read-tokens", "POST"],
      ["POST", "/healthz", "GET, HEAD"],
    ];
    for (const [method, path, allow] of cases) {
      const response = await request(method, path);
      await expectProblem(response, 405, "method-not-allowed");
      expect({ method, path, allow: response.headers.get("allow") }).toEqual({ method, path, allow });
    }
    // A path no route has stays a 404.
    await expectProblem(await request("PATCH", "/v1/nothing-here"), 404, "not-found");
  });
});

describe("the threadId's length", () => {
  it("counts UTF-16 code units, as the document says: 128 emoji are a threadId, 256 emoji (512 units) are not", async () => {
    const emoji = (count: number) => "\u{1F600}".repeat(count);
    const accepted = emoji(128);
    expect(accepted.length).toBe(256);
    expect((await api.post(accepted, ev.sessionStarted({ threadId: accepted }))).status).toBe(200);
    expect((await api.get(accepted)).status).toBe(200);
    const refused = emoji(256);
    await expectProblem(await api.post(refused, ev.sessionStarted({ threadId: refused })), 422, "validation-failed");
    await expectProblem(await api.get(refused), 422, "validation-failed");
  });
});

describe("one spelling per token and cursor", () => {
  /** The same bytes, another spelling: the last character's spare low bits flipped. */
  function respelled(segment: string): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(segment.at(-1) ?? "");
    return `${segment.slice(0, -1)}${alphabet[last ^ 1]}`;
  }

  it("refuses a read token whose MAC or claims are spelled differently", async () => {
    const threadId = await startedSession();
    const { token } = await json<ReadToken>(await request("POST", "/v1/read-tokens", { threadId }));
    const [prefix, claims, mac] = token.split(".") as [string, string, string];
    expect((await api.get(threadId, { token })).status).toBe(200);
    expect((await api.get(threadId, { token: `${prefix}.${claims}.${respelled(mac)}` })).status).toBe(401);
    if (claims.length % 4 !== 0) {
      expect((await api.get(threadId, { token: `${prefix}.${respelled(claims)}.${mac}` })).status).toBe(401);
    }
  });

  it("refuses a directory cursor spelled differently", async () => {
    await startedSession();
    await startedSession();
    const first = await json<DirectoryPage>(await request("GET", "/v1/sessions?limit=1"));
    const cursor = first.nextCursor ?? "";
    expect(cursor.length % 4).not.toBe(0);
    expect((await request("GET", `/v1/sessions?limit=1&cursor=${cursor}`)).status).toBe(200);
    await expectProblem(
      await request("GET", `/v1/sessions?limit=1&cursor=${respelled(cursor)}`),
      422,
      "validation-failed",
    );
  });
});

function rawFetch(path: string, init: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`https://sessions.test${path}`, init));
}
