/** One row of the session list: badge, threadId (a link to the session's page), provider, turn, waits, signs, times. */
import type { SessionSummary } from "../client/index.ts";
import { badge, updateBadge, updateBadges } from "./badge.ts";
import { h, part, providerText, setProviderText, setText } from "./dom.ts";
import { countdown, pendingText, relativeTime, sessionBadge, signBadges } from "./format.ts";
import { sessionPagePath } from "./route.ts";
import type { RowRenderer } from "./virtual-list.ts";

export function sessionRows(): RowRenderer<SessionSummary> {
  return {
    key: (session) => session.threadId,
    create: (session) =>
      h(
        "div",
        { class: "row", "data-thread-id": session.threadId },
        h(
          "a",
          { class: "row-link", href: sessionPagePath(session.threadId), "data-link": true },
          badge(sessionBadge(session)),
          h("span", { class: "cell thread-id" }, providerText(session.threadId)),
          h("span", { class: "cell provider" }),
          h("span", { class: "cell turn" }),
          h("span", { class: "cell note" }),
          h("span", { class: "cell signs" }),
          h("span", { class: "cell activity" }),
          h("span", { class: "cell deadline" }),
        ),
      ),
    update(row, session) {
      const now = Date.now();
      updateBadge(part(row, ".badge"), sessionBadge(session));
      setProviderText(part(row, ".provider"), session.providerName ?? "—");
      setProviderText(part(row, ".turn"), session.activeTurnId ?? "", session.activeTurnId === null ? "" : "turn ");
      // What waits for a person, or else what went wrong: the one thing to read after the badge.
      const waiting = pendingText(session);
      const note = part(row, ".note");
      note.dataset.kind = waiting !== "" ? "waiting" : session.lastError !== null ? "error" : "none";
      setProviderText(note, waiting !== "" ? waiting : (session.lastError ?? ""));
      updateBadges(part(row, ".signs"), signBadges(session, now));
      setText(part(row, ".activity"), relativeTime(session.lastEventAt, now));
      setText(part(row, ".deadline"), countdown(session.deadline, now));
    },
    focusTarget: (row) => row.querySelector<HTMLElement>(".row-link"),
  };
}
