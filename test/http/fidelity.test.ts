/**
 * Fields kept exactly as sent: the log stores each event's JSON text as received and every read splices it in, so
 * a `__proto__` or `constructor` key, a number beyond 2^53, `-0`, `1e308` and member order survive, and a resend is
 * compared by value without rounding.
 */
import { describe, expect, it } from "vitest";
import type { IngestReply } from "../../src/contracts/replies.ts";
import { api, json, newThreadId } from "../support/api.ts";
import { openLive, openStream } from "../support/live.ts";
import { expectProblem } from "../support/problems.ts";

/** An event's text, compact, with `fields` spliced in last exactly as written. */
function eventText(threadId: string, eventId: string, fields: string): string {
  return (
    `{"eventId":${JSON.stringify(eventId)},"type":"item.updated","provider":"codex",` +
    `"threadId":${JSON.stringify(threadId)},"createdAt":"2026-11-25T10:00:00.000Z",${fields}}`
  );
}

const cases = {
  "a __proto__ key at the top level": '"__proto__":{"polluted":true}',
  "a __proto__ key directly inside payload": '"payload":{"__proto__":{"polluted":true},"kept":1}',
  "constructor keys": '"constructor":{"name":"x"},"payload":{"constructor":1,"prototype":2}',
  "an integer beyond 2^53, in payload and as sessionSequence":
    '"sessionSequence":9007199254740993,"payload":{"tokens":9007199254740993}',
  "-0 and 1e308": '"payload":{"zero":-0,"huge":1e308,"exponent":1E-7}',
  "members in an order of their own": '"payload":{"zeta":1,"alpha":{"b":2,"a":1}}',
} as const;

describe("an event is stored and read back exactly as sent", () => {
  it.each(Object.entries(cases))("keeps %s", async (_, fields) => {
    const threadId = newThreadId();
    const text = eventText(threadId, "evt-1", fields);
    const stored = await api.post(threadId, text);
    expect(stored.status).toBe(200);
    expect((await json<IngestReply>(stored)).results[0]).toMatchObject({ seq: 1, outcome: "recorded" });

    // The page carries the text itself, not a re-serialisation of what was parsed.
    const page = await (await api.events(threadId)).text();
    expect(page).toContain(`"event":${text}}`);

    const socket = await openLive(threadId);
    await socket.until((message) => message.type === "synchronized");
    expect(socket.frames.some((frame) => frame.includes(`"type":"entry"`) && frame.includes(`"event":${text}}`))).toBe(
      true,
    );
    socket.close();

    const stream = await openStream(threadId);
    await stream.until((message) => message.type === "synchronized");
    expect(stream.events.some((event) => event.raw.includes(`"event":${text}}`))).toBe(true);
    stream.close();
  });

  it("sends a new entry to live subscribers as the text it was received as", async () => {
    const threadId = newThreadId();
    const socket = await openLive(threadId);
    await socket.until((message) => message.type === "synchronized");
    const text = eventText(threadId, "evt-1", cases["an integer beyond 2^53, in payload and as sessionSequence"]);
    expect((await api.post(threadId, `[${text}]`)).status).toBe(200);
    await socket.until((message) => message.type === "entry");
    expect(socket.frames.some((frame) => frame.includes(`"type":"entry"`) && frame.includes(`"event":${text}}`))).toBe(
      true,
    );
    socket.close();
  });

  it("stores each event of a batch as its own text, whitespace between them dropped", async () => {
    const threadId = newThreadId();
    const first = eventText(threadId, "evt-1", '"payload":{"n":9007199254740993}');
    const second = eventText(threadId, "evt-2", '"payload":{"__proto__":{"b":1}}');
    expect((await api.post(threadId, `[\n  ${first} ,\n\t${second}\n]`)).status).toBe(200);
    const page = await (await api.events(threadId)).text();
    expect(page).toContain(`"event":${first}}`);
    expect(page).toContain(`"event":${second}}`);
  });
});

describe("a resend is compared by value, losslessly", () => {
  it("answers the same event with other whitespace and member order as a duplicate", async () => {
    const threadId = newThreadId();
    const text = eventText(threadId, "evt-1", '"payload":{"n":9007199254740993,"list":[1,{"a":-0}]}');
    expect((await api.post(threadId, text)).status).toBe(200);
    const reordered = `{ "payload" : { "list" : [ 1 , { "a" : -0 } ], "n" : 9007199254740993 },
      ${text.slice(1, text.indexOf(',"payload"'))} }`;
    const resent = await json<IngestReply>(await api.post(threadId, reordered));
    expect(resent.results[0]).toMatchObject({ seq: 1, outcome: "duplicate" });
  });

  it.each([
    ["the number rounded to what a double holds", "9007199254740992"],
    ["1 spelt 1.0", "1.0"],
  ])("refuses a resend with %s as a conflict, storing nothing", async (_, changed) => {
    const threadId = newThreadId();
    const original = changed === "1.0" ? "1" : "9007199254740993";
    expect((await api.post(threadId, eventText(threadId, "evt-1", `"payload":{"n":${original}}`))).status).toBe(200);
    const clash = await api.post(threadId, eventText(threadId, "evt-1", `"payload":{"n":${changed}}`));
    await expectProblem(clash, 409, "event-id-conflict");
    expect((await json<{ lastSeq: number }>(await api.get(threadId))).lastSeq).toBe(1);
  });

  it("rolls a batch with a stored eventId back whole, then stores its new events at gap-free seqs", async () => {
    const threadId = newThreadId();
    const first = eventText(threadId, "evt-1", '"payload":{}');
    expect((await api.post(threadId, first)).status).toBe(200);
    const fresh = eventText(threadId, "evt-2", '"payload":{}');
    const later = eventText(threadId, "evt-3", '"payload":{}');
    const reply = await json<IngestReply>(await api.post(threadId, `[${fresh},${first},${later}]`));
    expect(reply.results.map((result) => [result.seq, result.outcome])).toEqual([
      [2, "recorded"],
      [1, "duplicate"],
      [3, "recorded"],
    ]);
    expect(reply.session).toMatchObject({ eventCount: 3, lastSeq: 3 });
  });
});
