/** One request to the service: base URL, bearer token, the caller's fetch and signal; failures as ProblemError. */
import { ProblemError, problemOf } from "./problem-error.ts";

export type Fetch = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

export interface Transport {
  /** Sends the request; a non-2xx answer is thrown as a ProblemError. */
  send(method: string, path: string, options?: SendOptions): Promise<Response>;
  json<T>(method: string, path: string, options?: SendOptions): Promise<T>;
}

export interface SendOptions {
  query?: URLSearchParams;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

export function createTransport(baseUrl: string, token: string, fetcher: Fetch): Transport {
  const base = baseUrl.replace(/\/+$/, "");
  const send = async (method: string, path: string, options: SendOptions = {}) => {
    const query = options.query === undefined || options.query.size === 0 ? "" : `?${options.query}`;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...options.headers };
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    if (options.signal !== undefined) init.signal = options.signal;
    const response = await fetcher(`${base}${path}${query}`, init);
    if (!response.ok) throw await problemOf(response);
    return response;
  };
  return {
    send,
    json: async <T>(method: string, path: string, options?: SendOptions) =>
      (await (await send(method, path, options)).json()) as T,
  };
}

export const sessionPath = (threadId: string) => `/v1/sessions/${encodeURIComponent(threadId)}`;

export { ProblemError };
