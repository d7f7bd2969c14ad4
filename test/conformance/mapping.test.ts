/**
 * The adapter's mapping of log entries to stream data, in plain Node (node --test test/conformance/mapping.test.ts):
 * what the suite reads must be what the service sent, only re-framed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesOf, dataEvents, MARKER_TYPE, markerEvent, messagesOf, parseJsonBody } from "./messages.ts";
import { createSseMapper } from "./sse-mapping.ts";

const entry = (event: object, origin = "provider") => ({ seq: 1, receivedAt: "", origin, outcome: "recorded", event });
const messageEntries = dataEvents("t", { messages: [{ n: 1 }, [2]] }, false, new Date(0)).map((event) => entry(event));
const marker = markerEvent("t", "application/json");
const serviceEntry = entry({ eventId: "s", type: "session.reaped", provider: "service", payload: {} }, "service");

test("a page keeps the adapter's messages in order and leaves out the marker and the service's entries", () => {
  const [one, two] = messageEntries;
  assert.deepEqual(messagesOf([entry(marker), one, serviceEntry, two]), [{ n: 1 }, [2]]);
  assert.deepEqual(messagesOf([]), []);
  assert.equal(messagesOf({ type: "about:blank" }), null);
});

test("a JSON body is flattened one level, and only one", () => {
  assert.deepEqual(parseJsonBody("[[1,2],[3]]"), { ok: true, messages: [[1, 2], [3]] });
  assert.deepEqual(parseJsonBody('{"a":1}'), { ok: true, messages: [{ a: 1 }] });
  assert.deepEqual(parseJsonBody("[]"), { ok: true, messages: [] });
  assert.equal(parseJsonBody("{ nope").ok, false);
});

test("a byte stream's appends come back as their bytes, in order", () => {
  const events = [Buffer.from([0, 255]), Buffer.from("hi")].flatMap((bytes) =>
    dataEvents("t", { bytes }, false, new Date(0)),
  );
  assert.deepEqual(bytesOf(events.map((event) => entry(event)))?.bytes, Buffer.from([0, 255, 104, 105]));
  assert.equal(marker.type, MARKER_TYPE);
});

test("SSE data events are mapped, control events pass byte for byte, across any chunking", () => {
  const page = JSON.stringify([entry(marker), messageEntries[0]]);
  const control = 'event: control\r\ndata: {"streamNextOffset":"2","streamCursor":"7","upToDate":true}\r\n\r\n';
  const upstream = `event: data\r\ndata: ${page}\r\n\r\n${control}`;
  for (let cut = 0; cut <= upstream.length; cut += 1) {
    const mapper = createSseMapper("json");
    const out = mapper.push(upstream.slice(0, cut)) + mapper.push(upstream.slice(cut)) + mapper.flush();
    assert.equal(out, `event: data\r\ndata: [{"n":1}]\r\n\r\n${control}`);
  }
});

test("an SSE data event of only the marker is left out; the service's own [] stays", () => {
  const mapper = createSseMapper("json");
  assert.equal(mapper.push(`event: data\ndata:${JSON.stringify([entry(marker)])}\n\n`), "");
  assert.equal(mapper.push("event: data\ndata:[]\n\n"), "event: data\ndata:[]\n\n");
});

test("a text stream's SSE data is a data field a line; a binary stream's is base64", () => {
  const text = dataEvents("t", { bytes: Buffer.from("a\r\nb") }, false, new Date(0)).map((event) => entry(event));
  const block = `event: data\ndata: ${JSON.stringify(text)}\n\n`;
  assert.equal(createSseMapper("text").push(block), "event: data\ndata: a\ndata: b\n\n");
  assert.equal(createSseMapper("binary").push(block), "event: data\ndata: YQ0KYg==\n\n");
});
