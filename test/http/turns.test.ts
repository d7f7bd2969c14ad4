/** `GET /v1/sessions/{threadId}/turns` through the Worker: the latest turns oldest first, with their usage; clear 4xx. */
import { describe, expect, it } from "vitest";
import type { TurnsReply } from "../../src/contracts/usage.ts";
import { api, json, newThreadId, request, sessionPath } from "../support/api.ts";
import { ev, runtimeEvent } from "../support/events.ts";

const turns = (threadId: string, query = "") => request("GET", `${sessionPath(threadId)}/turns${query}`);

describe("GET /v1/sessions/{threadId}/turns", () => {
  it("lists the turns oldest first, the latest `limit` of them, each with the usage it added", async () => {
    const threadId = newThreadId();
    const o = { threadId };
    const report = (inputTokens: number, turnId: string) =>
      runtimeEvent(
        "thread.token-usage.updated",
        { usage: { usedTokens: 10, inputTokens, outputTokens: 100 } },
        { ...o, turnId },
      );
    const events = [ev.sessionStarted(o)];
    for (const [index, turnId] of ["t1", "t2", "t3"].entries()) {
      events.push(
        runtimeEvent("turn.started", { model: "model-nobody-prices" }, { ...o, turnId }),
        report(1_000 * (index + 1), turnId),
        ev.turnCompleted(turnId, "completed", o),
      );
    }
    expect((await api.post(threadId, events)).status).toBe(200);

    const all = await json<TurnsReply>(await turns(threadId));
    expect(all.threadId).toBe(threadId);
    expect(all.turns.map((turn) => [turn.turnId, turn.state, turn.usage.inputTokens, turn.usage.outputTokens])).toEqual(
      [
        ["t1", "completed", 1_000, 100],
        ["t2", "completed", 1_000, 0],
        ["t3", "completed", 1_000, 0],
      ],
    );
    // No price for the model: the tokens count, the cost is unknown, not 0.
    expect(all.turns.map((turn) => turn.usage.costUsd)).toEqual([null, null, null]);
    const latest = await json<TurnsReply>(await turns(threadId, "?limit=2"));
    expect(latest.turns.map((turn) => turn.turnId)).toEqual(["t2", "t3"]);
  });

  it("answers 404 for no session and a problem for a bad limit", async () => {
    const missing = await turns(newThreadId());
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("application/problem+json");
    const threadId = newThreadId();
    await api.post(threadId, ev.sessionStarted({ threadId }));
    for (const limit of ["0", "501", "ten"]) {
      const bad = await turns(threadId, `?limit=${limit}`);
      expect(bad.status, limit).toBeGreaterThanOrEqual(400);
      expect(bad.status, limit).toBeLessThan(500);
      expect(bad.headers.get("content-type"), limit).toContain("application/problem+json");
    }
  });
});
