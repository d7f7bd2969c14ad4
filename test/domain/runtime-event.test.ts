import { describe, expect, it } from "vitest";
import { RuntimeEventSchema } from "../../src/contracts/events.ts";
import { ev } from "../support/events.ts";

describe("RuntimeEventSchema threadId", () => {
  it.each(["0000", "000A", "001F", "007F", "0080", "009F"])(
    "refuses the control character U+%s, as the path does",
    (code) => {
      const threadId = `a${String.fromCodePoint(Number.parseInt(code, 16))}b`;
      const parsed = RuntimeEventSchema.safeParse(ev.health({ threadId }));
      expect(parsed.error?.issues.map((issue) => issue.path)).toEqual([["threadId"]]);
    },
  );

  it.each(["thread-😀", "a b", "%zz", "a\u00a0b", "\u202e"])("accepts %j", (threadId) => {
    expect(RuntimeEventSchema.safeParse(ev.health({ threadId })).success).toBe(true);
  });
});
