/**
 * The projection card of one session: what it is doing, what waits for a person, its health, tasks and limit, how
 * its provider exited, what happens next.
 */
import type { SessionView } from "../client/index.ts";
import { badge, updateBadge, updateBadges } from "./badge.ts";
import { h, part, providerText, setProviderText, setText } from "./dom.ts";
import {
  countdown,
  limitCountdown,
  pendingText,
  relativeTime,
  sessionBadge,
  signBadges,
  statusBadge,
  tasksText,
  timeOfDay,
} from "./format.ts";

const FIELDS = [
  ["status", "Status"],
  ["provider", "Provider"],
  ["turn", "Active turn"],
  ["waiting", "Waiting for you"],
  ["health", "Health"],
  ["tasks", "Background tasks"],
  ["limit", "Usage limit"],
  ["denied", "Denied tools"],
  ["error", "Last error"],
  ["exit", "Exit"],
  ["activity", "Last activity"],
  ["deadline", "Next deadline"],
  ["reaped", "Reaped"],
  ["events", "Events"],
  ["webhook", "Webhook"],
] as const;

export class SessionCard {
  readonly element: HTMLElement;
  #session: SessionView | null = null;
  #shownStderr: string | null = null;

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
      h("p", { class: "signs card-signs" }),
      h("p", { class: "card-note", hidden: true }),
      h(
        "dl",
        { class: "fields" },
        ...FIELDS.map(([key, label]) => h("div", {}, h("dt", {}, label), h("dd", { "data-field": key }))),
      ),
      h(
        "figure",
        { class: "stderr", hidden: true },
        h("figcaption", {}, "The end of the provider's stderr"),
        h("pre", { class: "stderr-tail" }),
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

  /** The provider's last lines, each shown as providerText shows one line, so nothing in them can hide or mislead. */
  #renderStderr(stderrTail: string | null): void {
    const figure = part(this.element, ".stderr");
    figure.hidden = stderrTail === null;
    if (this.#shownStderr === stderrTail) return;
    this.#shownStderr = stderrTail;
    const pre = part(this.element, ".stderr-tail");
    const lines = (stderrTail ?? "").replace(/\r?\n$/, "").split(/\r?\n/);
    pre.replaceChildren(
      ...lines.flatMap((line, index) => (index === 0 ? [providerText(line)] : ["\n", providerText(line)])),
    );
  }

  #render(): void {
    const session = this.#session;
    // Most fields show what a provider (or a webhook receiver) sent; the card's own words pass through unchanged.
    const field = (key: (typeof FIELDS)[number][0], text: string) =>
      setProviderText(part(this.element, `[data-field="${key}"]`), text);
    const now = Date.now();
    updateBadge(part(this.element, ".badge"), session === null ? statusBadge("idle") : sessionBadge(session));
    updateBadges(part(this.element, ".signs"), session === null ? [] : signBadges(session, now));
    this.#renderStderr(session?.stderrTail ?? null);
    if (session === null) {
      for (const [key] of FIELDS) field(key, "—");
      field("status", "no events yet");
      return;
    }
    field("status", session.status);
    field("provider", session.providerName ?? "—");
    field("turn", session.activeTurnId ?? "none");
    field("waiting", waitingText(session));
    field("health", healthText(session.health, now));
    field("tasks", tasksFieldText(session.tasks, now));
    field(
      "limit",
      session.limitResetsAt === null
        ? "none"
        : `${limitCountdown(session.limitResetsAt, now)} (at ${timeOfDay(session.limitResetsAt)})`,
    );
    field("denied", `${session.deniedTools.turn} this turn, ${session.deniedTools.session} in the session`);
    field("error", session.lastError ?? "none");
    field("exit", session.exitKind === null ? "none" : "error: the provider exited non-gracefully");
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

function waitingText(session: SessionView): string {
  const waiting = pendingText(session);
  const { oldestOpenedAt } = session.pendingRequests;
  if (waiting === "") return "nothing";
  return oldestOpenedAt === null ? waiting : `${waiting}, since ${timeOfDay(oldestOpenedAt)}`;
}

function healthText(health: SessionView["health"], now: number): string {
  if (health === null) return "not known yet";
  const who = health.source === "provider" ? "the provider says" : "seen by the service";
  if (health.state === "active") return `active (${who})`;
  return `stalled: no sign of life since ${timeOfDay(health.since)}, ${relativeTime(health.since, now)} (${who})`;
}

function tasksFieldText(tasks: SessionView["tasks"], now: number): string {
  const running = tasksText({ tasks });
  if (running === "") return "none";
  const backgrounded = tasks.backgrounded === 0 ? "" : `, ${tasks.backgrounded} said to run in the background`;
  return `${running}${backgrounded}; the oldest started ${relativeTime(tasks.oldestStartedAt, now)}`;
}

function webhookText(notification: SessionView["notification"]): string {
  if (notification === null) return "nothing sent";
  const attempts = `${notification.attempts} attempt${notification.attempts === 1 ? "" : "s"}`;
  const error = notification.lastError === null ? "" : `; last error: ${notification.lastError}`;
  return `${notification.type}: ${notification.state} after ${attempts}${error}`;
}
