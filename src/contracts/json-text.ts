/**
 * JSON text kept as written: split a request body into each event's exact source text, and compare two texts
 * losslessly. `JSON.parse` would drop what an event must keep (`__proto__` keys, integers past 2^53, `-0`, key order),
 * so both functions read the text itself.
 */

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function isWhitespace(code: number): boolean {
  return code === SPACE || code === LF || code === CR || code === TAB;
}

/**
 * The index of the quote closing the string whose opening quote is at `open`, or the text's length when none does. A
 * quote after an odd run of backslashes is escaped. `indexOf` skips string contents (most of an event) several times
 * faster than reading them a character at a time, and the runs it looks back over are disjoint, so a scan stays linear.
 */
function closingQuote(text: string, open: number): number {
  let quote = open;
  for (;;) {
    quote = text.indexOf('"', quote + 1);
    if (quote < 0) return text.length;
    let before = quote - 1;
    while (text.charCodeAt(before) === BACKSLASH) before--;
    if ((quote - before) % 2 === 1) return quote;
  }
}

/**
 * The exact source text of each event in a body `JSON.parse` accepted: the trimmed body when it is one object, each
 * element's text (without surrounding whitespace or commas) when it is an array. One forward pass with counters only (no parse, no
 * recursion), since bodies reach a mebibyte.
 */
export function eventTexts(body: string): string[] {
  let start = 0;
  let end = body.length;
  while (start < end && isWhitespace(body.charCodeAt(start))) start++;
  while (end > start && isWhitespace(body.charCodeAt(end - 1))) end--;
  if (body.charCodeAt(start) !== OPEN_BRACKET) return [body.slice(start, end)];

  const texts: string[] = [];
  let depth = 0; // nesting inside the current element
  let elementStart = -1;
  let elementEnd = -1;
  // Inside the outer brackets a comma at depth 0 ends an element; its text ends at its last non-space character.
  for (let i = start + 1; i < end - 1; i++) {
    switch (body.charCodeAt(i)) {
      case QUOTE:
        if (elementStart < 0) elementStart = i;
        i = closingQuote(body, i);
        elementEnd = i + 1;
        break;
      case OPEN_BRACE:
      case OPEN_BRACKET:
        if (elementStart < 0) elementStart = i;
        depth++;
        break;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        depth--;
        elementEnd = i + 1;
        break;
      case COMMA:
        if (depth === 0) {
          texts.push(body.slice(elementStart, elementEnd));
          elementStart = -1;
        }
        break;
      case SPACE:
      case LF:
      case CR:
      case TAB:
        break;
      default:
        if (elementStart < 0) elementStart = i;
        elementEnd = i + 1;
    }
  }
  if (elementStart >= 0) texts.push(body.slice(elementStart, elementEnd));
  return texts;
}

const NUMBER_OR_LITERAL = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)$/;

/**
 * One spelling of a JSON text for lossless comparison: insignificant whitespace dropped, each object's members sorted
 * (duplicates kept, so objects compare as multisets), and every string, key and number kept exactly as written, so
 * `1` and `1.0`, `0` and `-0`, `"A"` and `"\u0041"` stay apart. Throws a SyntaxError on text that is not JSON.
 */
export function canonicalJsonText(text: string): string {
  let i = 0;

  const fail = (expected: string): never => {
    throw new SyntaxError(`Expected ${expected} at position ${i} of JSON text`);
  };
  const skipWhitespace = (): void => {
    while (isWhitespace(text.charCodeAt(i))) i++;
  };

  const string = (): string => {
    const start = i;
    i = closingQuote(text, start) + 1;
    return i > text.length ? fail("the end of a string") : text.slice(start, i);
  };

  const scalar = (): string => {
    const start = i;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (isWhitespace(code) || code === COMMA || code === COLON || code === CLOSE_BRACKET || code === CLOSE_BRACE)
        break;
      i++;
    }
    const token = text.slice(start, i);
    return NUMBER_OR_LITERAL.test(token) ? token : fail("a JSON value");
  };

  // `close` is `}` or `]`; `item` reads one member or element, and the list ends at `close` after it.
  const list = (close: number, item: () => string): string[] => {
    i++;
    skipWhitespace();
    if (text.charCodeAt(i) === close) {
      i++;
      return [];
    }
    const items: string[] = [];
    for (;;) {
      items.push(item());
      skipWhitespace();
      const code = text.charCodeAt(i++);
      if (code === close) return items;
      if (code !== COMMA) fail("',' or the end of a list");
    }
  };

  const value = (): string => {
    skipWhitespace();
    const code = text.charCodeAt(i);
    if (code === QUOTE) return string();
    if (code === OPEN_BRACKET) return `[${list(CLOSE_BRACKET, value).join(",")}]`;
    if (code === OPEN_BRACE) {
      // A member's text is its key then its canonical value, so sorting the texts sorts by key and keeps duplicates.
      const members = list(CLOSE_BRACE, () => {
        skipWhitespace();
        if (text.charCodeAt(i) !== QUOTE) fail("a key");
        const key = string();
        skipWhitespace();
        if (text.charCodeAt(i++) !== COLON) fail("':'");
        return `${key}:${value()}`;
      });
      return `{${members.sort().join(",")}}`;
    }
    return scalar();
  };

  const canonical = value();
  skipWhitespace();
  if (i !== text.length) fail("the end of the JSON text");
  return canonical;
}

/** Whether two JSON texts are the same value, compared losslessly (see `canonicalJsonText`). */
export function sameJsonText(a: string, b: string): boolean {
  return a === b || canonicalJsonText(a) === canonicalJsonText(b);
}
