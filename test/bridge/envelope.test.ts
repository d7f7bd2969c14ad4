/** The envelope the Claude and ACP bridges put around what a message becomes (src/bridge/common.ts draftEvent). */
import { describe, expect, it } from "vitest";
import { draftEvent, type RunIdentity } from "../../src/bridge/common.ts";

const run: RunIdentity = { runId: "r1", kind: "claude", threadId: "thread-1", startedAt: "2026-12-06T10:00:00.000Z" };
const raw = { source: "claude.stream-json", method: "assistant", payload: { type: "assistant" } };
const at = { eventId: "claude-wr1-out3-0", createdAt: "2026-12-06T10:00:01.000Z", provider: "claude" as const, raw };

describe("draftEvent", () => {
  it("names the turn, item and request of the draft, and the provider's ids for them", () => {
    const event = draftEvent(
      run,
      { type: "item.started", payload: { itemType: "command_execution" }, turnId: "t1", itemId: "toolu_1" },
      { ...at, providerRequestId: "req-7" },
    );
    expect(event).toEqual({
      eventId: "claude-wr1-out3-0",
      type: "item.started",
      provider: "claude",
      threadId: "thread-1",
      createdAt: "2026-12-06T10:00:01.000Z",
      turnId: "t1",
      itemId: "toolu_1",
      providerRefs: { providerItemId: "toolu_1", providerRequestId: "req-7" },
      raw,
      payload: { itemType: "command_execution" },
    });
  });

  it("leaves out the ids and the payload a draft does not have", () => {
    const event = draftEvent(run, { type: "content.delta", turnId: null }, { ...at, providerRequestId: null });
    expect(event).toEqual({
      eventId: "claude-wr1-out3-0",
      type: "content.delta",
      provider: "claude",
      threadId: "thread-1",
      createdAt: "2026-12-06T10:00:01.000Z",
      providerRefs: {},
      raw,
    });
  });
});
