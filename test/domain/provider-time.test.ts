/** The provider's createdAt is stored as sent; these are the forms the projection reads, and what it makes of them. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { providerTimeIso, readProviderTime } from "../../src/domain/provider-time.ts";

describe("readProviderTime", () => {
  it.each([
    ["2026-11-25T10:00:00.000Z", "2026-11-25T10:00:00.000Z"],
    ["2026-11-25T10:00Z", "2026-11-25T10:00:00.000Z"],
    ["2026-11-25T10:00:00", "2026-11-25T10:00:00.000Z"],
    ["2026-11-25T10:00", "2026-11-25T10:00:00.000Z"],
    ["2026-11-25 10:00:00z", "2026-11-25T10:00:00.000Z"],
    ["2026-11-25t10:00:00.5", "2026-11-25T10:00:00.500Z"],
    ["2026-11-25T10:00:00.123456+05:30", "2026-11-25T04:30:00.123Z"],
    ["2026-11-25T10:00:00+0200", "2026-11-25T08:00:00.000Z"],
    ["2026-11-25T23:30:00-08:00", "2026-11-26T07:30:00.000Z"],
    ["2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"],
    ["2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000Z"],
    ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"],
    ["1795588084000", "2026-11-25T06:28:04.000Z"],
    ["0", "1970-01-01T00:00:00.000Z"],
  ])("reads %s as %s", (text, iso) => {
    expect(providerTimeIso(text)).toBe(iso);
  });

  it.each([
    "",
    "yesterday",
    "2026-11-25",
    "10:00:00Z",
    "2026-13-01T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2026-11-31T00:00:00Z",
    "2026-11-25T24:00:00Z",
    "2026-11-25T10:60:00Z",
    "2026-11-25T23:59:60Z",
    "2026-11-25T10:00:00+24:00",
    "2026-11-25T10:00:00+02:60",
    "2026-11-25T10:00:00.Z",
    " 2026-11-25T10:00:00Z",
    "2026-11-25T10:00:00Z\n",
    "+012026-11-25T10:00:00Z",
    "-1",
    "1.5",
    "17955880840000000",
    "9999999999999999",
  ])("does not read %j", (text) => {
    expect(readProviderTime(text)).toBeNull();
  });

  it("reads every instant a Date prints in ISO 8601 between years 0 and 9999 back to itself", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("0000-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true }),
        (date) => {
          expect(readProviderTime(date.toISOString())).toBe(date.getTime());
          expect(readProviderTime(String(date.getTime()))).toBe(date.getTime() >= 0 ? date.getTime() : null);
        },
      ),
    );
  });

  it("reads a zoneless time as the same time in UTC", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1000-01-01Z"), max: new Date("9999-12-31Z"), noInvalidDate: true }),
        (date) => {
          const iso = date.toISOString();
          expect(readProviderTime(iso.slice(0, -1))).toBe(date.getTime());
        },
      ),
    );
  });

  it("never throws, whatever the text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (text) => {
        const at = readProviderTime(text);
        expect(at === null || Number.isFinite(at)).toBe(true);
      }),
    );
    // A second alone; several beside the workers project on two cores.
  }, 30_000);
});
