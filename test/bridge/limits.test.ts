/** The zod-free limits are the ones the schemas and the forwarder enforce (until they import them from there). */
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES as FORWARDER_BODY, MAX_FORWARDER_BATCH_EVENTS } from "../../src/client/forwarder.ts";
import * as events from "../../src/contracts/events.ts";
import * as limits from "../../src/contracts/limits.ts";

describe("src/contracts/limits.ts", () => {
  it("matches the schemas' and the forwarder's bounds", () => {
    expect(limits.MAX_PAYLOAD_DEPTH).toBe(events.MAX_PAYLOAD_DEPTH);
    expect(limits.MAX_EVENTS_PER_BATCH).toBe(events.MAX_EVENTS_PER_BATCH);
    expect(limits.MAX_THREAD_ID_LENGTH).toBe(events.MAX_THREAD_ID_LENGTH);
    expect(limits.MAX_EVENTS_PER_BATCH).toBe(MAX_FORWARDER_BATCH_EVENTS);
    expect(limits.MAX_BODY_BYTES).toBe(FORWARDER_BODY);
  });
});
