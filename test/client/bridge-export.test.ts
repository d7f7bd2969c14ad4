/** `provider-sessions/bridge`: an orchestrator hands the bridge its agent's lines and the session follows. */
import { describe, expect, it } from "vitest";
import { createBridge } from "../../src/bridge/index.ts";
import { newThreadId } from "../support/api.ts";
import { STEPS } from "../support/claude-transcript.ts";
import { testClient } from "../support/client-fetch.ts";

const client = testClient();

describe("createBridge", () => {
  it("forwards a Claude run observed line by line, and its exit", async () => {
    const threadId = newThreadId();
    const problems: string[] = [];
    const bridge = await createBridge("claude", { client, threadId, onProblem: (problem) => problems.push(problem) });
    for (const step of STEPS) {
      if (step.dir === "in") bridge.observeIn(step.text);
      if (step.dir === "out") bridge.observeOut(step.text);
    }
    bridge.observeOut("not a message");
    const summary = await bridge.close({ code: 0, signal: null });
    expect(problems).toEqual(["agent stdout line 20: not JSON"]);
    expect(summary).toMatchObject({ rejected: 0, spooled: 0 });
    const session = await client.session(threadId);
    expect(session).toMatchObject({ status: "stopped", providerName: "claude" });
    // Every event sent is stored; the log also holds the service's prices of the usage reports Claude did not price.
    let provided = 0;
    for await (const entry of client.events(threadId)) if (entry.origin === "provider") provided += 1;
    expect(provided).toBe(summary.sent);
  });
});
