/** How the dashboard writes provider-sent text on a line: hidden and bidi characters as escapes (visible-text.ts). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { visibleParts, visibleText } from "../../src/dashboard/visible-text.ts";
import { awkwardText } from "../support/arbitraries.ts";

const BIDI_CONTROLS = ["\u061C", "\u200E", "\u200F", "\u202A", "\u202B", "\u202C", "\u202D", "\u202E"].concat([
  "\u2066",
  "\u2067",
  "\u2068",
  "\u2069",
]);
const hex = (char: string) => (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");

describe("visibleText", () => {
  it("writes a right-to-left override as its escape, so a name cannot pass for another", () => {
    expect(visibleText("\u202Etxt.exe")).toBe(String.raw`\u202Etxt.exe`);
  });

  it.each(BIDI_CONTROLS)("writes the bidi control %j as its escape", (control) => {
    expect(visibleText(`a${control}b`)).toBe(`a\\u${hex(control)}b`);
  });

  it.each([
    ["zero width space", "\u200B", String.raw`\u200B`],
    ["zero width non-joiner", "\u200C", String.raw`\u200C`],
    ["word joiner", "\u2060", String.raw`\u2060`],
    ["byte order mark", "\uFEFF", String.raw`\uFEFF`],
    ["soft hyphen", "\u00AD", String.raw`\u00AD`],
    ["Hangul filler", "\u3164", String.raw`\u3164`],
    ["tag letter A, one escape per UTF-16 unit", "\u{E0041}", String.raw`\uDB40\uDC41`],
    ["line separator", "\u2028", String.raw`\u2028`],
    ["C1 control", "\u0085", String.raw`\u0085`],
    ["NUL", "\u0000", String.raw`\u0000`],
    ["lone surrogate", "\uD800", String.raw`\uD800`],
  ])("writes a %s as its escape", (_, hidden, escaped) => {
    expect(visibleText(`id${hidden}x`)).toBe(`id${escaped}x`);
  });

  it("writes a joiner between letters as its escape, and leaves one inside an emoji (👩‍💻) alone", () => {
    expect(visibleText("a\u200Db")).toBe(String.raw`a\u200Db`);
    expect(visibleText("©\u200D©")).toBe(String.raw`©\u200D©`);
    for (const emoji of ["👩‍💻", "🧑🏽‍💻", "❤️‍🔥", "🏳️‍🌈", "👨‍👩‍👧", "🏃‍♀️"]) expect(visibleText(emoji)).toBe(emoji);
    expect(visibleText("👩\u200D")).toBe(String.raw`👩\u200D`);
  });

  it("leaves what shows alone: letters of any script, accents, emoji with their variation selectors, tabs", () => {
    for (const text of [
      "thread-42",
      "שלום",
      "مرحبا",
      "e\u0301",
      "❤️",
      "a\tb",
      "line\nbreak",
      "a%2Fb ../ ?#",
      "\\u202E",
    ]) {
      expect(visibleText(text)).toBe(text);
    }
  });

  it("leaves no bidi control or other format character but an emoji's joiner", () => {
    fc.assert(
      fc.property(fc.oneof(awkwardText, fc.string({ unit: "binary" })), (text) => {
        expect(visibleText(text)).not.toMatch(/(?!\u200D)[\p{Cf}\p{Cs}]/u);
      }),
    );
  });

  it("keeps JSON text JSON, equal to what it held, so the raw view can be escaped too", () => {
    fc.assert(
      fc.property(fc.oneof(awkwardText, fc.string({ unit: "binary" })), (text) => {
        const json = JSON.stringify({ text }, null, 2);
        expect(JSON.parse(visibleText(json))).toEqual({ text });
      }),
    );
  });
});

describe("visibleParts", () => {
  it("marks each escape, so the page can set it apart from text that merely looks like one", () => {
    expect(visibleParts("a\u200Bb\\u200B")).toEqual([
      { text: "a", escaped: false },
      { text: String.raw`\u200B`, escaped: true },
      { text: String.raw`b\u200B`, escaped: false },
    ]);
    expect(visibleParts("")).toEqual([]);
  });
});
