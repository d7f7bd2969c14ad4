/** The problem answers of a route as the OpenAPI document lists them; every route can also answer 500 and 503. */
import { ProblemSchema } from "../contracts/problem.ts";

const problemContent = { "application/problem+json": { schema: ProblemSchema } };

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request or path",
  401: "Missing or invalid bearer token",
  403: "A read token where an API token is needed, or a one-session read token listing the directory",
  404: "No such session for this tenant (or a read token limited to another session)",
  409: "Conflict: an eventId stored with different content (ingest), or a resume point of an earlier life (epoch-changed)",
  413: "Body too large (events: 1 MiB; a read-token request: 16 KiB)",
  415: "Body not application/json",
  422: "Request does not match the schema",
  426: "Not a WebSocket upgrade request",
  429: "Too many subscribers on this session (or directory)",
  500: "Misconfigured or failed unexpectedly",
  503: "Not configured (a required secret is missing)",
};

export function problems(...statuses: number[]) {
  return Object.fromEntries(
    [...statuses, 500, 503].map((status) => [
      status,
      { description: `${PROBLEM_DESCRIPTIONS[status] ?? "Problem"} (RFC 9457 problem)`, content: problemContent },
    ]),
  );
}
