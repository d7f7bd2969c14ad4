/**
 * Hibernatable WebSocket subscribers: they survive eviction and cost nothing while idle. What a socket keeps across
 * hibernation is its tag (its framing) and its attachment (the read token it was opened with).
 */
import type { ReadGrant } from "../domain/read-grants.ts";
import type { Framing } from "./subscription-request.ts";

/** Sockets that get one message a frame (the default, and every socket accepted before framings existed). */
export const LIVE_TAG = "live";
/** Sockets that get one frame a commit: a JSON array of its messages. */
export const COMMIT_FRAMES_TAG = "live-commit-frames";

export const CLOSE_NORMAL = 1000;
export const CLOSE_TRY_AGAIN_LATER = 1013;
/** The read token the subscription was opened with has expired or was revoked: get a new one and resume. */
export const CLOSE_TOKEN_EXPIRED = 4401;

/** A subscriber with this much unsent data is closed (1013, or its event stream ended) so it resumes. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** A commit-framed frame holds messages up to about this size; a larger commit is sent over several frames. */
export const MAX_COMMIT_FRAME_BYTES = 512 * 1024;

/** What a socket keeps across hibernation. */
interface SocketAttachment {
  /** The read token it was opened with; null for an API token. */
  grant?: ReadGrant | null;
  /** Before grants: when its read token expired. Such a socket names no key, so its first check closes it. */
  until?: number | null;
}

export function tagOf(framing: Framing): string {
  return framing === "commit" ? COMMIT_FRAMES_TAG : LIVE_TAG;
}

export function grantOf(socket: WebSocket): ReadGrant | null {
  const attachment = socket.deserializeAttachment() as SocketAttachment | null;
  if (attachment?.grant != null) return attachment.grant;
  const until = attachment?.until ?? null;
  return until === null ? null : { jti: "", issuedAt: 0, expiresAt: until, kid: "" };
}

export function attachGrant(socket: WebSocket, grant: ReadGrant | null): void {
  socket.serializeAttachment({ grant } satisfies SocketAttachment);
}

/** A frame costs the runtime tens of µs a socket whatever its size: commit framing sends fewer. */
export function sendAll(sockets: readonly WebSocket[], frames: readonly string[]): void {
  for (const socket of sockets) {
    try {
      for (const frame of frames) socket.send(frame);
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.close(CLOSE_TRY_AGAIN_LATER, "too far behind: resume from your last seq");
      }
    } catch {
      // A socket closing as we send: its client resumes from its last seq.
    }
  }
}

/** Sends each socket a last frame and closes it normally. */
export function closeWith(sockets: readonly WebSocket[], frame: string, reason: string): void {
  for (const socket of sockets) {
    try {
      socket.send(frame);
      socket.close(CLOSE_NORMAL, reason);
    } catch {
      // Already closing.
    }
  }
}

/**
 * Answers the runtime's close handshake; 1005 and 1006 cannot be sent, so they are answered with 1000. This answer
 * is what lets workerd end the connection at once. After a close the object started it does nothing, and workerd
 * keeps the connection until the object hibernates (docs/streams.md, "Closing").
 */
export function acknowledgeClose(socket: WebSocket, code: number, reason: string): void {
  try {
    socket.close(code === 1005 || code === 1006 ? CLOSE_NORMAL : code, reason);
  } catch {
    // Already closed.
  }
}

/** Messages (as JSON texts) joined into JSON arrays of at most about MAX_COMMIT_FRAME_BYTES each, in order. */
export function commitFrames(texts: readonly string[]): string[] {
  const frames: string[] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const text of texts) {
    if (current.length > 0 && bytes + text.length > MAX_COMMIT_FRAME_BYTES) {
      frames.push(`[${current.join(",")}]`);
      current = [];
      bytes = 0;
    }
    current.push(text);
    bytes += text.length + 1;
  }
  if (current.length > 0) frames.push(`[${current.join(",")}]`);
  return frames;
}
