/**
 * The directory's filters for stalled sessions, sessions with a background task running and sessions held by a usage
 * limit, through GET /v1/sessions, combined with the others.
 */
import { describe, expect, it } from "vitest";
import type { DirectoryMessage, DirectoryPage, SessionSummary } from "../../src/contracts/directory.ts";
import { api, json, newThreadId, request } from "../support/api.ts";
import { ev, runtimeEvent } from "../support/events.ts";
import { openWebSocket, type Subscriber } from "../support/live.ts";

function upserted(directory: Subscriber<DirectoryMessage>, threadId: string, check: (s: SessionSummary) => boolean) {
  return directory.until((m) => m.type === "upsert" && m.session.threadId === threadId && check(m.session));
}

describe("the directory's filters", () => {
  it("lists stalled sessions, sessions with a running task, and sessions held by a usage limit", async () => {
    const directory = await openWebSocket<DirectoryMessage>("/v1/directory/live");
    const [stalled, tasked, limited, plain] = [newThreadId(), newThreadId(), newThreadId(), newThreadId()];
    const at = (threadId: string) => ({ threadId });
    await api.post(stalled, [
      ev.sessionStarted(at(stalled)),
      ev.turnStarted("t1", at(stalled)),
      runtimeEvent("session.health", { state: "stalled", lastActivityAt: "2026-11-25T10:00:00Z" }, at(stalled)),
    ]);
    await api.post(tasked, [
      ev.sessionStarted(at(tasked)),
      runtimeEvent("task.started", { taskId: "task-1", description: "tests" }, at(tasked)),
    ]);
    await api.post(limited, [
      ev.sessionStarted(at(limited)),
      runtimeEvent(
        "runtime.error",
        {
          message: "usage limit",
          class: "usage_limit",
          detail: { kind: "usage-limit", resetsAt: "2099-01-01T00:00Z" },
        },
        at(limited),
      ),
    ]);
    await api.post(plain, [ev.sessionStarted(at(plain))]);
    await upserted(directory, stalled, (s) => s.health?.state === "stalled");
    await upserted(directory, tasked, (s) => s.tasks.running === 1);
    await upserted(directory, limited, (s) => s.limitResetsAt !== null);
    await upserted(directory, plain, () => true);
    directory.close();

    const mine = async (query: string) => {
      const response = await request("GET", `/v1/sessions?limit=200${query}`);
      expect(response.status).toBe(200);
      const page = await json<DirectoryPage>(response);
      return page.sessions.map((s) => s.threadId).filter((id) => [stalled, tasked, limited, plain].includes(id));
    };
    expect(await mine("&health=stalled")).toEqual([stalled]);
    expect(await mine("&tasks=running")).toEqual([tasked]);
    expect(await mine("&limited=true")).toEqual([limited]);
    expect(await mine("&attention=true")).toEqual([stalled]);
    expect(await mine("&limited=true&tasks=running")).toEqual([]);
    expect((await mine("&limited=false")).sort()).toEqual([stalled, tasked, limited, plain].sort());
    expect((await mine("")).sort()).toEqual([stalled, tasked, limited, plain].sort());
    // Four sessions reach the directory through its live stream, each at most one update each 250 ms.
  }, 30_000);

  it("refuses a filter value it does not know with a 422, instead of ignoring it", async () => {
    for (const query of ["health=active", "tasks=done", "limited=yes"]) {
      const response = await request("GET", `/v1/sessions?${query}`);
      expect(response.status, query).toBe(422);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
  });
});
