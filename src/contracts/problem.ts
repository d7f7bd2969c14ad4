/** RFC 9457 problem details as this service sends them: the catalogue of problem types and their statuses. */
import { z } from "zod";

export const PROBLEM_TYPE_PREFIX = "urn:provider-sessions:problem:";

export const PROBLEMS = {
  "malformed-request": { status: 400, title: "Malformed request" },
  "malformed-offset": { status: 400, title: "Malformed offset" },
  unauthorized: { status: 401, title: "Unauthorized" },
  forbidden: { status: 403, title: "Forbidden" },
  "not-found": { status: 404, title: "Not found" },
  "session-not-found": { status: 404, title: "Session not found" },
  "method-not-allowed": { status: 405, title: "Method not allowed" },
  "event-id-conflict": { status: 409, title: "Event id reused with different content" },
  "epoch-changed": { status: 409, title: "The session was begun again" },
  "offset-gone": { status: 410, title: "Offset gone" },
  "payload-too-large": { status: 413, title: "Payload too large" },
  "unsupported-media-type": { status: 415, title: "Unsupported media type" },
  "validation-failed": { status: 422, title: "Validation failed" },
  "upgrade-required": { status: 426, title: "Upgrade required" },
  "too-many-subscribers": { status: 429, title: "Too many subscribers" },
  misconfigured: { status: 500, title: "Service misconfigured" },
  internal: { status: 500, title: "Internal error" },
  "not-configured": { status: 503, title: "Service not configured" },
  "directory-unavailable": { status: 503, title: "Directory unavailable" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemKind = keyof typeof PROBLEMS;

export const FieldErrorSchema = z
  .object({
    pointer: z.string().describe("JSON Pointer (RFC 6901) into the request body, or the name of a parameter"),
    detail: z.string(),
  })
  .meta({ id: "FieldError" });
export type FieldError = z.infer<typeof FieldErrorSchema>;

export const ProblemSchema = z
  .looseObject({
    type: z.string().describe(`${PROBLEM_TYPE_PREFIX}<kind>`),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z.array(FieldErrorSchema).optional().describe("the fields or events the problem is about"),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details" });
export type Problem = z.infer<typeof ProblemSchema>;
