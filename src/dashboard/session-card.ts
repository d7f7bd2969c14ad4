/** The projection card of one session: what it is doing, what waits for a person, what happens next. */
import type { SessionView } from "../client/index.ts";
import { badge, updateBadge } from "./badge.ts";
import { h, part, providerText, setProviderText, setText } from "./dom.ts";
import { countdown, pendingText, relativeTime, sessionBadge, statusBadge } from "./format.ts";

const FIELDS = [
  ["status", "Status"],
  ["provider", "Provider"],
  ["turn", "Active turn"],
  ["waiting", "Waiting for you"],
  ["error", "Last error"],
  ["activity", "Last activity"],
  ["deadline", "Next deadline"],
  ["reaped", "Reaped"],
  ["events", "Events"],
  ["webhook", "Webhook"],
] as const;

export class SessionCard {
  readonly element: HTMLElement;
  #session: SessionView | null = null;

  constructor(threadId: string) {
    this.element = h(
      "section",
      { class: "card", "aria-labelledby": "session-title" },
      h(
        "h1",
        { id: "session-title", class: "session-title" },
        badge(statusBadge("idle")),
        h("span", { class: "thread-id" }, providerText(threadId)),
      ),
      h("p", { class: "card-note", hidden: true }),
      h(
        "dl",
        { class: "fields" },
        ...FIELDS.map(([key, label]) => h("div", {}, h("dt", {}, label), h("dd", { "data-field": key }))),
      ),
    );
    this.#render();
  }

  update(session: SessionView | null): void {
    this.#session = session;
    this.#render();
  }

  /** Relative times and countdowns move on their own. */
  tick(): void {
    this.#render();
  }

  note(text: string | null): void {
    const note = part(this.element, ".card-note");
    note.hidden = text === null;
    setText(note, text ?? "");
  }

  #render(): void {
    const session = this.#session;
    // Most fields show what a provider (or a webhook receiver) sent; the card's own words pass through unchanged.
    const field = (key: (typeof FIELDS)[number][0], text: string) =>
      setProviderText(part(this.element, `[data-field="${key}"]`), text);
    updateBadge(part(this.element, ".badge"), session === null ? statusBadge("idle") : sessionBadge(session));
    if (session === null) {
      for (const [key] of FIELDS) field(key, "—");
      field("status", "no events yet");
      return;
    }
    const now = Date.now();
    field("status", session.status);
    field("provider", session.providerName ?? "—");
    field("turn", session.activeTurnId ?? "none");
    field("waiting", pendingText(session) || "nothing");
    field("error", session.lastError ?? "none");
    field("activity", relativeTime(session.lastEventAt, now));
    field("deadline", countdown(session.deadline, now) || "none");
    field(
      "reaped",
      session.reapedAt === null ? "no" : `${relativeTime(session.reapedAt, now)} (${session.reapReason})`,
    );
    field("events", `${session.eventCount} (last seq ${session.lastSeq})`);
    field("webhook", webhookText(session.notification));
  }
}

function webhookText(notification: SessionView["notification"]): string {
  if (notification === null) return "nothing sent";
  const attempts = `${notification.attempts} attempt${notification.attempts === 1 ? "" : "s"}`;
  const error = notification.lastError === null ? "" : `; last error: ${notification.lastError}`;
  return `${notification.type}: ${notification.state} after ${attempts}${error}`;
}
