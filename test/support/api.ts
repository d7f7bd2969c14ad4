/** Requests through the real Worker entry (`exports.default.fetch`), as an orchestrator would send them. */
import { exports } from "cloudflare:workers";
import { ACME_TOKEN } from "./test-config.ts";

const ORIGIN = "https://sessions.test";

export interface RequestOptions {
  token?: string | null;
  headers?: Record<string, string>;
  /** The body's Content-Type; null sends none. Defaults to application/json. */
  contentType?: string | null;
}

export function request(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  const token = options.token === undefined ? ACME_TOKEN : options.token;
  if (token !== null && !headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === "string" ? body : JSON.stringify(body);
    const contentType = options.contentType === undefined ? "application/json" : options.contentType;
    if (!headers.has("content-type") && contentType !== null) headers.set("content-type", contentType);
  }
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, { method, headers, body: payload ?? null }));
}

export const sessionPath = (threadId: string) => `/v1/sessions/${encodeURIComponent(threadId)}`;

export const api = {
  post: (threadId: string, body: unknown, options?: RequestOptions) =>
    request("POST", `${sessionPath(threadId)}/events`, body, options),
  get: (threadId: string, options?: RequestOptions) => request("GET", sessionPath(threadId), undefined, options),
  events: (threadId: string, query = "", options?: RequestOptions) =>
    request("GET", `${sessionPath(threadId)}/events${query}`, undefined, options),
  delete: (threadId: string, options?: RequestOptions) => request("DELETE", sessionPath(threadId), undefined, options),
};

export function newThreadId(): string {
  return `thread-${crypto.randomUUID()}`;
}

/** Parses a JSON or problem+json body, failing loudly on anything else. */
export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
