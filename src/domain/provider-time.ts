/** Reads the provider's `createdAt`, which is stored as sent whatever it says, into a time the projection can show. */

/**
 * The forms read (anything else is not a time: the event is kept, its time is simply not used):
 * - ISO 8601 date and time, `T`, `t` or a space between: `2026-11-25T10:00Z` (no seconds), `2026-11-25T10:00:00`,
 *   `2026-11-25T10:00:00.123456+05:30`; a fraction is cut to milliseconds. A time without a zone is read as UTC
 *   (orchestrators that leave the zone out log UTC; the server's own zone would make the view depend on where it runs).
 *   Zones: `Z`/`z`, `±HH:MM` or `±HHMM`. Each field must be in its calendar range (no 2023-02-29, no hour 24, no
 *   leap second 60).
 * - Epoch milliseconds as a string of 1 to 16 digits (`"1795588084000"`), as far as a Date reaches.
 */
export function readProviderTime(text: string): number | null {
  if (EPOCH_MILLISECONDS.test(text)) return epochMilliseconds(Number(text));
  const match = ISO_DATE_TIME.exec(text);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction, zone] = match as unknown as ISOFields;
  const fields = { year: +year, month: +month, day: +day, hour: +hour, minute: +minute, second: +(second ?? 0) };
  if (!inCalendarRange(fields)) return null;
  const offset = zoneOffsetMinutes(zone);
  if (offset === null) return null;
  const date = new Date(0);
  date.setUTCFullYear(fields.year, fields.month - 1, fields.day);
  date.setUTCHours(fields.hour, fields.minute - offset, fields.second, millisecondsOf(fraction));
  return epochMilliseconds(date.getTime());
}

/** The time as the view shows it (ISO 8601 in UTC), or null when `text` is in none of the forms read. */
export function providerTimeIso(text: string): string | null {
  const at = readProviderTime(text);
  return at === null ? null : new Date(at).toISOString();
}

type ISOFields = [
  string,
  string,
  string,
  string,
  string,
  string,
  string | undefined,
  string | undefined,
  string | undefined,
];

const EPOCH_MILLISECONDS = /^\d{1,16}$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:?\d{2})?$/;
/** The farthest a JavaScript Date reaches either side of 1970 (ECMA-262 §21.4.1.1). */
const MAX_TIME_MS = 8.64e15;

function epochMilliseconds(ms: number): number | null {
  return Math.abs(ms) <= MAX_TIME_MS ? ms : null;
}

interface CalendarFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function inCalendarRange({ year, month, day, hour, minute, second }: CalendarFields): boolean {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  return hour <= 23 && minute <= 59 && second <= 59;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Minutes east of UTC; no zone is UTC; null for an offset out of range. */
function zoneOffsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone === "Z" || zone === "z") return 0;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return null;
  return (zone.startsWith("-") ? -1 : 1) * (hours * 60 + minutes);
}

function millisecondsOf(fraction: string | undefined): number {
  return fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, "0"));
}
