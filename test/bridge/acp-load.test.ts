/**
 * ACP's `session/load` (and `session/resume`): a client that opens an existing agent session instead of a new one
 * gets the same start as `session/new`, named by the session it loaded; a refusal is the session's error. The
 * messages are checked against the ACP schema (v1) first, so the shapes are the protocol's.
 */
import { Validator } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import schema from "../../node_modules/@agentclientprotocol/sdk/schema/v1/schema.json" with { type: "json" };
import { createLiveBridge } from "../../src/bridge/live.ts";

const run = { runId: "run1", kind: "acp" as const, threadId: "acp-load", startedAt: "2026-12-06T10:00:00.000Z" };
const AT = "2026-12-06T10:00:01.000Z";

function checked(definition: string, body: unknown): unknown {
  const validator = new Validator({ $ref: `#/$defs/${definition}`, $defs: schema.$defs } as never, "2020-12", false);
  expect(validator.validate(body).errors).toEqual([]);
  return body;
}

async function observed(lines: ReadonlyArray<["in" | "out", unknown]>) {
  const bridge = createLiveBridge(run);
  const events = [];
  for (const [index, [dir, message]] of lines.entries()) {
    const observation = await bridge.observe(dir, JSON.stringify(message), index + 1, AT);
    if (!observation.ok) throw new Error(observation.problem);
    events.push(...observation.events);
  }
  return events.map(({ type, payload }) => ({ type, payload }));
}

const loadParams = { sessionId: "sess_42", cwd: "/Users/me/project", mcpServers: [] };

describe("ACP session/load and session/resume", () => {
  it("starts the session under the loaded session's id once the agent answers", async () => {
    const params = checked("LoadSessionRequest", loadParams);
    const result = checked("LoadSessionResponse", {});
    const events = await observed([
      ["in", { jsonrpc: "2.0", id: 7, method: "session/load", params }],
      ["out", { jsonrpc: "2.0", id: 7, result }],
    ]);
    expect(events).toEqual([
      { type: "session.started", payload: { message: "ACP session loaded", providerSessionId: "sess_42" } },
    ]);
  });

  it("does the same for session/resume, and makes a refused load the session's error", async () => {
    const params = checked("ResumeSessionRequest", loadParams);
    const events = await observed([
      ["in", { jsonrpc: "2.0", id: 1, method: "session/resume", params }],
      ["out", { jsonrpc: "2.0", id: 1, result: {} }],
      ["in", { jsonrpc: "2.0", id: 2, method: "session/load", params: loadParams }],
      ["out", { jsonrpc: "2.0", id: 2, error: { code: -32002, message: "Resource not found: sess_42" } }],
    ]);
    expect(events.map((event) => event.type)).toEqual(["session.started", "runtime.error"]);
    expect(events[1]?.payload).toMatchObject({ message: expect.stringContaining("Resource not found: sess_42") });
  });
});
