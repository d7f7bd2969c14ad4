/** Reads one line of `codex app-server` stdout as a JSON-RPC 2.0 message (its "jsonrpc" member is omitted there). */

export type JsonRpcId = string | number;
export type Params = Record<string, unknown>;

/** What the app-server writes: its notifications, its requests to the client, and its responses to the client's requests. */
export type CodexMessage =
  | { kind: "notification"; method: string; params: Params }
  | { kind: "request"; id: JsonRpcId; method: string; params: Params }
  | { kind: "response"; id: JsonRpcId | null; result: unknown; error?: unknown };

/** null message: a blank line. A problem leaves the line unread; nothing about it reaches the bridge's state. */
export type LineReading = { ok: true; message: CodexMessage | null } | { ok: false; problem: string };

/** Deeper lines are refused before anything recursive (hashing, canonical JSON) walks them. */
export const MAX_LINE_DEPTH = 256;

/** Methods are short names such as `item/agentMessage/delta`; this bound keeps `codex/<method>` a valid event type. */
const MAX_METHOD_LENGTH = 100;

export function readLine(line: string): LineReading {
  const text = line.trim();
  if (text === "") return { ok: true, message: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: "not JSON" };
  }
  if (!isRecord(value)) return { ok: false, problem: "not a JSON object" };
  if (depthExceeds(value, MAX_LINE_DEPTH)) return { ok: false, problem: `nested deeper than ${MAX_LINE_DEPTH} levels` };
  const hasId = Object.hasOwn(value, "id");
  if (!Object.hasOwn(value, "method")) {
    if (!hasId) return { ok: false, problem: "neither a method nor an id: not a JSON-RPC message" };
    const id = value.id;
    if (id !== null && !isJsonRpcId(id)) return { ok: false, problem: "id is neither a string, a number nor null" };
    const error = Object.hasOwn(value, "error") ? { error: value.error } : {};
    return { ok: true, message: { kind: "response", id, result: value.result, ...error } };
  }
  const method = value.method;
  if (typeof method !== "string" || method === "" || method.length > MAX_METHOD_LENGTH) {
    return { ok: false, problem: `method is not a string of 1 to ${MAX_METHOD_LENGTH} characters` };
  }
  const params = value.params ?? {};
  if (!isRecord(params)) return { ok: false, problem: "params is not an object" };
  if (!hasId) return { ok: true, message: { kind: "notification", method, params } };
  const id = value.id;
  if (!isJsonRpcId(id)) return { ok: false, problem: "a request's id is neither a string nor a number" };
  return { ok: true, message: { kind: "request", id, method, params } };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function isJsonRpcId(value: unknown): value is JsonRpcId {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

/** Iterative, so hostile nesting cannot overflow the stack while it is measured. */
export function depthExceeds(value: unknown, maxDepth: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, depth] = next;
    if (current === null || typeof current !== "object") continue;
    if (depth >= maxDepth) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}
