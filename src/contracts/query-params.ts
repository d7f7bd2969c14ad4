/**
 * One parsing rule a query parameter, shared by every route that takes it: a seq, a version or a page size is 1-15
 * decimal digits (no sign, exponent, point or spaces; always below 2^53), so `1e2` or `9007199254740993` is refused
 * alike on every route, and the document states the rule as a pattern.
 */
import { z } from "zod";

const DIGITS = "[0-9]{1,15}";
const WHOLE_NUMBER_PATTERN = `^${DIGITS}$`;
/** A seq, or `<epoch>:<seq>` as SSE `id:` lines carry it. */
export const RESUME_POINT_PATTERN = `^(?:[0-9a-z]{1,32}:)?${DIGITS}$`;

/** At most this many values of one query parameter; more is a 422 (a filter has a handful of values). */
export const MAX_PARAMETER_REPEATS = 16;

const wholeNumberText = z
  .string()
  .regex(new RegExp(WHOLE_NUMBER_PATTERN), "must be a whole number: 1-15 decimal digits")
  .transform(Number);

/** A seq or a version. */
export function wholeNumberParam(description: string) {
  return wholeNumberText.meta({ type: "string", pattern: WHOLE_NUMBER_PATTERN, description });
}

/** A page size between 1 and `max`, `fallback` when absent. */
export function pageSizeParam(max: number, fallback: number) {
  return wholeNumberText
    .pipe(z.int().min(1).max(max))
    .optional()
    .transform((limit) => limit ?? fallback)
    .meta({ type: "string", pattern: WHOLE_NUMBER_PATTERN, description: `1-${max}, default ${fallback}` });
}

/**
 * Where a reader resumes: a bare seq, or `<epoch>:<seq>`. Refuses anything else, so a typo is a 4xx rather than a
 * replay from the start.
 */
export const ResumePointSchema = z
  .string()
  .regex(new RegExp(RESUME_POINT_PATTERN), "must be a seq, or <epoch>:<seq>")
  .transform((text) => {
    const separator = text.lastIndexOf(":");
    return separator < 0
      ? { epoch: null, seq: Number(text) }
      : { epoch: text.slice(0, separator), seq: Number(text.slice(separator + 1)) };
  });
export type ResumePoint = z.infer<typeof ResumePointSchema>;
