import { describe, expect, it } from "vitest";
import { emptyChange, writesNothing } from "../../src/domain/change.ts";
import { initialFeed } from "../../src/domain/directory.ts";
import { newNotification } from "../../src/domain/notification.ts";
import { ev } from "../support/events.ts";
import { given, T0 } from "../support/given.ts";

const state = given(ev.sessionStarted()).state;
const entry = { seq: 2, receivedAt: T0, origin: "provider" as const, event: ev.health(), outcome: "recorded" as const };
const notification = newNotification({ tenant: "acme", seq: 2, event: ev.sessionStarted() }, T0);

describe("a change to one session", () => {
  it("starts empty: from and to the same state, with nothing to append, notify or record", () => {
    expect(emptyChange("wake", state)).toEqual({
      cause: "wake",
      before: state,
      state,
      entries: [],
      notifications: [],
      deliveries: [],
    });
    expect(writesNothing(emptyChange("wake", state))).toBe(true);
  });

  it.each([
    ["a log entry", { entries: [entry] }],
    ["a new notification", { notifications: [notification] }],
    ["a delivery attempt", { deliveries: [notification] }],
    ["a new state", { state: { ...state, lastEventAt: T0 } }],
    ["a directory feed update", { directoryFeed: { ...initialFeed, attempts: 1, nextAttemptAt: T0 } }],
  ])("has something to write when it carries %s", (_, part) => {
    expect(writesNothing({ ...emptyChange("delivery", state), ...part })).toBe(false);
  });
});
