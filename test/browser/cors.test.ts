/**
 * A page on another origin calls the API in Chromium: with its origin in CORS_ORIGINS, fetch (an API token and a
 * read token, its 401 included), EventSource and WebSocket with `?access_token=` all work; from an origin not
 * listed, the browser lets the page read nothing.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser.ts";
import { API_TOKEN, type DevServer, startDevServer } from "./support/dev-server.ts";
import { ev, mintReadToken, newThreadId, post } from "./support/events.ts";

/** A blank page on its own origin (a port of its own), as another application would serve it. */
async function servePage(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_, response) => {
    response.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>other origin</title>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let api: DevServer;
let listed: { origin: string; server: Server };
let stranger: { origin: string; server: Server };
let browser: Browser;
let threadId: string;

beforeAll(async () => {
  [listed, stranger] = await Promise.all([servePage(), servePage()]);
  [api, browser] = await Promise.all([startDevServer({ vars: { CORS_ORIGINS: listed.origin } }), launchChromium()]);
  threadId = newThreadId("cors");
  await post(api.origin, threadId, [ev.sessionStarted(), ev.turnStarted("t1")]);
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  for (const page of [listed, stranger]) page?.server.close();
});

async function pageAt(origin: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(origin);
  return page;
}

/** What a page's fetch got: the status and body it could read, or the error the browser gave it. */
function fetchFrom(page: Page, url: string, token: string | null) {
  return page.evaluate(
    async ({ url, token }) => {
      try {
        const response = await fetch(url, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
        return { status: response.status, body: await response.json() };
      } catch (error) {
        return { error: String(error) };
      }
    },
    { url, token },
  );
}

describe("a page on a listed origin", () => {
  it("reads with fetch and an API token, and can read its 401", async () => {
    const page = await pageAt(listed.origin);
    const session = await fetchFrom(page, `${api.origin}/v1/sessions/${threadId}`, API_TOKEN);
    expect(session).toMatchObject({ status: 200, body: { threadId, status: "running" } });
    const refused = await fetchFrom(page, `${api.origin}/v1/sessions/${threadId}`, "not-a-token");
    expect(refused).toMatchObject({ status: 401, body: { type: "urn:provider-sessions:problem:unauthorized" } });
    await page.context().close();
  });

  it("follows a session with EventSource and WebSocket and a read token in the URL", async () => {
    const { token } = await mintReadToken(api.origin, 600);
    const page = await pageAt(listed.origin);
    const base = `${api.origin}/v1/sessions/${threadId}`;
    const query = `access_token=${encodeURIComponent(token)}`;
    const seen = await page.evaluate(
      async ({ streamUrl, socketUrl }) => {
        const fromStream = new Promise<string>((resolve) => {
          const source = new EventSource(streamUrl);
          source.addEventListener("synchronized", () => {
            source.close();
            resolve("synchronized");
          });
          source.onerror = () => {
            source.close();
            resolve("error");
          };
        });
        const fromSocket = new Promise<string>((resolve) => {
          const socket = new WebSocket(socketUrl);
          socket.onmessage = (message) => {
            const type = (JSON.parse(String(message.data)) as { type: string }).type;
            if (type !== "synchronized") return;
            socket.close();
            resolve(type);
          };
          socket.onerror = () => resolve("error");
        });
        return Promise.all([fromStream, fromSocket]);
      },
      { streamUrl: `${base}/stream?${query}`, socketUrl: `${base.replace(/^http/, "ws")}/live?${query}` },
    );
    expect(seen).toEqual(["synchronized", "synchronized"]);
    await page.context().close();
  });
});

describe("a page on an origin that is not listed", () => {
  it("reads nothing: the browser refuses the answer to fetch and EventSource", async () => {
    const { token } = await mintReadToken(api.origin, 600);
    const page = await pageAt(stranger.origin);
    const session = await fetchFrom(page, `${api.origin}/v1/sessions/${threadId}`, API_TOKEN);
    expect(session).toEqual({ error: expect.stringContaining("Failed to fetch") });
    const streamed = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const source = new EventSource(url);
          source.onopen = () => resolve("open");
          source.onerror = () => {
            source.close();
            resolve("error");
          };
        }),
      `${api.origin}/v1/sessions/${threadId}/stream?access_token=${encodeURIComponent(token)}`,
    );
    expect(streamed).toBe("error");
    await page.context().close();
  });
});
