/**
 * The dashboard's URLs: every valid threadId makes a link that names it again, whatever it holds, and the usage page's
 * link names its range and series (route.ts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ThreadIdSchema } from "../../src/contracts/events.ts";
import { routeOf, sessionPagePath, USAGE_DAYS, USAGE_SERIES, usagePagePath } from "../../src/dashboard/route.ts";
import { awkwardText, awkwardThreadId } from "../support/arbitraries.ts";

const ORIGIN = "https://dashboard.example";

/** A link as the browser resolves it (dot segments, encoding), then as the page reads it. */
const follow = (href: string) => routeOf(new URL(href, ORIGIN));

const validThreadId = fc
  .oneof(awkwardThreadId, awkwardText, fc.constantFrom(".", "..", "../../v1/sessions", "a+b&id=c", "🧪".repeat(128)))
  .filter((threadId) => ThreadIdSchema.safeParse(threadId).success);

describe("a session's link", () => {
  it("names the same session for every valid threadId, and keeps it out of the path", () => {
    fc.assert(
      fc.property(validThreadId, (threadId) => {
        expect(follow(sessionPagePath(threadId))).toEqual({ route: { page: "session", threadId }, canonical: null });
        expect(new URL(sessionPagePath(threadId), ORIGIN).pathname).toBe("/session");
      }),
    );
  });

  it.each(["a/b", "../../v1/sessions", "x?y#z %", "100% 🧪 a%2Fb", "\u202etxt.exe"])("round-trips %j", (threadId) => {
    expect(follow(sessionPagePath(threadId)).route).toEqual({ page: "session", threadId });
  });

  it("shows the list for a /session without an id", () => {
    for (const href of ["/session", "/session?id=", "/session?other=x"]) {
      expect({ href, ...follow(href) }).toEqual({ href, route: { page: "directory" }, canonical: null });
    }
  });
});

describe("an old /sessions/<threadId> link", () => {
  it("opens its session and is rewritten to the new form", () => {
    expect(follow("/sessions/thread-42")).toEqual({
      route: { page: "session", threadId: "thread-42" },
      canonical: "/session?id=thread-42",
    });
    expect(follow("/sessions/x%3Fy%23z%20%25/").route).toEqual({ page: "session", threadId: "x?y#z %" });
  });

  it("shows the list where the asset layer has split an id with a slash, or the encoding is broken", () => {
    for (const href of ["/sessions/a/b", "/sessions/", "/sessions/%E0%A4%A"]) {
      expect({ href, ...follow(href) }).toEqual({ href, route: { page: "directory" }, canonical: null });
    }
  });
});

describe("the usage page's link", () => {
  it("names its range and series, and reads them back", () => {
    expect(usagePagePath()).toBe("/usage?days=30&by=provider");
    for (const days of USAGE_DAYS) {
      for (const by of USAGE_SERIES) {
        expect(follow(usagePagePath({ days, by }))).toEqual({ route: { page: "usage", days, by }, canonical: null });
      }
    }
  });

  it("falls back to 30 days by provider for a range or a series it does not offer", () => {
    for (const href of ["/usage", "/usage?days=13&by=thread", "/usage?days=abc", "/usage?days=7.0x"]) {
      expect({ href, ...follow(href).route }).toEqual({ href, page: "usage", days: 30, by: "provider" });
    }
    expect(follow("/usage?days=90&by=model").route).toEqual({ page: "usage", days: 90, by: "model" });
  });
});
