/** RFC 9457 problem details: the one mapping from a failure to a status, a stable type and a title. */
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { type FieldError, PROBLEM_TYPE_PREFIX, PROBLEMS, type ProblemKind } from "../contracts/problem.ts";

export type { ProblemKind };

export function problemResponse(
  kind: ProblemKind,
  detail: string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  statusOverride?: number,
): Response {
  const { title } = PROBLEMS[kind];
  const status = statusOverride ?? PROBLEMS[kind].status;
  return new Response(JSON.stringify({ type: `${PROBLEM_TYPE_PREFIX}${kind}`, title, status, detail, ...extensions }), {
    status,
    headers: { ...headers, "content-type": "application/problem+json", "x-content-type-options": "nosniff" },
  });
}

/** Throws into the app's one onError, which sends the problem as it is. */
export function fail(
  kind: ProblemKind,
  detail: string,
  extensions?: Record<string, unknown>,
  headers?: Record<string, string>,
): never {
  const res = problemResponse(kind, detail, extensions, headers);
  throw new HTTPException(PROBLEMS[kind].status as ContentfulStatusCode, { res });
}

export function problemKindForStatus(status: number): ProblemKind {
  const known = Object.entries(PROBLEMS).find(([, problem]) => problem.status === status);
  if (known !== undefined) return known[0] as ProblemKind;
  return status >= 500 ? "internal" : "malformed-request";
}

/**
 * JSON Pointers to the failing fields. When neither branch of "one event or an array" matched, the branch of
 * the body's own shape is reported: the other one failed only because the body is (or is not) an array.
 */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): FieldError[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const shaped = issue.errors.filter((branch) => !branch.some((inner) => isRootTypeMismatch(inner)));
      const chosen = shaped.length === 1 ? shaped : issue.errors.slice(0, 1);
      return chosen.flatMap((branch) => fieldErrors(branch, path));
    }
    return [{ pointer: toPointer(path), detail: issue.message }];
  });
}

function isRootTypeMismatch(issue: z.core.$ZodIssue): boolean {
  return issue.code === "invalid_type" && issue.path.length === 0;
}

function toPointer(path: readonly PropertyKey[]): string {
  return path.map((segment) => `/${String(segment).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}
