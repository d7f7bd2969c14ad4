/**
 * The directory's filters of issue 21 (stalled, a background task running, held by a usage limit), asked of the
 * tenant's directory object directly: the route does not pass them on yet (see the session's hand-off notes).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { DirectoryMessage, SessionSummary } from "../../src/contracts/directory.ts";
import type { ListFilter } from "../../src/directory/directory-store.ts";
import { api, newThreadId } from "../support/api.ts";
import { ev, runtimeEvent } from "../support/events.ts";
import { openWebSocket, type Subscriber } from "../support/live.ts";

function upserted(directory: Subscriber<DirectoryMessage>, threadId: string, check: (s: SessionSummary) => boolean) {
  return directory.until((m) => m.type === "upsert" && m.session.threadId === threadId && check(m.session));
}

const none: ListFilter = { statuses: [], active: false, attention: false };

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

    const stub = env.DIRECTORY.getByName("acme");
    const mine = async (filter: Partial<ListFilter>) => {
      const listing = await stub.list({ ...none, ...filter }, null, 200);
      if (!listing.ok) throw new Error(listing.reason);
      return listing.page.sessions
        .map((s) => s.threadId)
        .filter((id) => [stalled, tasked, limited, plain].includes(id));
    };
    expect(await mine({ stalled: true })).toEqual([stalled]);
    expect(await mine({ tasksRunning: true })).toEqual([tasked]);
    expect(await mine({ limited: true })).toEqual([limited]);
    expect(await mine({ attention: true })).toEqual([stalled]);
    expect((await mine({})).sort()).toEqual([stalled, tasked, limited, plain].sort());
  });
});
