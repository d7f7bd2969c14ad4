/**
 * A Claude Code `stream-json` session in both directions, from real shapes: the client's frames as
 * anthropics/claude-agent-sdk-python writes them (`_internal/query.py`: `initialize`, `control_response` to
 * `can_use_tool`, `interrupt`; `client.py`: `{"type":"user","message":{"role":"user","content":…},
 * "parent_tool_use_id":null,"session_id":…}`) and the CLI's messages as `@anthropic-ai/claude-agent-sdk` types them
 * (SDKSystemMessage, SDKPartialAssistantMessage, SDKAssistantMessage, SDKUserMessage, SDKControlRequest,
 * SDKResultMessage, SDKRateLimitEvent; test/bridge/claude-sdk-types.ts checks them against the package). Four turns:
 * a command approved, a question answered, an interrupt, and a usage limit.
 */

export type Step = { dir: "out"; text: string } | { dir: "in"; text: string } | { dir: "exit"; code: number };

export const SESSION_ID = "3f1c6b7e-2a4d-4e5f-9a1b-7c8d9e0f1a2b";
const MODEL = "claude-sonnet-4-5-20250929";
const usage = {
  input_tokens: 1204,
  cache_creation_input_tokens: 3210,
  cache_read_input_tokens: 15872,
  output_tokens: 412,
  server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
  service_tier: "standard",
};
const modelUsage = {
  [MODEL]: {
    inputTokens: 1204,
    outputTokens: 412,
    cacheReadInputTokens: 15872,
    cacheCreationInputTokens: 3210,
    webSearchRequests: 0,
    costUSD: 0.0312,
    contextWindow: 200000,
    maxOutputTokens: 64000,
  },
};

const prompt = (content: string) => ({
  type: "user",
  message: { role: "user", content },
  parent_tool_use_id: null,
  session_id: "default",
});

export const initialize = {
  type: "control_request",
  request_id: "req_1_4f2a9c1e",
  request: { subtype: "initialize", hooks: null },
};
export const initialized = {
  type: "control_response",
  response: { subtype: "success", request_id: "req_1_4f2a9c1e", response: { commands: [], models: [] } },
};
export const init = {
  type: "system",
  subtype: "init",
  cwd: "/Users/me/project",
  session_id: SESSION_ID,
  tools: ["Bash", "Edit", "Read", "AskUserQuestion"],
  mcp_servers: [],
  model: MODEL,
  permissionMode: "default",
  slash_commands: ["compact", "review"],
  apiKeySource: "none",
  claude_code_version: "2.1.30",
  output_style: "default",
  agents: ["general-purpose"],
  skills: [],
  plugins: [],
  uuid: "0b6f2d1c-1111-4a2b-8c3d-000000000001",
};

const assistant = (id: string, content: unknown[], uuid: string) => ({
  type: "assistant",
  message: {
    id,
    type: "message",
    role: "assistant",
    model: MODEL,
    content,
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 15872, output_tokens: 8 },
  },
  parent_tool_use_id: null,
  session_id: SESSION_ID,
  uuid,
});

const streamDelta = (index: number, delta: string, uuid: string) => ({
  type: "stream_event",
  event: { type: "content_block_delta", index, delta: { type: "text_delta", text: delta } },
  parent_tool_use_id: null,
  session_id: SESSION_ID,
  uuid,
});

const toolResult = (toolUseId: string, content: string, uuid: string) => ({
  type: "user",
  message: { role: "user", content: [{ tool_use_id: toolUseId, type: "tool_result", content, is_error: false }] },
  parent_tool_use_id: null,
  session_id: SESSION_ID,
  uuid,
  tool_use_result: { stdout: content, stderr: "", interrupted: false, isImage: false },
});

export const canUseBash = {
  type: "control_request",
  request_id: "7a1c2e3f-0000-4000-8000-000000000001",
  request: {
    subtype: "can_use_tool",
    tool_name: "Bash",
    input: { command: "npm test", description: "Run the test suite" },
    permission_suggestions: [
      {
        type: "addRules",
        rules: [{ toolName: "Bash", ruleContent: "npm test:*" }],
        behavior: "allow",
        destination: "localSettings",
      },
    ],
    tool_use_id: "toolu_01A",
  },
};
const QUESTIONS = [
  {
    question: "Which database should the service use?",
    header: "Database",
    options: [
      { label: "Postgres", description: "A server you run" },
      { label: "SQLite", description: "A file next to the service" },
    ],
    multiSelect: false,
  },
];
export const askQuestion = {
  type: "control_request",
  request_id: "7a1c2e3f-0000-4000-8000-000000000002",
  request: {
    subtype: "can_use_tool",
    tool_name: "AskUserQuestion",
    input: { questions: QUESTIONS },
    tool_use_id: "toolu_01B",
  },
};
const allow = (requestId: string, updatedInput: Record<string, unknown>) => ({
  type: "control_response",
  response: { subtype: "success", request_id: requestId, response: { behavior: "allow", updatedInput } },
});

const result = <Extra extends Record<string, unknown>>(
  subtype: string,
  isError: boolean,
  extra: Extra,
  uuid: string,
) => ({
  type: "result",
  subtype,
  is_error: isError,
  duration_ms: 8123,
  duration_api_ms: 6011,
  num_turns: 3,
  stop_reason: subtype === "success" ? "end_turn" : null,
  session_id: SESSION_ID,
  total_cost_usd: 0.0312,
  usage,
  modelUsage,
  permission_denials: [],
  uuid,
  ...extra,
});
export const success = result(
  "success",
  false,
  { result: "All 12 tests pass." },
  "0b6f2d1c-1111-4a2b-8c3d-000000000010",
);
export const interrupted = result(
  "error_during_execution",
  false,
  { errors: ["Request was aborted."] },
  "0b6f2d1c-1111-4a2b-8c3d-000000000020",
);
export const rateLimited = {
  type: "rate_limit_event",
  rate_limit_info: { status: "rejected", resetsAt: 1798761600, rateLimitType: "five_hour", utilization: 1 },
  uuid: "0b6f2d1c-1111-4a2b-8c3d-000000000030",
  session_id: SESSION_ID,
};
export const RESETS_AT = "2027-01-01T00:00:00.000Z";

const out = (message: unknown): Step => ({ dir: "out", text: JSON.stringify(message) });
const inp = (message: unknown): Step => ({ dir: "in", text: JSON.stringify(message) });

/** The session; `mark` names the steps the tests check the session after. */
export const STEPS: readonly Step[] = [
  inp(initialize),
  out(initialized),
  inp(prompt("Run the tests")),
  out(init),
  out(streamDelta(0, "I'll run ", "0b6f2d1c-1111-4a2b-8c3d-000000000002")),
  out(streamDelta(0, "the tests.", "0b6f2d1c-1111-4a2b-8c3d-000000000003")),
  out(assistant("msg_01A", [{ type: "text", text: "I'll run the tests." }], "0b6f2d1c-1111-4a2b-8c3d-000000000004")),
  out(
    assistant(
      "msg_01A",
      [
        {
          type: "tool_use",
          id: "toolu_01A",
          name: "Bash",
          input: { command: "npm test", description: "Run the test suite" },
        },
      ],
      "0b6f2d1c-1111-4a2b-8c3d-000000000005",
    ),
  ),
  out(canUseBash),
  inp(allow(canUseBash.request_id, { command: "npm test", description: "Run the test suite" })),
  out(toolResult("toolu_01A", "12 passed", "0b6f2d1c-1111-4a2b-8c3d-000000000006")),
  out(streamDelta(0, "All 12 tests pass.", "0b6f2d1c-1111-4a2b-8c3d-000000000007")),
  out(success),
  inp(prompt("Ask me which database to use")),
  out(
    assistant(
      "msg_01B",
      [{ type: "tool_use", id: "toolu_01B", name: "AskUserQuestion", input: { questions: QUESTIONS } }],
      "0b6f2d1c-1111-4a2b-8c3d-000000000011",
    ),
  ),
  out(askQuestion),
  inp(allow(askQuestion.request_id, { questions: QUESTIONS, answers: { [QUESTIONS[0]?.question ?? ""]: "Postgres" } })),
  out(toolResult("toolu_01B", "User has answered your questions: Postgres", "0b6f2d1c-1111-4a2b-8c3d-000000000012")),
  out({ ...success, uuid: "0b6f2d1c-1111-4a2b-8c3d-000000000013", result: "Postgres it is." }),
  inp(prompt("Refactor the whole storage layer")),
  out(streamDelta(0, "Starting with the ", "0b6f2d1c-1111-4a2b-8c3d-000000000021")),
  inp({ type: "control_request", request_id: "req_2_9b3e7d10", request: { subtype: "interrupt" } }),
  out({ type: "control_response", response: { subtype: "success", request_id: "req_2_9b3e7d10", response: {} } }),
  out(interrupted),
  inp(prompt("Continue")),
  out(rateLimited),
  out(
    result(
      "success",
      true,
      { result: "You've hit your limit · resets 3am (UTC)", num_turns: 1, total_cost_usd: 0 },
      "0b6f2d1c-1111-4a2b-8c3d-000000000031",
    ),
  ),
  { dir: "exit", code: 0 },
];

/** The step (1-based) after which each check holds. */
export const AFTER_STEP = {
  prompted: 3,
  approvalOpen: 9,
  approved: 10,
  firstTurnDone: 13,
  questionOpen: 16,
  answered: 17,
  interrupted: 22,
  afterInterruptResult: 24,
  usageLimit: 26,
  end: 28,
} as const;
