/** What every page of the dashboard gets, and what it hands back; and how a page keeps its stream going. */
import type { Client } from "../client/index.ts";
import { ProblemError } from "../client/index.ts";
import { isTransientStatus } from "../client/retry.ts";
import { type Connection, DASHBOARD_RETRY } from "./connection.ts";

export interface ViewContext {
  /** Reads with the kept read token. */
  client: Client;
  connection: Connection;
  /** The read token stopped working (expired, or the service no longer accepts it): back to sign-in, saying so. */
  expired(): void;
  /** Shows a problem the page cannot get past by itself. */
  fail(message: string): void;
}

export interface View {
  element: HTMLElement;
  dispose(): void;
}

/**
 * Runs `follow` until it ends or the page is left. The client's streams reconnect by themselves; this covers the
 * plain reads around them (a listing, the session) when the network or a restarting service fails them. A 401
 * goes back to sign-in; any other refusal is shown.
 */
export async function keepFollowing(follow: () => Promise<void>, signal: AbortSignal, context: ViewContext) {
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      await follow();
      return;
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ProblemError && error.status === 401) return context.expired();
      if (!retryable(error)) {
        return context.fail(error instanceof ProblemError ? `${error.title}: ${error.detail}` : String(error));
      }
      context.connection.set("reconnecting");
      const delay = Math.min(DASHBOARD_RETRY.maxDelayMs, DASHBOARD_RETRY.initialDelayMs * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** A failed read (the network, a restarting service) is tried again; a refusal is not. */
function retryable(error: unknown): boolean {
  return error instanceof ProblemError ? isTransientStatus(error.status) : error instanceof TypeError;
}
