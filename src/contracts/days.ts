/**
 * UTC days as the usage rollups count them (`YYYY-MM-DD`), without zod: the Worker, the CLI and the dashboard each
 * name a range of days, and all of them alike.
 */
export const DAY_MS = 86_400_000;

/** The UTC day of a time (ms since the epoch). */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The first day of a range of `days` days that ends on `to`, both included. */
export function rangeStart(to: string, days: number): string {
  return utcDay(Date.parse(`${to}T00:00:00Z`) - (days - 1) * DAY_MS);
}
