/** Reads a field of an event's payload that the edge did not check: a value of the wrong type is as good as absent. */
import type { RuntimeEvent } from "../contracts/events.ts";

export function payloadText(event: RuntimeEvent, field: string): string | null {
  const value = event.payload?.[field];
  return typeof value === "string" && value.length > 0 ? value : null;
}

/** A non-negative finite number, or null. */
export function payloadAmount(source: Record<string, unknown> | null | undefined, field: string): number | null {
  const value = source?.[field];
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}

export function payloadFlag(event: RuntimeEvent, field: string): boolean | null {
  const value = event.payload?.[field];
  return typeof value === "boolean" ? value : null;
}

export function payloadRecord(event: RuntimeEvent, field: string): Record<string, unknown> | null {
  const value = event.payload?.[field];
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
