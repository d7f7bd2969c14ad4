/**
 * One session's page: its card, its usage, its turns and its log, live. It reads the session, subscribes after the last page of its
 * log (older pages come from the events route when the reader scrolls up), and the client resumes the stream
 * from the last seq it yielded, so a dropped connection catches up without a gap or a repeated entry. The turns are
 * read again when the view moves (its last seq or its active turn), once a burst of messages settles.
 */
import { type LogEntryView, ProblemError, type ResumeAfter, type SessionView } from "../client/index.ts";
import { DASHBOARD_RETRY } from "./connection.ts";
import { h } from "./dom.ts";
import { Refresher } from "./refresher.ts";
import { SessionCard } from "./session-card.ts";
import { SessionLog } from "./session-log.ts";
import { TURNS_SHOWN, TurnsTable } from "./turns-table.ts";
import { UsagePanel } from "./usage-panel.ts";
import { keepFollowing, type View, type ViewContext } from "./view.ts";

/** Entries shown at first, and paged in at a time when scrolling up. */
const PAGE = 200;

/** A turn's messages come in bursts: the turns are read once one has been quiet this long, or at least this often. */
const TURNS_REFRESH = { quietMs: 400, maxWaitMs: 3000 };

export function sessionView(threadId: string, context: ViewContext): View {
  const { client } = context;
  const controller = new AbortController();
  const { signal } = controller;
  const card = new SessionCard(threadId);
  const usage = new UsagePanel();
  const turns = new TurnsTable();
  const turnsRefresher = new Refresher(async () => {
    try {
      const reply = await client.turns(threadId, { limit: TURNS_SHOWN, signal });
      if (!signal.aborted) turns.update(reply.turns, Date.now());
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ProblemError && error.status === 401) return context.expired();
      // Not begun, or purged since: no turns. Any other failure keeps what is shown until the view moves again.
      if (error instanceof ProblemError && error.status === 404) turns.update(null, Date.now());
    }
  }, TURNS_REFRESH);
  /** What the turns were last read for: the view's place in the log and its active turn. */
  let turnsReadFor: string | null = null;
  /** Every view of the session, read or streamed, goes to the card and the usage panel alike, and moves the turns. */
  const show = (session: SessionView | null) => {
    card.update(session);
    usage.update(session?.usage ?? null);
    const key = session === null ? null : `${session.epoch}:${session.lastSeq}:${session.activeTurnId ?? ""}`;
    if (key === turnsReadFor) return;
    turnsReadFor = key;
    if (key === null) turns.update(null, Date.now());
    else turnsRefresher.request();
  };
  /** The life the log shows; a new one comes with `reset`. */
  let epoch: string | null = null;
  /** The life of the last snapshot: the log's once a `reset` follows it. */
  let snapshotEpoch: string | null = null;

  const log = new SessionLog(async (beforeSeq) => {
    const after = Math.max(0, beforeSeq - 1 - PAGE);
    const entries: LogEntryView[] = [];
    try {
      const life = epoch === null ? {} : { epoch };
      for await (const entry of client.events(threadId, { after, limit: PAGE, signal, ...life })) {
        if (entry.seq >= beforeSeq) break;
        entries.push(entry);
      }
    } catch (error) {
      // Begun again since: the live stream resets the log, so no older page of another life is mixed in.
      if (error instanceof ProblemError && error.status === 409) return [];
      throw error;
    }
    return entries;
  });
  const element = h(
    "div",
    { class: "session" },
    h("a", { href: "/", "data-link": true, class: "back" }, "← All sessions"),
    card.element,
    usage.element,
    turns.element,
    log.element,
  );

  const follow = async () => {
    // After a failed read, resume after what the log holds rather than from the last page again; entries of a life
    // never named (the session began while the page watched) cannot be vouched for, so they are read again.
    if (epoch === null) log.clear();
    const held = log.lastSeq;
    const start = held === null ? await startingPoint() : null;
    if (start !== null) log.startAt((start?.seq ?? 0) + 1);
    const after = held !== null && epoch !== null ? { epoch, seq: held } : start;
    const options = { signal, retry: DASHBOARD_RETRY, ...(after === null ? {} : { after }) };
    for await (const message of client.live(threadId, options)) {
      switch (message.type) {
        case "snapshot":
          snapshotEpoch = message.epoch;
          epoch ??= message.epoch;
          show(message.session);
          card.note(message.session === null ? "No events yet: they appear here as they arrive." : null);
          break;
        case "session":
          show(message.session);
          card.note(null);
          break;
        case "entry":
          log.append(message);
          break;
        case "synchronized":
          context.connection.set("live");
          break;
        case "reset":
          epoch = snapshotEpoch;
          log.clear();
          log.startAt(1);
          break;
        case "behind":
          break;
        case "purged":
          show(null);
          card.note("This session was deleted or purged.");
          return;
        default:
          message satisfies never;
      }
    }
  };

  /**
   * Where to subscribe: after the last page of the log, so a long log does not stream in whole; null (from the first
   * event) for a session not begun yet.
   */
  const startingPoint = async (): Promise<ResumeAfter | null> => {
    try {
      const session = await client.session(threadId, { signal });
      show(session);
      epoch = session.epoch;
      return { epoch: session.epoch, seq: Math.max(0, session.lastSeq - PAGE) };
    } catch (error) {
      if (error instanceof ProblemError && error.status === 404) return null;
      throw error;
    }
  };

  const ticker = setInterval(() => {
    card.tick();
    turns.tick();
  }, 1000);
  void keepFollowing(follow, signal, context);
  return {
    element,
    dispose: () => {
      controller.abort();
      turnsRefresher.dispose();
      clearInterval(ticker);
    },
  };
}
