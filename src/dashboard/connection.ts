/**
 * Connection state, always on screen: `live` once a stream says it is synchronized, `reconnecting` from the
 * moment a stream ends or fails until the next one is synchronized, `offline` while the browser says so. The
 * client reconnects by itself; this only watches the fetches it makes.
 */
import type { Fetch, RetryPolicy } from "../client/index.ts";
import { h, setText } from "./dom.ts";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

const LABELS: Record<ConnectionState, string> = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  offline: "offline",
};

/** Short backoff: a person is watching, and the service answers as soon as it is back. */
export const DASHBOARD_RETRY: RetryPolicy = { initialDelayMs: 250, maxDelayMs: 3000 };

export class Connection {
  readonly element = h("span", { class: "connection", role: "status", "aria-live": "polite" });
  #state: ConnectionState = "connecting";

  constructor() {
    this.#render();
    window.addEventListener("offline", () => this.set("offline"));
    window.addEventListener("online", () => this.set("reconnecting"));
  }

  get state(): ConnectionState {
    return this.#state;
  }

  set(state: ConnectionState): void {
    const next = !navigator.onLine && state !== "live" ? "offline" : state;
    if (next === this.#state) return;
    this.#state = next;
    this.#render();
  }

  #render(): void {
    this.element.dataset.state = this.#state;
    setText(this.element, LABELS[this.#state]);
  }

  /** A fetch for the client: stream requests that fail, or whose body ends, mark the connection as lost. */
  fetch: Fetch = async (input, init) => {
    const streaming =
      String(input instanceof Request ? input.url : input)
        .split("?")[0]
        ?.endsWith("/stream") ?? false;
    if (!streaming) return fetch(input, init);
    if (this.#state === "live") this.set("reconnecting");
    let response: Response;
    try {
      response = await fetch(input, init);
    } catch (error) {
      if (!init?.signal?.aborted) this.set("reconnecting");
      throw error;
    }
    if (!response.ok || response.body === null) return response;
    const lost = () => {
      if (!init?.signal?.aborted) this.set("reconnecting");
    };
    return new Response(watchEnd(response.body, lost), response);
  };
}

/** The same bytes, with a call when the stream ends, fails or is cancelled. */
function watchEnd(body: ReadableStream<Uint8Array>, onEnd: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          onEnd();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        onEnd();
        controller.error(error);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
