/** What a new live subscriber is sent in the turn it attaches: the snapshot, the backlog, then `synchronized`. */

import type { SessionView } from "../contracts/replies.ts";
import type { StreamMessage } from "../contracts/stream.ts";
import type { StoredEntry } from "../domain/event-log.ts";
import { logEntryJson } from "../domain/session-view.ts";
import { MAX_BACKLOG_BYTES, planReplay, type ResumeFrom } from "../domain/subscription.ts";
import type { Closing } from "../live/hub.ts";
import { CLOSE_NORMAL } from "../live/sockets.ts";

/** A live stream's message as the object holds it: an entry keeps its stored text until it is serialised. */
export type LiveMessage = Exclude<StreamMessage, { type: "entry" }> | { type: "entry"; entry: StoredEntry };

/** The StreamMessage JSON of a live message. */
export function liveMessageJson(message: LiveMessage): string {
  return message.type === "entry" ? logEntryJson(message.entry, "entry") : JSON.stringify(message);
}

/** The session as the subscriber's opening needs it; the reads run synchronously, in the attaching turn. */
export interface OpeningSource {
  epoch: string | null;
  lastSeq: number;
  view: SessionView | null;
  bytesAfter(seq: number): number;
  entriesAfter(seq: number): StoredEntry[];
}

const BEHIND: Closing = { code: CLOSE_NORMAL, reason: "behind: page GET /events, then subscribe again" };

export function openingMessages(
  source: OpeningSource,
  resume: ResumeFrom | null,
): { messages: LiveMessage[]; closing: Closing | null } {
  const { epoch, lastSeq, view } = source;
  const messages: LiveMessage[] = [{ type: "snapshot", epoch, session: view }];
  const plan = planReplay(resume, epoch, lastSeq);
  const tooManyBytes = plan.kind === "replay" && view !== null && source.bytesAfter(plan.afterSeq) > MAX_BACKLOG_BYTES;
  if (plan.kind === "behind" || tooManyBytes) {
    return { messages: [...messages, { type: "behind", lastSeq }], closing: BEHIND };
  }
  if (plan.reset) messages.push({ type: "reset" });
  const backlog = view === null ? [] : source.entriesAfter(plan.afterSeq);
  for (const entry of backlog) messages.push({ type: "entry", entry });
  messages.push({ type: "synchronized", lastSeq });
  return { messages, closing: null };
}
