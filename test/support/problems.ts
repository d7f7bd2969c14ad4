/** The one check of a problem answer: RFC 9457 problem+json of the expected status and kind, with a title and a detail. */
import { expect } from "vitest";
import type { Problem } from "../../src/contracts/problem.ts";
import { json } from "./api.ts";

export async function expectProblem(response: Response, status: number, type: string): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const problem = await json<Problem>(response);
  expect(problem).toMatchObject({ status, type: `urn:provider-sessions:problem:${type}` });
  expect(problem.title.length).toBeGreaterThan(0);
  expect(problem.detail.length).toBeGreaterThan(0);
  return problem;
}
