import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clipTail, clipText, MAX_LIFECYCLE_TEXT_LENGTH } from "../../src/domain/provider-text.ts";

describe("clipText and clipTail", () => {
  it("leave text within the limit as it is", () => {
    expect(clipText("x".repeat(MAX_LIFECYCLE_TEXT_LENGTH))).toHaveLength(MAX_LIFECYCLE_TEXT_LENGTH);
    expect(clipTail("abc", 3)).toBe("abc");
  });

  it("keep the head, or the tail, of text over the limit", () => {
    expect(clipText("abcdef", 4)).toBe("abcd");
    expect(clipTail("abcdef", 4)).toBe("cdef");
    expect(clipText("y".repeat(MAX_LIFECYCLE_TEXT_LENGTH + 1))).toHaveLength(MAX_LIFECYCLE_TEXT_LENGTH);
  });

  it("never split a surrogate pair, and never exceed the limit", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", "😀"), maxLength: 40 }),
        fc.integer({ min: 1, max: 40 }),
        (text, limit) => {
          for (const clipped of [clipText(text, limit), clipTail(text, limit)]) {
            expect(clipped.length).toBeLessThanOrEqual(limit);
            expect(clipped.isWellFormed()).toBe(true);
            expect(clipped.length).toBeGreaterThanOrEqual(Math.min(text.length, limit) - 1);
          }
          expect(text.startsWith(clipText(text, limit))).toBe(true);
          expect(text.endsWith(clipTail(text, limit))).toBe(true);
        },
      ),
    );
  });
});
