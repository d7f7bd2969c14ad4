/** The tenant directory: fed from the sessions' commit points, listed with filters and cursors, streamed by version. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { DirectoryMessage, DirectoryPage, SessionSummary } from "../../src/contracts/directory.ts";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import { MAX_SUBSCRIBERS } from "../../src/live/caps.ts";
import { api, json, newThreadId, request } from "../support/api.ts";
import { ev } from "../support/events.ts";
import { openWebSocket, type Subscriber } from "../support/live.ts";
import { advance, alarmAt, MINUTE, sessionStub, useFakeClock } from "../support/session-object.ts";
import { GLOBEX_TOKEN } from "../support/test-config.ts";

const openDirectory = (after?: number, token?: string) =>
  openWebSocket<DirectoryMessage>("/v1/directory/live", after === undefined ? undefined : String(after), {
    ...(token === undefined ? {} : { token }),
  });

/** Resolves once the directory has sent an upsert of `threadId` that satisfies `check`. */
function upserted(directory: Subscriber<DirectoryMessage>, threadId: string, check: (s: SessionSummary) => boolean) {
  return directory.until((m) => m.type === "upsert" && m.session.threadId === threadId && check(m.session));
}

async function post(threadId: string, events: RuntimeEvent[]) {
  expect((await api.post(threadId, events)).status).toBe(200);
}

async function list(query: string, token?: string): Promise<DirectoryPage> {
  const response = await request("GET", `/v1/sessions${query}`, undefined, token === undefined ? {} : { token });
  expect(response.status).toBe(200);
  return json<DirectoryPage>(response);
}

async function listAll(query: string): Promise<SessionSummary[]> {
  const sessions: SessionSummary[] = [];
  for (let cursor: string | null = ""; cursor !== null; ) {
    const page: DirectoryPage = await list(`${query}${cursor === "" ? "" : `&cursor=${encodeURIComponent(cursor)}`}`);
    expect(page.sessions.length).toBeLessThanOrEqual(50);
    sessions.push(...page.sessions);
    cursor = page.nextCursor;
  }
  return sessions;
}

describe("listing", () => {
  it("filters by status, active and attention, and lists newest activity first", async () => {
    const directory = await openDirectory();
    const [running, ready, waiting, stopped] = [newThreadId(), newThreadId(), newThreadId(), newThreadId()];
    await post(running, [ev.sessionStarted({ threadId: running }), ev.turnStarted("t1", { threadId: running })]);
    await post(ready, [ev.sessionStarted({ threadId: ready })]);
    await post(waiting, [
      ev.sessionStarted({ threadId: waiting }),
      ev.turnStarted("t1", { threadId: waiting }),
      ev.requestOpened("r1", "t1", { threadId: waiting }),
    ]);
    await post(stopped, [ev.sessionStarted({ threadId: stopped }), ev.exited({ threadId: stopped })]);
    await upserted(directory, stopped, (s) => s.status === "stopped");
    await upserted(directory, waiting, (s) => s.pendingRequests.approvals === 1);
    directory.close();

    const mine = (page: DirectoryPage) =>
      page.sessions.map((s) => s.threadId).filter((id) => [running, ready, waiting, stopped].includes(id));
    expect(mine(await list("?limit=200"))).toEqual([stopped, waiting, ready, running]);
    expect(mine(await list("?active=true&limit=200"))).toEqual([waiting, running]);
    expect(mine(await list("?attention=true&limit=200"))).toEqual([waiting]);
    expect(mine(await list("?status=ready&status=stopped&limit=200"))).toEqual([stopped, ready]);
    const summary = (await list("?attention=true&limit=200")).sessions.find((s) => s.threadId === waiting);
    expect(summary).toMatchObject({
      status: "running",
      providerName: "codex",
      activeTurnId: "t1",
      pendingRequests: { approvals: 1, userInputs: 0 },
      attention: ["pending-request"],
      // Waiting for a person: the turn is not expired, the request times out instead.
      deadline: { action: "request-timeout" },
    });
  });

  it("pages through 250 sessions with an opaque cursor, each exactly once, newest activity first", {
    timeout: 60_000,
  }, async () => {
    const directory = await openDirectory();
    const prefix = `page-${crypto.randomUUID()}-`;
    const threadIds = Array.from({ length: 250 }, (_, index) => `${prefix}${String(index).padStart(3, "0")}`);
    for (let start = 0; start < threadIds.length; start += 25) {
      await Promise.all(
        threadIds.slice(start, start + 25).map((threadId) => post(threadId, [ev.sessionStarted({ threadId })])),
      );
    }
    for (const threadId of threadIds) await upserted(directory, threadId, () => true);
    directory.close();

    const listed = (await listAll("?limit=50")).filter((s) => s.threadId.startsWith(prefix));
    expect(listed.map((s) => s.threadId).sort()).toEqual(threadIds);
    const times = listed.map((s) => Date.parse(s.lastEventAt ?? ""));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("refuses a limit over 200 and a cursor it did not give out with 422", async () => {
    expect((await request("GET", "/v1/sessions?limit=201")).status).toBe(422);
    expect((await request("GET", "/v1/sessions?cursor=not-a-cursor")).status).toBe(422);
  });

  it("keeps tenants apart", async () => {
    const directory = await openDirectory();
    const threadId = newThreadId();
    await post(threadId, [ev.sessionStarted({ threadId })]);
    await upserted(directory, threadId, () => true);
    directory.close();
    const globex = await list("?limit=200", GLOBEX_TOKEN);
    expect(globex.sessions.map((s) => s.threadId)).not.toContain(threadId);
  });
});

describe("what the directory is told", () => {
  it("is told of a listed change, not of every event, and loses the entry when the session is deleted", async () => {
    const threadId = newThreadId();
    await post(threadId, [ev.sessionStarted({ threadId }), ev.turnStarted("t1", { threadId })]);
    const directory = await openDirectory();
    await directory.until((m) => m.type === "synchronized");
    for (let index = 0; index < 5; index += 1) await post(threadId, [ev.contentDelta("t1", { threadId })]);
    await post(threadId, [ev.turnCompleted("t1", "completed", { threadId })]);
    await upserted(directory, threadId, (s) => s.status === "ready");
    const upserts = directory.messages.filter((m) => m.type === "upsert" && m.session.threadId === threadId);
    expect(upserts).toHaveLength(1);

    expect((await api.delete(threadId)).status).toBe(204);
    await directory.until((m) => m.type === "remove" && m.threadId === threadId);
    expect((await list("?limit=200")).sessions.map((s) => s.threadId)).not.toContain(threadId);
    directory.close();
  });

  it("replays the changes after a version, and resets a subscriber whose version it cannot replay", async () => {
    const threadId = newThreadId();
    const live = await openDirectory();
    await live.until((m) => m.type === "synchronized");
    const before = (await list("?limit=1")).version;
    await post(threadId, [ev.sessionStarted({ threadId })]);
    await upserted(live, threadId, () => true);
    live.close();

    const replay = await openDirectory(before);
    await replay.until((m) => m.type === "synchronized");
    expect(replay.messages.some((m) => m.type === "upsert" && m.session.threadId === threadId)).toBe(true);
    const versions = replay.messages.flatMap((m) => (m.type === "upsert" || m.type === "remove" ? [m.version] : []));
    expect(versions).toEqual(versions.map((_, index) => before + index + 1));
    replay.close();

    const ahead = await openDirectory(before + 1_000_000);
    await ahead.until((m) => m.type === "synchronized");
    expect(ahead.messages[0]).toMatchObject({ type: "reset" });
    ahead.close();
  });

  it("converges after a failed directory call, through the session's alarm", async () => {
    useFakeClock();
    try {
      const threadId = newThreadId();
      // The directory's next write fails once, as a storage error or an unreachable object would.
      await runInDurableObject(env.DIRECTORY.getByName("acme"), (_, ctx) => {
        const storage = ctx.storage as unknown as { transactionSync: (fn: () => unknown) => unknown };
        const original = storage.transactionSync.bind(ctx.storage);
        let failures = 1;
        storage.transactionSync = (fn) => {
          if (failures-- > 0) throw new Error("injected directory failure");
          return original(fn);
        };
      });
      await post(threadId, [ev.sessionStarted({ threadId })]);
      // The failed attempt sets the alarm for a retry within a minute (the idle reap would be 30 min away).
      await vi.waitUntil(async () => {
        const at = await alarmAt(threadId);
        return at !== null && at <= Date.now() + MINUTE;
      });
      expect((await list("?limit=200")).sessions.map((s) => s.threadId)).not.toContain(threadId);
      advance(MINUTE);
      await runDurableObjectAlarm(sessionStub(threadId));
      expect((await list("?limit=200")).sessions.map((s) => s.threadId)).toContain(threadId);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("after a mixed workload", () => {
  it("lists exactly the starting and running sessions as active, and those waiting for a person", {
    timeout: 60_000,
  }, async () => {
    const directory = await openDirectory();
    await directory.until((m) => m.type === "synchronized");
    const prefix = `mixed-${crypto.randomUUID()}-`;
    // Each session ends in a state chosen by its index; the expectation below is written from the rules, not read back.
    const endings = ["running", "ready", "starting", "stopped", "waiting", "error", "interrupted"] as const;
    const plan = Array.from({ length: 100 }, (_, index) => ({
      threadId: `${prefix}${index}`,
      ending: endings[(index * 3 + 1) % endings.length] as (typeof endings)[number],
    }));
    const history = (threadId: string, ending: (typeof endings)[number]): RuntimeEvent[] => {
      const o = { threadId };
      const opened = [ev.sessionStarted(o), ev.turnStarted("t1", o), ev.contentDelta("t1", o)];
      switch (ending) {
        case "running":
          return opened;
        case "ready":
          return [...opened, ev.turnCompleted("t1", "completed", o)];
        case "starting":
          return [ev.sessionStarted(o), ev.state("starting", o)];
        case "stopped":
          return [...opened, ev.exited(o)];
        case "waiting":
          return [...opened, ev.userInputRequested("q1", "t1", o)];
        case "error":
          return [...opened, ev.runtimeError("quota", "t1", o)];
        case "interrupted":
          return [...opened, ev.turnAborted("t1", o)];
      }
    };
    for (let start = 0; start < plan.length; start += 20) {
      await Promise.all(
        plan.slice(start, start + 20).map(({ threadId, ending }) => post(threadId, history(threadId, ending))),
      );
    }
    for (const { threadId } of plan) await upserted(directory, threadId, () => true);
    await directory.until(() => {
      const latest = new Map<string, SessionSummary>();
      for (const m of directory.messages) if (m.type === "upsert") latest.set(m.session.threadId, m.session);
      return plan.every(({ threadId, ending }) => {
        const status = latest.get(threadId)?.status;
        return status === (ending === "waiting" ? "running" : ending);
      });
    });
    directory.close();

    const mine = async (query: string) =>
      (await listAll(query))
        .map((s) => s.threadId)
        .filter((id) => id.startsWith(prefix))
        .sort();
    const expected = (endings: readonly string[]) =>
      plan
        .filter((p) => endings.includes(p.ending))
        .map((p) => p.threadId)
        .sort();
    expect(await mine("?active=true&limit=50")).toEqual(expected(["running", "starting", "waiting"]));
    expect(await mine("?attention=true&limit=50")).toEqual(expected(["waiting"]));
    expect(await mine("?status=error&limit=50")).toEqual(expected(["error"]));
  });
});

describe("the directory's subscriber cap", () => {
  it("answers 429 past its cap, as a problem, and takes a subscriber again once one leaves", async () => {
    // Another tenant than the other tests', so their subscribers do not count here.
    const open = await Promise.all(
      Array.from({ length: MAX_SUBSCRIBERS }, () => openDirectory(undefined, GLOBEX_TOKEN)),
    );
    const refused = await request("GET", "/v1/directory/stream", undefined, { token: GLOBEX_TOKEN });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(await refused.json()).toMatchObject({ status: 429, detail: expect.stringContaining("directory") });

    open[0]?.close();
    await open[0]?.closed;
    await vi.waitFor(async () => {
      const again = await request("GET", "/v1/directory/live", undefined, {
        token: GLOBEX_TOKEN,
        headers: { upgrade: "websocket" },
      });
      expect(again.status).toBe(101);
      again.webSocket?.accept();
      again.webSocket?.close(1000, "done");
    });
    for (const live of open.slice(1)) live.close();
  });

  it("lets one read token hold at most 16 subscriptions (429, Retry-After: 5), and another token still in", async () => {
    const mint = async () => (await json<{ token: string }>(await request("POST", "/v1/read-tokens"))).token;
    const token = await mint();
    const open = await Promise.all(Array.from({ length: 16 }, () => openDirectory(undefined, token)));
    const refused = await request("GET", "/v1/directory/stream", undefined, { token });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(await refused.json()).toMatchObject({ detail: expect.stringContaining("read token") });
    const another = await openDirectory(undefined, await mint());
    for (const live of [...open, another]) live.close();
  });
});

describe("the directory as Server-Sent Events", () => {
  it("names events by type and ids them by version, resuming from Last-Event-ID", async () => {
    const before = (await list("?limit=1")).version;
    const threadId = newThreadId();
    const live = await openDirectory(before);
    await post(threadId, [ev.sessionStarted({ threadId })]);
    const upsert = (await upserted(live, threadId, () => true)) as { version: number };
    live.close();

    const response = await request("GET", "/v1/directory/stream", undefined, {
      headers: { "last-event-id": String(upsert.version - 1) },
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while (!text.includes("event: synchronized")) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain(`event: upsert\nid: ${upsert.version}\n`);
    expect(text).toContain(`"threadId":"${threadId}"`);
  });
});

describe("read tokens and the directory", () => {
  it("lists with a tenant-wide read token, and is forbidden (403) to one limited to a thread", async () => {
    const mint = async (body: unknown) =>
      (await json<{ token: string }>(await request("POST", "/v1/read-tokens", body))).token;
    expect((await request("GET", "/v1/sessions", undefined, { token: await mint({}) })).status).toBe(200);
    const scoped = await mint({ threadId: "just-this-one" });
    expect((await request("GET", "/v1/sessions", undefined, { token: scoped })).status).toBe(403);
    const stream = await request("GET", "/v1/directory/stream", undefined, { token: scoped });
    expect(stream.status).toBe(403);
  });
});
