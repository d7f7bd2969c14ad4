/**
 * Every operation of the OpenAPI document, as the Worker serves it, driven with generated and hostile path
 * parameters, query parameters, headers and bodies under a valid configuration: each answer is below 500, has a
 * status the document lists for that operation, and a body that validates against the schema documented for that
 * status and media type (docs/api.md). The operations come from the document, so a new route is fuzzed as it lands.
 */

import { exports } from "cloudflare:workers";
import { type Schema, Validator } from "@cfworker/json-schema";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import { newThreadId } from "../support/api.ts";
import { awkwardText, awkwardThreadId, hostileBody, sessionEvent } from "../support/arbitraries.ts";
import { ev } from "../support/events.ts";
import { ACME_TOKEN, GLOBEX_TOKEN } from "../support/test-config.ts";

const ORIGIN = "https://sessions.test";
/** The run's count per property, capped: ten operations at this many cases keep the file well under a minute. */
const MAX_RUNS_PER_OPERATION = 200;

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: Schema;
  example?: unknown;
}
interface Content {
  schema?: Schema;
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, Content> };
  responses: Record<string, { content?: Record<string, Content> }>;
  security?: unknown[];
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options", "trace"]);

async function fetchDocument(): Promise<OpenApiDocument> {
  const response = await exports.default.fetch(new Request(`${ORIGIN}/openapi.json`));
  expect(response.status).toBe(200);
  return (await response.json()) as OpenApiDocument;
}

const doc = await fetchDocument();

interface Route {
  name: string;
  path: string;
  method: string;
  operation: Operation;
}

const routes: Route[] = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => HTTP_METHODS.has(method))
    .map(([method, operation]) => ({ name: `${method} ${path}`, path, method: method.toUpperCase(), operation })),
);

// ---------------------------------------------------------------------------------------------------------------
// The document's schemas: a validator per response schema, and values generated from a request schema.

function resolve(schema: Schema): Schema {
  let resolved = schema;
  for (let hops = 0; resolved.$ref !== undefined && hops < 16; hops += 1) {
    const name = resolved.$ref.replace("#/components/schemas/", "");
    const target = doc.components.schemas[name];
    if (target === undefined) throw new Error(`unresolvable $ref ${resolved.$ref}`);
    resolved = target;
  }
  return resolved;
}

const validators = new Map<string, Validator>();

/** A 2020-12 validator for a schema of the document; its `#/components/schemas/...` refs resolve in a copy. */
function validatorOf(schema: Schema): Validator {
  const key = JSON.stringify(schema);
  let validator = validators.get(key);
  if (validator === undefined) {
    const root = { ...structuredClone(schema), components: structuredClone(doc.components) } as Schema;
    validator = new Validator(root, "2020-12", false);
    validators.set(key, validator);
  }
  return validator;
}

/** Values that validate against a (request) schema of the document, small and bounded in depth. */
function schemaValue(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum !== undefined) return fc.constantFrom(...s.enum);
  const branches = s.anyOf ?? s.oneOf;
  if (branches !== undefined) return fc.oneof(...branches.map((branch) => schemaValue(branch, depth + 1)));
  const types = s.type === undefined ? ["object" as const] : Array.isArray(s.type) ? s.type : [s.type];
  return fc.oneof(...types.map((type) => valueOfType(s, type, depth)));
}

function valueOfType(s: Schema, type: string, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
    case "number":
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
    case "string":
      return stringOf(s);
    case "array": {
      if (depth > 3) return fc.constant([]);
      const items = typeof s.items === "object" && !Array.isArray(s.items) ? s.items : {};
      const minLength = s.minItems ?? 0;
      return fc.array(schemaValue(items, depth + 1), {
        minLength,
        maxLength: Math.max(minLength, Math.min(s.maxItems ?? 3, 3)),
      });
    }
    default: {
      if (depth > 3) return fc.constant({});
      const properties = Object.entries(s.properties ?? {}).filter(
        (entry): entry is [string, Schema] => typeof entry[1] === "object",
      );
      const model = Object.fromEntries(properties.map(([name, property]) => [name, schemaValue(property, depth + 1)]));
      return fc.record(model, { requiredKeys: (s.required ?? []).filter((name) => name in model) });
    }
  }
}

const codePoints = (text: string) => [...text].length;

function stringOf(s: Schema): fc.Arbitrary<string> {
  if (s.format === "date-time") {
    return fc
      .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
      .map((date) => date.toISOString());
  }
  const minLength = s.minLength ?? 0;
  const maxLength = Math.min(s.maxLength ?? 40, 40);
  const text =
    s.pattern === undefined
      ? fc.string({ unit: "grapheme", minLength, maxLength })
      : fc.stringMatching(new RegExp(s.pattern, "u"));
  return text.filter((value) => codePoints(value) >= minLength && codePoints(value) <= (s.maxLength ?? 1e9));
}

// ---------------------------------------------------------------------------------------------------------------
// A case: symbolic choices, resolved against the run's tokens and sessions when sent (and printed when one fails).

/** Values of a query parameter no valid request has. */
const hostileQueryValue = fc.oneof(
  fc.constantFrom(
    "1e2",
    "-1",
    "null",
    "",
    "0",
    "9007199254740993",
    "1".repeat(16),
    "99999999999999999999999",
    "0x1",
    " 1",
    "1 ",
    "+1",
    "１",
    "NaN",
    "Infinity",
    "true",
    "0:0",
    ":1",
    "a:",
    "A:1",
    `${"x".repeat(33)}:1`,
    "[]",
    "{}",
    "undefined",
    "__proto__",
  ),
  awkwardText,
  fc.integer({ min: 513, max: 20_000 }).map((length) => "c".repeat(length)),
);

/** A value as the query carries it: encoded, or raw (a `%zz` or a lone `%` left for the Worker to decode). */
interface QueryPair {
  name: string;
  value: string;
  raw: boolean;
}

/** The declared parameters with valid, hostile or no values, some repeated up to 20 times, and unknown ones. */
function queryOf(parameters: readonly Parameter[]): fc.Arbitrary<QueryPair[]> {
  const declared = parameters
    .filter((parameter) => parameter.in === "query")
    .map((parameter) => {
      const schema = parameter.schema ?? { type: "string" };
      const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern, "u");
      const generated = schemaValue(schema).map((value) =>
        Array.isArray(value) ? value.map(String) : [String(value)],
      );
      // Small numbers too, where the bounds of a page size or a seq are, when the pattern takes digits.
      const valid =
        pattern?.test("0") === true
          ? fc.oneof(
              generated,
              fc
                .oneof(fc.nat({ max: 10 }), fc.constantFrom(49, 50, 51, 99, 100, 101, 199, 200, 201, 999, 1000, 1001))
                .map((value) => [String(value)]),
            )
          : generated;
      const values = fc.oneof(
        { weight: 4, arbitrary: valid },
        { weight: 3, arbitrary: hostileQueryValue.map((value) => [value]) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(
              fc.oneof(
                valid,
                hostileQueryValue.map((value) => [value]),
              ),
              fc.integer({ min: 2, max: 20 }),
            )
            .map(([[value = ""], times]) => Array.from({ length: times }, () => value)),
        },
      );
      return fc.option(
        fc
          .tuple(values, fc.boolean())
          .map(([list, raw]) => list.map((value) => ({ name: parameter.name, value, raw }))),
        { freq: 3, nil: [] },
      );
    });
  const unknown = fc.array(
    fc.record({
      name: fc.oneof(
        fc.constantFrom("foo", "access_token", "__proto__", "", "after[]", "limit ", "LIMIT", "threadId", "%zz"),
        fc.string({ maxLength: 8 }),
      ),
      value: fc.oneof(fc.constantFrom("read-token"), hostileQueryValue),
      raw: fc.boolean(),
    }),
    { maxLength: 3 },
  );
  return fc.tuple(fc.tuple(...declared), fc.option(unknown, { freq: 4, nil: [] })).chain(([lists, extra]) => {
    const pairs = [...lists.flat(), ...extra];
    return fc.shuffledSubarray(pairs, { minLength: pairs.length, maxLength: pairs.length });
  });
}

/** How a path parameter is written: an existing session, a new one, awkward text, or hostile percent sequences. */
type Segment =
  | { kind: "seeded" }
  | { kind: "existing" }
  | { kind: "fresh" }
  | { kind: "example" }
  | { kind: "text"; text: string }
  | { kind: "length"; length: number; unit: string }
  | { kind: "raw"; raw: string };

/** Percent-encodes the UTF-8 of a text (a lone surrogate becomes U+FFFD, so the text encodes whatever it holds). */
const percentEncode = (text: string) =>
  [...new TextEncoder().encode(text)]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_~]/.test(char) ? char : `%${byte.toString(16).padStart(2, "0").toUpperCase()}`;
    })
    .join("");

const CONTROL_CODES = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
];

/** Segments that keep the route (no `/`, no dot segments: those reach other routes and hostile-input covers them). */
const segment: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "seeded" as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: "existing" as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: "fresh" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "example" as const }) },
  { weight: 2, arbitrary: awkwardThreadId.map((text) => ({ kind: "text" as const, text })) },
  { weight: 1, arbitrary: awkwardText.map((text) => ({ kind: "text" as const, text })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...CONTROL_CODES)
      .map((code) => ({ kind: "text" as const, text: `ctl${String.fromCharCode(code)}x` })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ length: fc.constantFrom(255, 256, 257, 300, 2000), unit: fc.constantFrom("t", "é", "😀") })
      .map(({ length, unit }) => ({ kind: "length" as const, length, unit })),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          "%zz",
          "%",
          "%2",
          "%G0",
          "a%zz",
          "%25zz",
          "%2F",
          "a%2Fb",
          "%2F%2F",
          "%25",
          "%00",
          "%0A",
          "%0D%0A",
          "%1F",
          "%7F",
          "%C2%80",
          "%C2%9F",
          "%ED%A0%80",
          "%ED%BF%BF",
          "%C0%AF",
          "%FF",
          "%E2%80%AE",
          "%EF%BB%BF",
          "%F0%9F%98%80",
          "%2e%2e%2F",
          "%20",
          "+",
          "~",
          "a;b=c",
          "@:!$&'()*,",
          "%41".repeat(300),
        ),
        fc
          .array(fc.constantFrom("%", "zz", "%2F", "%25", "%C3", "%A9", "a", "%00", "%E2%82", "😀"), {
            minLength: 1,
            maxLength: 12,
          })
          .map((parts) => parts.join("")),
      )
      .map((raw) => ({ kind: "raw" as const, raw })),
  },
);

type Auth =
  | "api"
  | "other-tenant"
  | "read"
  | "read-this-thread"
  | "read-other-thread"
  | "read-tampered"
  | "none"
  | { header: string };

const auth: fc.Arbitrary<Auth> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom<Auth>(
      "api",
      "api",
      "api",
      "other-tenant",
      "read",
      "read-this-thread",
      "read-other-thread",
      "read-tampered",
      "none",
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          "",
          "Bearer",
          "Bearer ",
          `Bearer ${ACME_TOKEN}x`,
          `Bearer ${ACME_TOKEN}, Bearer ${GLOBEX_TOKEN}`,
          `bearer ${ACME_TOKEN}`,
          `Basic ${btoa(`acme:${ACME_TOKEN}`)}`,
          "Bearer rt1.",
          "Bearer rt1.x.y",
          "Bearer rt1.x.y.z",
          "Bearer rt1.%%%.%%%",
        ),
        fc.integer({ min: 1_000, max: 100_000 }).map((length) => `Bearer ${"a".repeat(length)}`),
        fc.string({ unit: "binary-ascii", maxLength: 80 }).map((text) => text.replace(/[^\x20-\x7e]/g, "")),
      )
      .map((header) => ({ header })),
  },
);

const printable = (text: string) => text.replace(/[^\x20-\x7e]/g, "");

const lastEventId = fc.option(
  fc.oneof(
    fc.constantFrom("", "0", "1", "3", "e:1", "0:0", "-1", "1e2", "abc", "null", "9007199254740993", ":"),
    fc.stringMatching(/^(?:[0-9a-z]{1,32}:)?[0-9]{1,15}$/),
    fc.string({ unit: "binary-ascii", maxLength: 40 }).map(printable),
  ),
  { freq: 2, nil: undefined },
);

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant("application/json") },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      undefined,
      "",
      "application/json; charset=utf-8",
      "Application/JSON",
      " application/json ;x=y",
      "text/plain",
      "application/jsonx",
      "application/problem+json",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/*",
    ),
  },
);

interface HeaderChoices {
  auth: Auth;
  contentType: string | undefined;
  lastEventId: string | undefined;
  upgrade: string | undefined;
  accept: string | undefined;
}

const headerChoices: fc.Arbitrary<HeaderChoices> = fc.record({
  auth,
  contentType,
  lastEventId,
  upgrade: fc.oneof(
    { weight: 3, arbitrary: fc.constant("websocket") },
    { weight: 2, arbitrary: fc.constantFrom(undefined, "WebSocket", "h2c", "", "websocket, h2c") },
  ),
  accept: fc.constantFrom(undefined, "*/*", "text/event-stream", "application/json", "text/html"),
});

/** A body as text, built for the session the path names (its events must name it too). */
type Body = (threadId: string, seeded: readonly RuntimeEvent[]) => string | undefined;

function labelled(label: string, body: Body): Body {
  return Object.assign(body, { [fc.toStringMethod]: () => label });
}

const withThread = (events: readonly RuntimeEvent[], threadId: string) => events.map((e) => ({ ...e, threadId }));

/** Valid events of the session (the repo's lifecycle-heavy arbitrary), one or a batch. */
const validEvents = fc
  .tuple(fc.array(sessionEvent, { minLength: 1, maxLength: 5 }), fc.boolean())
  .map(([events, single]) =>
    labelled(`${single ? "event" : "batch"} ${events.map((e) => e.type).join(",")}`, (threadId) =>
      JSON.stringify(single ? withThread(events, threadId)[0] : withThread(events, threadId)),
    ),
  );

/** The request body schema of an operation, or bodies for one that documents none. */
function bodyOf(operation: Operation): fc.Arbitrary<Body> {
  const documented = operation.requestBody?.content["application/json"]?.schema;
  const schemaValid = schemaValue(documented ?? {}).map((value) =>
    labelled(`schema-valid ${fc.stringify(value).slice(0, 80)}`, () => JSON.stringify(value)),
  );
  const valid = (threadId: string) => ev.contentDelta("t1", { threadId });
  const common = fc.oneof(
    { weight: 2, arbitrary: fc.constant(labelled("no body", () => undefined)) },
    { weight: 1, arbitrary: fc.constant(labelled("empty body", () => "")) },
    {
      weight: 2,
      arbitrary: fc
        .anything()
        .map((value) => labelled(`anything ${fc.stringify(value).slice(0, 80)}`, () => JSON.stringify(value) ?? "")),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(validEvents, fc.nat()).map(([body, cut]) =>
        labelled(`${fc.stringify(body)} truncated`, (threadId, seeded) => {
          const text = body(threadId, seeded) ?? "";
          return text.slice(0, cut % Math.max(1, text.length));
        }),
      ),
    },
    {
      weight: 3,
      arbitrary: hostileBody(valid).map((body) => labelled(fc.stringify(body), (threadId) => body(threadId))),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(16 * 1024 + 1, 1024 * 1024 + 1)
        .map((size) => labelled(`{} padded to ${size} bytes`, () => `{}${" ".repeat(size - 2)}`)),
    },
  );
  if (documented === undefined) return common;
  return fc.oneof(
    { weight: 3, arbitrary: schemaValid },
    { weight: 4, arbitrary: validEvents },
    {
      weight: 1,
      arbitrary: fc.constant(
        labelled("a seeded eventId with other content", (threadId, seeded) =>
          JSON.stringify({ ...ev.health({ threadId }), eventId: seeded[0]?.eventId ?? "evt-none" }),
        ),
      ),
    },
    { weight: 4, arbitrary: common },
  );
}

interface Case {
  params: Record<string, Segment>;
  query: QueryPair[];
  headers: HeaderChoices;
  body: Body;
  /** A GET sent as HEAD (HEAD is allowed wherever GET is, and reads with a read token). */
  head: boolean;
}

function caseOf(route: Route): fc.Arbitrary<Case> {
  const parameters = route.operation.parameters ?? [];
  const pathParams = parameters.filter((parameter) => parameter.in === "path");
  const takesBody = route.operation.requestBody !== undefined || route.method === "DELETE";
  return fc.record({
    params: fc.record(Object.fromEntries(pathParams.map((parameter) => [parameter.name, segment]))),
    query: queryOf(parameters),
    headers: headerChoices,
    body: takesBody ? bodyOf(route.operation) : fc.constant(labelled("no body", () => undefined)),
    head: route.method === "GET" ? fc.constantFrom(false, false, false, true) : fc.constant(false),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Sending a case, and judging the answer against the document.

interface Fixture {
  /** A session with events, approvals and a question pending: its reads have something to validate. */
  threadId: string;
  events: RuntimeEvent[];
  readToken: string;
  readTokenThisThread: string;
  readTokenOtherThread: string;
}

async function post(path: string, body: unknown, token = ACME_TOKEN): Promise<Response> {
  return exports.default.fetch(
    new Request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
}

async function mintReadToken(threadId?: string): Promise<string> {
  const response = await post("/v1/read-tokens", threadId === undefined ? {} : { threadId });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

/** A new session with a turn running, an approval and a question pending. */
async function seedSession(threadId: string): Promise<RuntimeEvent[]> {
  const events = [
    ev.sessionStarted({ threadId }),
    ev.threadStarted({ threadId }),
    ev.turnStarted("t1", { threadId }),
    ev.contentDelta("t1", { threadId }),
    ev.requestOpened("r1", "t1", { threadId }),
    ev.userInputRequested("q1", "t1", { threadId }),
    ev.turnCompleted("t2", "completed", { threadId }),
  ];
  const response = await post(`/v1/sessions/${encodeURIComponent(threadId)}/events`, events);
  expect(response.status).toBe(200);
  return events;
}

async function seedFixture(): Promise<Fixture> {
  const threadId = newThreadId();
  const events = await seedSession(threadId);
  return {
    threadId,
    events,
    readToken: await mintReadToken(),
    readTokenThisThread: await mintReadToken(threadId),
    readTokenOtherThread: await mintReadToken(newThreadId()),
  };
}

/** The unique tail that keeps a generated id from naming another case's session. */
const unique = () => `~${crypto.randomUUID()}`;

/** A path segment as sent, and the events of the session it names when the case seeded one. */
async function segmentOf(seg: Segment, fixture: Fixture, example: unknown): Promise<[string, RuntimeEvent[]?]> {
  if (seg.kind === "existing") {
    const threadId = newThreadId();
    return [encodeURIComponent(threadId), await seedSession(threadId)];
  }
  return [segmentText(seg, fixture, example)];
}

function segmentText(seg: Exclude<Segment, { kind: "existing" }>, fixture: Fixture, example: unknown): string {
  switch (seg.kind) {
    case "seeded":
      return encodeURIComponent(fixture.threadId);
    case "fresh":
      return encodeURIComponent(newThreadId());
    case "example":
      return encodeURIComponent(typeof example === "string" ? example : "example");
    case "text":
      return percentEncode(`${seg.text}${unique()}`);
    case "length": {
      const tail = unique();
      return percentEncode(`${seg.unit.repeat(seg.length - codePoints(tail))}${tail}`);
    }
    case "raw":
      return seg.raw;
  }
}

function authorization(choice: Auth, fixture: Fixture): string | undefined {
  if (typeof choice === "object") return choice.header;
  const token = {
    api: ACME_TOKEN,
    "other-tenant": GLOBEX_TOKEN,
    read: fixture.readToken,
    "read-this-thread": fixture.readTokenThisThread,
    "read-other-thread": fixture.readTokenOtherThread,
    "read-tampered": `${fixture.readToken.slice(0, -2)}${fixture.readToken.endsWith("AA") ? "BB" : "AA"}`,
    none: undefined,
  }[choice];
  return token === undefined ? undefined : `Bearer ${token}`;
}

function decodedOr(text: string, fallback: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return fallback;
  }
}

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** The request of a case; a path naming an `existing` session gets one of its own first. */
async function build(route: Route, testCase: Case, fixture: Fixture): Promise<Sent> {
  let path = route.path;
  let threadId = fixture.threadId;
  let seeded = fixture.events;
  for (const parameter of route.operation.parameters ?? []) {
    if (parameter.in !== "path") continue;
    const seg = testCase.params[parameter.name] ?? { kind: "seeded" };
    const [text, events] = await segmentOf(seg, fixture, parameter.example);
    if (events !== undefined) seeded = events;
    path = path.replace(`{${parameter.name}}`, text);
    if (parameter.name === "threadId") threadId = decodedOr(text, "undecodable");
  }
  const query = testCase.query
    .map(({ name, value, raw }) => {
      const resolved = value === "read-token" ? fixture.readToken : value;
      return raw ? `${name}=${resolved}` : `${percentEncode(name)}=${percentEncode(resolved)}`;
    })
    .join("&");
  const h = testCase.headers;
  const headers: Record<string, string> = {};
  const token = authorization(h.auth, fixture);
  if (token !== undefined) headers.authorization = token;
  if (h.lastEventId !== undefined) headers["last-event-id"] = h.lastEventId;
  const method = testCase.head ? "HEAD" : route.method;
  // Only a GET: the Worker's binding opens any request with Upgrade: websocket as a GET, whatever its method.
  if (h.upgrade !== undefined && method === "GET") headers.upgrade = h.upgrade;
  if (h.accept !== undefined) headers.accept = h.accept;
  const body = method === "GET" || method === "HEAD" ? undefined : testCase.body(threadId, seeded);
  if (body !== undefined && h.contentType !== undefined) headers["content-type"] = h.contentType;
  return { method, url: `${ORIGIN}${path}${query === "" ? "" : `?${query}`}`, headers, body };
}

/** What to paste into a bug report: the request, its body cut short. */
function describeSent(sent: Sent): string {
  const body =
    sent.body === undefined
      ? "(no body)"
      : sent.body.length > 300
        ? `${JSON.stringify(sent.body.slice(0, 300))}... (${sent.body.length} chars)`
        : JSON.stringify(sent.body);
  const headers = Object.entries(sent.headers).map(
    ([name, value]) => `${name}: ${value.length > 200 ? `${value.slice(0, 200)}... (${value.length} chars)` : value}`,
  );
  return `${sent.method} ${sent.url.length > 400 ? `${sent.url.slice(0, 400)}...` : sent.url}\n${headers.join("\n")}\n${body}`;
}

const statuses = new Map<number, number>();
let requests = 0;
/** Answers that failed a check, shrinking's replays included. */
let failed = 0;

function mediaTypeOf(response: Response): string {
  return (response.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** Sends a case and checks the answer against the document; returns the answer's status. */
async function sendAndJudge(route: Route, testCase: Case, fixture: Fixture): Promise<number> {
  const sent = await build(route, testCase, fixture);
  const request = new Request(sent.url, { method: sent.method, headers: sent.headers, body: sent.body ?? null });
  const response = await exports.default.fetch(request);
  requests += 1;
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  const where = `${route.name} answered ${response.status} to\n${describeSent(sent)}\n`;
  try {
    expect(response.status, `${where}a 5xx under a valid configuration`).toBeLessThan(500);
    const documented = route.operation.responses[String(response.status)];
    expect(documented, `${where}a status the document does not list for ${route.name}`).toBeDefined();
    const content = documented?.content ?? {};
    if (response.status === 101) {
      expect(response.webSocket, `${where}a 101 without a WebSocket`).toBeTruthy();
      response.webSocket?.accept();
      response.webSocket?.close(1000);
      return response.status;
    }
    if (sent.method === "HEAD" || Object.keys(content).length === 0) {
      expect(await response.text(), `${where}a body where the document has none`).toBe("");
      return response.status;
    }
    const mediaType = mediaTypeOf(response);
    expect(Object.keys(content), `${where}a Content-Type the document does not list`).toContain(mediaType);
    if (mediaType === "text/event-stream") return response.status;
    const text = await response.text();
    let body: unknown;
    expect(
      () => {
        body = JSON.parse(text);
      },
      `${where}a body that is not JSON: ${text.slice(0, 200)}`,
    ).not.toThrow();
    const schema = content[mediaType]?.schema;
    if (schema !== undefined) {
      const { valid, errors } = validatorOf(schema).validate(body);
      const reasons = errors.map((e) => `${e.instanceLocation} ${e.keywordLocation}: ${e.error}`).slice(0, 8);
      expect(valid, `${where}a body that does not match the schema: ${text.slice(0, 500)}\n${reasons.join("\n")}`).toBe(
        true,
      );
    }
    if (mediaType === "application/problem+json") {
      expect((body as { status?: unknown }).status, `${where}a problem whose status is not the response's`).toBe(
        response.status,
      );
    }
    return response.status;
  } catch (error) {
    failed += 1;
    throw error;
  } finally {
    if (!response.bodyUsed) await response.body?.cancel();
  }
}

// ---------------------------------------------------------------------------------------------------------------

afterAll(() => {
  const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${count} x ${status}`);
  const verdict =
    failed === 0
      ? "every answer below 500, with a documented status and a body matching its schema"
      : `${failed} answers failed a check (counterexamples above)`;
  console.info(
    `openapi fuzz: ${requests} requests over ${routes.length} operations (${byStatus.join(", ")}); ${verdict}`,
  );
});

describe("the OpenAPI document", () => {
  it("lists every route, from which the cases below are derived", () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const names = routes.map((route) => route.name);
    expect(names.length).toBeGreaterThanOrEqual(10);
    expect(names).toEqual(
      expect.arrayContaining([
        "post /v1/sessions/{threadId}/events",
        "get /v1/sessions/{threadId}",
        "delete /v1/sessions/{threadId}",
        "get /v1/sessions/{threadId}/live",
        "post /v1/read-tokens",
        "get /healthz",
      ]),
    );
  });
});

describe("every operation, fuzzed, answers below 500 with a documented status and body", () => {
  for (const route of routes) {
    it(route.name, async () => {
      const fixture = await seedFixture();
      const numRuns = Math.min(fc.readConfigureGlobal().numRuns ?? MAX_RUNS_PER_OPERATION, MAX_RUNS_PER_OPERATION);
      await fc.assert(
        fc.asyncProperty(caseOf(route), async (testCase) => {
          await sendAndJudge(route, testCase, fixture);
        }),
        { numRuns },
      );
    }, 60_000);
  }
});
