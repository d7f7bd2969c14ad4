/**
 * Text a provider sent (threadIds, turn ids, provider names, error lines), as the dashboard writes it on a line: every
 * character that would not show, or would reorder the text around it, is written as its escape, so "\u202Etxt.exe"
 * reads `\u202Etxt.exe`, never "exe.txt", and two ids that differ only there never look alike.
 */

/** A run of text shown as it is, or one hidden character written as its escape (`\u202E`). */
export interface TextPart {
  text: string;
  escaped: boolean;
}

/**
 * Format characters (Cf: the bidi embeddings, overrides, isolates and marks, zero-width spaces and joiners, the byte
 * order mark, tag characters), the other default-ignorable ones (Hangul fillers and the like), line and paragraph
 * separators, lone surrogates, and controls other than tab, line feed and carriage return, which read as a space.
 * Variation selectors pick how the character before them is drawn, so they show through it and stay.
 */
const HIDDEN =
  /(?!\p{Variation_Selector})(?:[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\p{Cs}]|[^\P{Cc}\t\n\r])/gu;

const ZERO_WIDTH_JOINER = "\u200D";
/** An emoji drawn as one (👩, ❤️, 🧑🏽) just before a joiner: at most five UTF-16 units. */
const EMOJI_BEFORE =
  /(?:\p{Emoji_Presentation}\p{Emoji_Modifier}?|\p{Extended_Pictographic}[\u{FE0F}\p{Emoji_Modifier}])$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;

export function visibleParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let shownFrom = 0;
  for (const match of text.matchAll(HIDDEN)) {
    const [hidden] = match;
    const at = match.index;
    if (hidden === ZERO_WIDTH_JOINER && joinsEmoji(text, at)) continue;
    if (at > shownFrom) parts.push({ text: text.slice(shownFrom, at), escaped: false });
    parts.push({ text: escapeUnits(hidden), escaped: true });
    shownFrom = at + hidden.length;
  }
  if (shownFrom < text.length) parts.push({ text: text.slice(shownFrom), escaped: false });
  return parts;
}

/** The text as `visibleParts` writes it, for places that take a plain string (the window title). */
export function visibleText(text: string): string {
  return visibleParts(text)
    .map((part) => part.text)
    .join("");
}

/** A joiner between two emoji draws them as one (👩‍💻): it shows, so it stays. Anywhere else it hides. */
function joinsEmoji(text: string, at: number): boolean {
  return EMOJI_BEFORE.test(text.slice(Math.max(0, at - 5), at)) && EMOJI_AFTER.test(text.slice(at + 1, at + 3));
}

/**
 * One `\uXXXX` per UTF-16 unit, as JSON and JavaScript write it: an escaped id pasted into either is the id, and
 * JSON text stays JSON.
 */
function escapeUnits(hidden: string): string {
  let escaped = "";
  for (let index = 0; index < hidden.length; index++) {
    escaped += `\\u${hidden.charCodeAt(index).toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return escaped;
}
