/**
 * Every live reader of one object, whatever its transport: hibernatable sockets (found through the runtime by tag)
 * and readers held in memory (event streams, waiting long-polls). One registry, so the caps count them all and one
 * read-token check closes each whose token no longer stands.
 */
import { type GrantStanding, REVOCATION_CHECK_INTERVAL_MS, type ReadGrant } from "../domain/read-grants.ts";
import { capReached, type SubscriberCap } from "./caps.ts";
import type { HeldReader } from "./event-stream.ts";
import { attachGrant, CLOSE_TOKEN_EXPIRED, COMMIT_FRAMES_TAG, grantOf, LIVE_TAG, tagOf } from "./sockets.ts";
import type { Framing } from "./subscription-request.ts";

export class Subscribers {
  readonly #ctx: DurableObjectState;
  readonly #held = new Set<HeldReader>();
  /** The earliest expiry of the subscribers' read tokens; null with none, undefined until computed. */
  #earliestExpiry: number | null | undefined;
  /** When the subscribers' read tokens were last checked against the revocations. */
  #grantsCheckedAt: number | null = null;

  constructor(ctx: DurableObjectState) {
    this.#ctx = ctx;
  }

  get size(): number {
    return this.sockets().length + this.#held.size;
  }

  /** The sockets of one framing, or all. */
  sockets(framing?: Framing): WebSocket[] {
    if (framing !== undefined) return this.#ctx.getWebSockets(tagOf(framing));
    return [...this.#ctx.getWebSockets(LIVE_TAG), ...this.#ctx.getWebSockets(COMMIT_FRAMES_TAG)];
  }

  /** The 429 (its body the cap's name, for the Worker to word) when one more reader with this read token passes a cap. */
  refusalOverCap(grant: ReadGrant | null): Response | null {
    const cap = capReached(this, grant);
    return cap === null ? null : new Response(cap satisfies SubscriberCap, { status: 429 });
  }

  /** The subscribers opened with the read token of this id, of every transport. */
  countOf(jti: string): number {
    const sockets = this.sockets().filter((socket) => grantOf(socket)?.jti === jti).length;
    return sockets + [...this.#held].filter((reader) => reader.grant?.jti === jti).length;
  }

  /** Accepts the server end of a new socket, hibernatable, with its framing and read token. */
  acceptSocket(server: WebSocket, framing: Framing, grant: ReadGrant | null): void {
    this.#ctx.acceptWebSocket(server, [tagOf(framing)]);
    this.#startGrantClock(grant);
    attachGrant(server, grant);
    this.#earliestExpiry = undefined;
  }

  hold(reader: HeldReader): void {
    this.#startGrantClock(reader.grant);
    this.#held.add(reader);
    this.#earliestExpiry = undefined;
  }

  release(reader: HeldReader): void {
    this.#held.delete(reader);
    this.#earliestExpiry = undefined;
  }

  /** A socket closed: the earliest expiry may have gone with it. */
  forget(): void {
    this.#earliestExpiry = undefined;
  }

  /** Whether any subscriber was opened with a read token. */
  hasGrants(): boolean {
    return this.#earliestExpiryOfGrants() !== null;
  }

  /**
   * When the object must next check its subscribers' read tokens (for its alarm): at the earliest expiry, and at
   * least every REVOCATION_CHECK_INTERVAL_MS while any has one; null when none has.
   */
  nextGrantCheckAt(now: number): number | null {
    const earliest = this.#earliestExpiryOfGrants();
    if (earliest === null) return null;
    return Math.min(earliest, (this.#grantsCheckedAt ?? now) + REVOCATION_CHECK_INTERVAL_MS);
  }

  /**
   * Closes each subscriber whose read token no longer stands: a socket with 4401 and the reason, a held reader by
   * ending it, so their clients get a new token (a refused request tells them why) and resume.
   */
  closeUnstanding(standingOf: (grant: ReadGrant) => GrantStanding, now: number): void {
    for (const socket of this.sockets()) {
      const grant = grantOf(socket);
      const standing = grant === null ? "valid" : standingOf(grant);
      if (standing === "valid") continue;
      try {
        socket.close(CLOSE_TOKEN_EXPIRED, `read token ${standing}`);
      } catch {
        // Already closing.
      }
    }
    for (const reader of [...this.#held]) {
      if (reader.grant !== null && standingOf(reader.grant) !== "valid") reader.end();
    }
    this.#grantsCheckedAt = now;
    this.#earliestExpiry = undefined;
  }

  /** The first subscriber with a read token was just checked by the Worker: the minute of checks starts now. */
  #startGrantClock(grant: ReadGrant | null): void {
    if (grant !== null && !this.hasGrants()) this.#grantsCheckedAt = Date.now();
  }

  #earliestExpiryOfGrants(): number | null {
    if (this.#earliestExpiry === undefined) {
      const grants = [...this.sockets().map(grantOf), ...[...this.#held].map((reader) => reader.grant)];
      const expiries = grants.flatMap((grant) => (grant === null ? [] : [grant.expiresAt]));
      this.#earliestExpiry = expiries.length === 0 ? null : Math.min(...expiries);
    }
    return this.#earliestExpiry;
  }
}
