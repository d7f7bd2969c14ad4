/**
 * The Durable Streams read of the tenant directory's change log (`GET /v1/directory/log`): the directory's upserts
 * and removals by offset, in catch-up, long-poll and SSE, through @durable-streams/client.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { stream } from "@durable-streams/client";
import { describe, expect, it } from "vitest";
import type { DirectoryMessage } from "../../src/contracts/directory.ts";
import { api, newThreadId, request } from "../support/api.ts";
import { ev } from "../support/events.ts";
import { expectProblem } from "../support/problems.ts";
import { INITECH_TOKEN } from "../support/test-config.ts";

const ORIGIN = "https://sessions.test";
const readLog = (query: string, token?: string) =>
  request("GET", `/v1/directory/log${query}`, undefined, token === undefined ? {} : { token });

const clientOptions = {
  url: `${ORIGIN}/v1/directory/log`,
  fetch: ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    return request(init?.method ?? "GET", url.pathname + url.search, undefined, {
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
    });
  }) as typeof fetch,
};

/** The threads named by the changes, in order (an upsert or a remove). */
const threadsOf = (messages: readonly DirectoryMessage[]) =>
  messages.flatMap((message) =>
    message.type === "upsert"
      ? [`+${message.session.threadId}`]
      : message.type === "remove"
        ? [`-${message.threadId}`]
        : [],
  );

async function start(threadId: string, token?: string) {
  const response = await api.post(threadId, ev.sessionStarted({ threadId }), token === undefined ? {} : { token });
  expect(response.status).toBe(200);
}

describe("the directory's change log", () => {
  it("answers the changes after an offset, the tail's offset, and nothing again from there", async () => {
    const tail = (await readLog("?offset=now")).headers.get("stream-next-offset") ?? "";
    expect(tail).not.toBe("");
    const [a, b] = [newThreadId(), newThreadId()];
    await start(a);
    await start(b);
    expect((await api.delete(a)).status).toBe(204);
    // The sessions tell their directory after they answer: read until it holds all three.
    let response = await readLog(`?offset=${tail}`);
    let mine: string[] = [];
    for (let tries = 0; tries < 100; tries++) {
      response = await readLog(`?offset=${tail}`);
      mine = threadsOf(await response.clone().json()).filter((t) => t.endsWith(a) || t.endsWith(b));
      if (mine.length >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(response.headers.get("content-type")).toBe("application/json");
    // Each session's changes in its order; two sessions' may interleave either way.
    expect(mine.toSorted()).toEqual([`+${a}`, `+${b}`, `-${a}`].toSorted());
    expect(mine.indexOf(`+${a}`)).toBeLessThan(mine.indexOf(`-${a}`));
    const next = response.headers.get("stream-next-offset") ?? "";
    expect(next > tail).toBe(true);
  });

  it("answers 400 to an offset that is not the directory's, and 410 to one before the window it keeps", async () => {
    await expectProblem(await readLog("?offset=abc_0000000000000001"), 400, "malformed-offset");
    // Its own tenant, so that compacting the window here touches no other test's directory.
    await start(newThreadId(), INITECH_TOKEN);
    await start(newThreadId(), INITECH_TOKEN);
    // The sessions tell their directory after they answer: wait until it holds both.
    let first = "";
    for (let tries = 0; tries < 100; tries++) {
      const response = await readLog("?offset=-1", INITECH_TOKEN);
      first = response.headers.get("stream-next-offset") ?? "";
      if (((await response.json()) as unknown[]).length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await runInDurableObject(env.DIRECTORY.getByName("initech"), (_, state) => {
      state.storage.sql.exec("DELETE FROM changes WHERE version <= (SELECT max(version) - 1 FROM changes)");
    });
    await expectProblem(await readLog("?offset=v0000000000000000", INITECH_TOKEN), 410, "offset-gone");
    // -1 starts at the oldest change it keeps.
    const kept = await readLog("?offset=-1", INITECH_TOKEN);
    expect(kept.status).toBe(200);
    expect(first).not.toBe("");
  });

  it("is read in catch-up mode by @durable-streams/client, resuming from its offset with nothing again", async () => {
    const tail = (await stream({ ...clientOptions, offset: "now", live: false })).offset;
    const threadId = newThreadId();
    await start(threadId);
    let items: DirectoryMessage[] = [];
    let offset = tail;
    // The session tells its directory after it answers: read on from the offset until the change is there.
    for (let tries = 0; tries < 100 && threadsOf(items).length === 0; tries++) {
      const chunk = await stream<DirectoryMessage>({ ...clientOptions, offset, live: false });
      items = (await chunk.json()).filter((m) => m.type === "upsert" && m.session.threadId === threadId);
      if (items.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      else offset = chunk.offset;
    }
    expect(threadsOf(items)).toEqual([`+${threadId}`]);
    const again = await stream<DirectoryMessage>({ ...clientOptions, offset, live: false });
    expect((await again.json()).filter((m) => m.type === "upsert" && m.session.threadId === threadId)).toEqual([]);
  });

  for (const live of ["long-poll", "sse"] as const) {
    it(`is followed live over ${live} by @durable-streams/client, from its tail`, async () => {
      const threadId = newThreadId();
      const controller = new AbortController();
      const response = await stream<DirectoryMessage>({
        ...clientOptions,
        offset: "now",
        live,
        signal: controller.signal,
      });
      const seen: string[] = [];
      const done = new Promise<void>((resolve) => {
        response.subscribeJson((batch) => {
          seen.push(...threadsOf(batch.items).filter((t) => t.endsWith(threadId)));
          if (seen.length >= 2) resolve();
        });
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await start(threadId);
      expect((await api.delete(threadId)).status).toBe(204);
      await done;
      controller.abort();
      expect(seen).toEqual([`+${threadId}`, `-${threadId}`]);
    });
  }
});
