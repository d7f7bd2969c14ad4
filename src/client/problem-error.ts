/** The one error of the client: an RFC 9457 problem as the service (or whatever answered in its place) sent it. */
import type { FieldError, Problem } from "../contracts/problem.ts";

export class ProblemError extends Error {
  override readonly name = "ProblemError";
  readonly type: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  /** JSON Pointers to the fields or events the problem is about (`/3/payload/state` is event 3 of a batch). */
  readonly errors: readonly FieldError[];
  /** The whole problem document, extensions included (`variables`, …). */
  readonly problem: Problem;
  /** From a `Retry-After` header, in milliseconds; null when none was sent. */
  readonly retryAfterMs: number | null;

  constructor(problem: Problem, retryAfterMs: number | null = null) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.type = problem.type;
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
    this.problem = problem;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Reads a failed response as a problem; a body that is not problem+json (a proxy's HTML page) becomes one. */
export async function problemOf(response: Response): Promise<ProblemError> {
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
  const text = await response.text().catch(() => "");
  const parsed = parseProblem(text);
  if (parsed !== null) return new ProblemError(parsed, retryAfterMs);
  return new ProblemError(
    {
      type: "about:blank",
      title: response.statusText || `HTTP ${response.status}`,
      status: response.status,
      detail: text.slice(0, 500),
    },
    retryAfterMs,
  );
}

function parseProblem(text: string): Problem | null {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object") return null;
    const candidate = value as Partial<Problem>;
    if (typeof candidate.type !== "string" || typeof candidate.status !== "number") return null;
    return {
      ...candidate,
      type: candidate.type,
      status: candidate.status,
      title: typeof candidate.title === "string" ? candidate.title : "",
      detail: typeof candidate.detail === "string" ? candidate.detail : "",
    };
  } catch {
    return null;
  }
}

/** `Retry-After` is delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === "") return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
