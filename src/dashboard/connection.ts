/**
 * Connection state, always on screen: `live` once a stream says it is synchronized, `reconnecting` from the
 * moment a stream ends or fails until the next one is synchronized, `offline` while the browser says so. The
 * client reconnects by itself; this only watches the fetches it makes.
 */
import type { Fetch, RetryPolicy } from "../client/index.ts";
import { h, setText } from "./dom.ts";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

/** What the streams report; `offline` comes from the browser and wins while it lasts. */
type StreamState = Exclude<ConnectionState, "offline">;

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
  #stream: StreamState = "connecting";

  constructor() {
    this.#render();
    window.addEventListener("offline", () => this.#render());
    window.addEventListener("online", () => this.#render());
  }

  get state(): ConnectionState {
    return navigator.onLine ? this.#stream : "offline";
  }

  set(state: StreamState): void {
    this.#stream = state;
    this.#render();
  }

  #render(): void {
    const state = this.state;
    if (this.element.dataset.state === state) return;
    this.element.dataset.state = state;
    setText(this.element, LABELS[state]);
  }

  /** A fetch for the client: stream requests that fail, or whose body ends, mark the connection as lost. */
  fetch: Fetch = async (input, init) => {
    const streaming =
      String(input instanceof Request ? input.url : input)
        .split("?")[0]
        ?.endsWith("/stream") ?? false;
    if (!streaming) return fetch(input, init);
    if (this.#stream === "live") this.set("reconnecting");
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
