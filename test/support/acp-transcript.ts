/**
 * An Agent Client Protocol session in both directions (JSON-RPC 2.0, schema v1), each message shaped as
 * agentclientprotocol/agent-client-protocol `schema/schema.json` defines it (test/bridge/acp-schema.test.ts validates
 * every one against the schema the npm package `@agentclientprotocol/sdk` ships). Four turns: a command approved and
 * completed, a cancel, a JSON-RPC error, a refusal.
 */
import type { Step } from "./claude-transcript.ts";

export const SESSION_ID = "sess_7f3a9c2e41";
const rpc = (message: Record<string, unknown>) => ({ jsonrpc: "2.0", ...message });
const update = (sessionUpdate: Record<string, unknown>) =>
  rpc({ method: "session/update", params: { sessionId: SESSION_ID, update: sessionUpdate } });
const prompt = (id: number, text: string) =>
  rpc({ id, method: "session/prompt", params: { sessionId: SESSION_ID, prompt: [{ type: "text", text }] } });

/** Each message with the schema definition it must satisfy. */
export const MESSAGES: ReadonlyArray<{ dir: "in" | "out"; schema: string; message: Record<string, unknown> }> = [
  {
    dir: "in",
    schema: "InitializeRequest",
    message: rpc({
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: 1,
        clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: true },
      },
    }),
  },
  {
    dir: "out",
    schema: "InitializeResponse",
    message: rpc({
      id: 0,
      result: {
        protocolVersion: 1,
        agentCapabilities: {
          loadSession: true,
          promptCapabilities: { image: true, audio: false, embeddedContext: true },
        },
        authMethods: [],
      },
    }),
  },
  {
    dir: "in",
    schema: "NewSessionRequest",
    message: rpc({ id: 1, method: "session/new", params: { cwd: "/Users/me/project", mcpServers: [] } }),
  },
  { dir: "out", schema: "NewSessionResponse", message: rpc({ id: 1, result: { sessionId: SESSION_ID } }) },
  { dir: "in", schema: "PromptRequest", message: prompt(2, "Run the tests") },
  {
    dir: "out",
    schema: "SessionNotification",
    message: update({
      sessionUpdate: "plan",
      entries: [{ content: "Run the test suite", priority: "high", status: "in_progress" }],
    }),
  },
  {
    dir: "out",
    schema: "SessionNotification",
    message: update({ sessionUpdate: "agent_message_chunk", content: { type: "text", text: "Running the tests." } }),
  },
  {
    dir: "out",
    schema: "SessionNotification",
    message: update({
      sessionUpdate: "tool_call",
      toolCallId: "call_001",
      title: "npm test",
      kind: "execute",
      status: "pending",
    }),
  },
  {
    dir: "out",
    schema: "RequestPermissionRequest",
    message: rpc({
      id: 0,
      method: "session/request_permission",
      params: {
        sessionId: SESSION_ID,
        toolCall: { toolCallId: "call_001", title: "npm test", kind: "execute" },
        options: [
          { optionId: "allow-once", name: "Allow once", kind: "allow_once" },
          { optionId: "reject-once", name: "Reject", kind: "reject_once" },
        ],
      },
    }),
  },
  {
    dir: "in",
    schema: "RequestPermissionResponse",
    message: rpc({ id: 0, result: { outcome: { outcome: "selected", optionId: "allow-once" } } }),
  },
  {
    dir: "out",
    schema: "SessionNotification",
    message: update({
      sessionUpdate: "tool_call_update",
      toolCallId: "call_001",
      status: "completed",
      content: [{ type: "content", content: { type: "text", text: "12 passed" } }],
    }),
  },
  {
    dir: "out",
    schema: "SessionNotification",
    message: update({
      sessionUpdate: "usage_update",
      used: 53000,
      size: 200000,
      cost: { amount: 0.045, currency: "USD" },
    }),
  },
  { dir: "out", schema: "PromptResponse", message: rpc({ id: 2, result: { stopReason: "end_turn" } }) },
  { dir: "in", schema: "PromptRequest", message: prompt(3, "Refactor the storage layer") },
  {
    dir: "out",
    schema: "SessionNotification",
    message: update({ sessionUpdate: "agent_thought_chunk", content: { type: "text", text: "Start with the store." } }),
  },
  {
    dir: "in",
    schema: "CancelNotification",
    message: rpc({ method: "session/cancel", params: { sessionId: SESSION_ID } }),
  },
  { dir: "out", schema: "PromptResponse", message: rpc({ id: 3, result: { stopReason: "cancelled" } }) },
  { dir: "in", schema: "PromptRequest", message: prompt(4, "Write the release notes") },
  {
    dir: "out",
    schema: "Error",
    message: rpc({ id: 4, error: { code: -32603, message: "Internal error: model overloaded" } }),
  },
  { dir: "in", schema: "PromptRequest", message: prompt(5, "Write something harmful") },
  {
    dir: "out",
    schema: "SessionNotification",
    message: update({
      sessionUpdate: "agent_message_chunk",
      content: { type: "text", text: "I can't help with that." },
    }),
  },
  { dir: "out", schema: "PromptResponse", message: rpc({ id: 5, result: { stopReason: "refusal" } }) },
];

export const STEPS: readonly Step[] = [
  ...MESSAGES.map(({ dir, message }) => ({ dir, text: JSON.stringify(message) })),
  { dir: "exit", code: 0 },
];
