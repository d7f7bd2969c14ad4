import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJsonText, eventTexts, sameJsonText } from "../../src/contracts/json-text.ts";

/** A JSON value whose leaves are kept as source text, so big integers, `-0` and escapes survive rendering. */
type Json = { leaf: string } | { elements: Json[] } | JsonObject;
type JsonObject = { members: Array<[key: string, value: Json]> };

/** Source text of a string: plain text, escapes, and the characters a splitter might mistake for structure. */
const stringText = fc
  .array(
    fc.oneof(
      fc.string().map((text) => JSON.stringify(text).slice(1, -1)),
      fc.constantFrom(
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        " ",
        '\\"',
        "\\\\",
        '\\\\\\"',
        "\\u0041",
        "\\ud83d\\ude00",
        "\\n",
        "é",
      ),
    ),
    { maxLength: 4 },
  )
  .map((pieces) => `"${pieces.join("")}"`);

/** A few keys, so objects often repeat one, including the keys `JSON.parse` treats specially. */
const keyText = fc.oneof(fc.constantFrom('"a"', '"b"', '"__proto__"', '"constructor"'), stringText);

const numberText = fc.oneof(
  fc.constantFrom("9007199254740993", "-0", "0", "1e308", "1E308", "1.0", "-1.5e-7", "123456789012345678901234567890"),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((number) => JSON.stringify(number)),
);

const { json, object } = fc.letrec<{ json: Json; object: JsonObject }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.oneof(numberText, stringText, fc.constantFrom("true", "false", "null")).map((leaf) => ({ leaf })),
    fc.array(tie("json"), { maxLength: 4 }).map((elements) => ({ elements })),
    tie("object"),
  ),
  object: fc.array(fc.tuple(keyText, tie("json")), { maxLength: 4 }).map((members) => ({ members })),
}));

function compact(value: Json): string {
  if ("leaf" in value) return value.leaf;
  if ("elements" in value) return `[${value.elements.map(compact).join(",")}]`;
  return `{${value.members.map(([key, member]) => `${key}:${compact(member)}`).join(",")}}`;
}

const WHITESPACE = ["", "", " ", "\n", "\t", "\r\n  "];

/** Renders with random whitespace between tokens and, unless told otherwise, objects' members in random order. */
function formatted(value: Json, g: fc.GeneratorValue, shuffle = true): string {
  const ws = () => g(fc.constantFrom, ...WHITESPACE);
  if ("leaf" in value) return value.leaf;
  if ("elements" in value) {
    return `[${ws()}${value.elements.map((element) => formatted(element, g, shuffle)).join(`${ws()},${ws()}`)}${ws()}]`;
  }
  const members = shuffle ? shuffled(value.members, g) : value.members;
  const texts = members.map(([key, member]) => `${key}${ws()}:${ws()}${formatted(member, g, shuffle)}`);
  return `{${ws()}${texts.join(`${ws()},${ws()}`)}${ws()}}`;
}

/** The items in a random order; `g` is given positions, not items, as it slows down on large arguments. */
function shuffled<T>(items: readonly T[], g: fc.GeneratorValue): T[] {
  const order = g(fc.shuffledSubarray, [...items.keys()], { minLength: items.length });
  return order.flatMap((index) => items.slice(index, index + 1));
}

/** How many keys and leaves a value has: the places `changeOne` can change. */
function places(value: Json): number {
  if ("leaf" in value) return 1;
  if ("elements" in value) return value.elements.reduce((sum, element) => sum + places(element), 0);
  return value.members.reduce((sum, [, member]) => sum + 1 + places(member), 0);
}

/** Another valid text for one leaf: a number changes sign, a string gains a character, a literal becomes another. */
function changeLeaf(leaf: string): string {
  if (leaf.startsWith('"')) return `"x${leaf.slice(1)}`;
  if (leaf === "true") return "false";
  if (leaf === "false") return "null";
  if (leaf === "null") return "true";
  return leaf.startsWith("-") ? leaf.slice(1) : `-${leaf}`;
}

/** The value with its `place`-th key or leaf (depth first, a key before its value) changed. */
function changeOne(value: Json, place: number): Json {
  let remaining = place;
  const visit = (node: Json): Json => {
    if ("leaf" in node) return remaining-- === 0 ? { leaf: changeLeaf(node.leaf) } : node;
    if ("elements" in node) return { elements: node.elements.map(visit) };
    return {
      members: node.members.map(([key, member]): [string, Json] => [
        remaining-- === 0 ? changeLeaf(key) : key,
        visit(member),
      ]),
    };
  };
  return visit(value);
}

describe("sameJsonText", () => {
  it("ignores whitespace and member order", () => {
    fc.assert(fc.property(json, fc.gen(), (value, g) => sameJsonText(formatted(value, g), compact(value))));
  });

  it("tells apart a value with one key or leaf changed", () => {
    fc.assert(
      fc.property(json, fc.gen(), (value, g) => {
        fc.pre(places(value) > 0);
        const changed = changeOne(value, g(fc.nat, { max: places(value) - 1 }));
        return !sameJsonText(formatted(changed, g), compact(value));
      }),
    );
  });

  it("compares objects as multisets of members, so a repeated member counts", () => {
    fc.assert(
      fc.property(object, fc.gen(), (value, g) => {
        fc.pre(value.members.length > 0);
        const index = g(fc.nat, { max: value.members.length - 1 });
        const withRepeat = { members: [...value.members, ...value.members.slice(index, index + 1)] };
        return (
          sameJsonText(formatted(withRepeat, g), compact(withRepeat)) &&
          !sameJsonText(compact(withRepeat), compact(value))
        );
      }),
    );
  });

  it.each([
    ["1", "1.0"],
    ["0", "-0"],
    ["1e308", "1E308"],
    ["9007199254740993", "9007199254740992"],
    ['"A"', '"\\u0041"'],
    ["[1,2]", "[2,1]"],
    ['{"a":1,"a":2}', '{"a":1,"a":1}'],
    ['{"a":1}', '{"a":1,"a":1}'],
    ['{"__proto__":{"x":1}}', "{}"],
    ["true", "false"],
    ["null", '"null"'],
  ])("tells %s from %s", (a, b) => {
    expect(sameJsonText(a, b)).toBe(false);
  });

  it.each([
    ['{"a":1,"a":2}', '{ "a" : 2 , "a" : 1 }'],
    ['{"__proto__":{"x":-0},"b":[1e308]}', '\n{ "b":[ 1e308 ],\t"__proto__" : {"x" :-0} }\r\n'],
    ['{"a\\"":"]","a":"}"}', '{"a":"}","a\\"":"]"}'],
  ])("finds %s the same as %s", (a, b) => {
    expect(sameJsonText(a, b)).toBe(true);
  });

  it("spells a value with members sorted and strings and numbers as written", () => {
    expect(canonicalJsonText(' { "b" : [ 1.0 , "\\u0041" ] , "a" : { "z" : -0 , "__proto__" : null } } ')).toBe(
      '{"a":{"__proto__":null,"z":-0},"b":[1.0,"\\u0041"]}',
    );
  });

  it.each(["", "{", '{"a" 1}', "[1,]", "[1 2]", "01", "tru", '"open'])("rejects %j as not JSON", (text) => {
    expect(() => canonicalJsonText(text)).toThrow(SyntaxError);
  });
});

describe("eventTexts", () => {
  it("returns each element's source text from an array however it is spaced", () => {
    fc.assert(
      fc.property(fc.array(object, { maxLength: 6 }), fc.gen(), (events, g) => {
        const ws = () => g(fc.constantFrom, ...WHITESPACE);
        const texts = events.map((event) => formatted(event, g, false));
        const body = `${ws()}[${ws()}${texts.join(`${ws()},${ws()}`)}${ws()}]${ws()}`;
        JSON.parse(body);
        expect(eventTexts(body)).toEqual(texts);
      }),
    );
  });

  it("returns a single object's text without the whitespace around it", () => {
    fc.assert(
      fc.property(object, fc.gen(), (event, g) => {
        const text = formatted(event, g, false);
        const ws = () => g(fc.constantFrom, ...WHITESPACE);
        expect(eventTexts(`${ws()}${text}${ws()}`)).toEqual([text]);
      }),
    );
  });

  it.each([
    ['[ {"a":1} ,{"b":"]"}]', ['{"a":1}', '{"b":"]"}']],
    ['[{"a":"\\"},{"},{"b":"\\\\"},{"c":[{},[]]}]', ['{"a":"\\"},{"}', '{"b":"\\\\"}', '{"c":[{},[]]}']],
    ['\n[\n  {"__proto__": 9007199254740993, "n": -0}\n]\n', ['{"__proto__": 9007199254740993, "n": -0}']],
    [" [ ] ", []],
    ['\t{ "a" : 1e308 }\r\n', ['{ "a" : 1e308 }']],
  ])("splits %j", (body, texts) => {
    expect(eventTexts(body)).toEqual(texts);
  });
});
