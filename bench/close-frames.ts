/**
 * node bench/close-frames.ts: how long a live WebSocket stays open after the server's close frame when its session is
 * deleted (`purged`, close 1000), straight on workerd (Miniflare, as bench/direct.ts) and through `wrangler dev`.
 * Clients: Node's `ws` (miniflare's dependency), undici's WebSocket (Node's global), headless Chromium, and
 * bench/raw-websocket.ts, which sees the close frame and the server's FIN apart. `raw-client-first` is the control:
 * the client starts the closing handshake and the object answers it (webSocketClose), with no DELETE.
 * Each row: ms after the DELETE was answered (after the client's close frame for raw-client-first) until the close
 * frame arrived (ws: its receiver's `conclude`; undici and Chromium: the `purged` message sent just before it), the
 * server's FIN (ws and raw only), and the client's `close` event.
 * CLOSE_ROUNDS (default 3), CLOSE_PATHS (default direct,dev), CLOSE_CLIENTS (default all).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { API_TOKEN, freePort, startDevServer } from "../test/browser/support/dev-server.ts";
import { startDirect } from "./direct.ts";
import { openRawWebSocket } from "./raw-websocket.ts";

/** `wrangler dev` as the browser tests start it (test/browser/support/dev-server.ts): its token and read-token secret. */
const TOKEN = API_TOKEN;
const ROUNDS = Number(process.env.CLOSE_ROUNDS ?? 3);
const PATHS = (process.env.CLOSE_PATHS ?? "direct,dev").split(",") as ("dev" | "direct")[];
const CLIENTS = (process.env.CLOSE_CLIENTS ?? "ws,undici,chromium,raw,raw-client-first").split(",");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

interface Timing {
  frame: number | null;
  fin: number | null;
  close: number | null;
  code: number | null;
}

type Measure = (origin: string, threadId: string) => Promise<Timing>;

async function createSession(origin: string, threadId: string): Promise<void> {
  const event = { provider: "codex", threadId, createdAt: new Date().toISOString(), eventId: "e1" };
  const response = await fetch(`${origin}/v1/sessions/${threadId}/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify([{ ...event, type: "session.started" }]),
  });
  if (!response.ok) throw new Error(`POST events: ${response.status} ${await response.text()}`);
  await response.body?.cancel();
}

/** DELETEs the session; returns when the answer arrived. */
async function deleteSession(origin: string, threadId: string): Promise<number> {
  const response = await fetch(`${origin}/v1/sessions/${threadId}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`DELETE: ${response.status}`);
  return performance.now();
}

async function mintReadToken(origin: string): Promise<string> {
  const response = await fetch(`${origin}/v1/read-tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ ttlSeconds: 600 }),
  });
  if (!response.ok) throw new Error(`POST read-tokens: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const liveUrl = (origin: string, threadId: string) => `${origin.replace("http", "ws")}/v1/sessions/${threadId}/live`;

function relative(timing: Timing, from: number): Timing {
  const at = (value: number | null) => (value === null ? null : Math.round(value - from));
  return { frame: at(timing.frame), fin: at(timing.fin), close: at(timing.close), code: timing.code };
}

/** Node's `ws`: the frame from its receiver's `conclude` event, the FIN from its socket (both internal). */
const withWs: Measure = async (origin, threadId) => {
  // miniflare's dependency, without types here: the specifier is a variable so that tsc does not look for them.
  const wsPackage = "ws";
  const { WebSocket } = await import(wsPackage);
  const timing: Timing = { frame: null, fin: null, close: null, code: null };
  const socket = new WebSocket(liveUrl(origin, threadId), { headers: { authorization: `Bearer ${TOKEN}` } });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  socket._receiver.on("conclude", () => {
    timing.frame ??= performance.now();
  });
  socket._socket.on("end", () => {
    timing.fin ??= performance.now();
  });
  const closed = new Promise<void>((resolve) =>
    socket.once("close", (code: number) => {
      timing.close = performance.now();
      timing.code = code;
      resolve();
    }),
  );
  await sleep(200);
  const deleted = await deleteSession(origin, threadId);
  await closed;
  return relative(timing, deleted);
};

/** undici's WebSocket (Node's global): no socket to watch, so the frame is the `purged` message just before it. */
const withUndici: Measure = async (origin, threadId) => {
  const timing: Timing = { frame: null, fin: null, close: null, code: null };
  // Node's WebSocket takes headers in a second argument that the DOM type does not know.
  const options = { headers: { authorization: `Bearer ${TOKEN}` } } as unknown as string[];
  const socket = new WebSocket(liveUrl(origin, threadId), options);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });
  socket.addEventListener("message", (event) => {
    if (String(event.data).includes('"purged"')) timing.frame = performance.now();
  });
  const closed = new Promise<void>((resolve) =>
    socket.addEventListener("close", (event) => {
      timing.close = performance.now();
      timing.code = event.code;
      resolve();
    }),
  );
  await sleep(200);
  const deleted = await deleteSession(origin, threadId);
  await closed;
  return relative(timing, deleted);
};

/** The raw client: the close frame and the FIN as they arrive. */
const withRaw: Measure = async (origin, threadId) => {
  const socket = openRawWebSocket(new URL(liveUrl(origin, threadId)), { authorization: `Bearer ${TOKEN}` });
  const status = await socket.upgraded;
  if (!status.includes(" 101 ")) throw new Error(`upgrade: ${status}`);
  await sleep(200);
  const deleted = await deleteSession(origin, threadId);
  const [frame, fin, close] = await Promise.all([socket.closeFrame, socket.ended, socket.closed]);
  return relative({ frame: frame.at, fin, close, code: frame.code }, deleted);
};

/** The control: the client closes first, the object answers in webSocketClose (acknowledgeClose). */
const withRawClientFirst: Measure = async (origin, threadId) => {
  const socket = openRawWebSocket(new URL(liveUrl(origin, threadId)), { authorization: `Bearer ${TOKEN}` });
  const status = await socket.upgraded;
  if (!status.includes(" 101 ")) throw new Error(`upgrade: ${status}`);
  await sleep(200);
  const sent = performance.now();
  socket.close(1000);
  const [frame, fin, close] = await Promise.all([socket.closeFrame, socket.ended, socket.closed]);
  return relative({ frame: frame.at, fin, close, code: frame.code }, sent);
};

async function withChromium(origin: string): Promise<{ measure: Measure; close: () => Promise<void> }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  const page = await browser.newPage();
  await page.goto(`${origin}/healthz`);
  const readToken = await mintReadToken(origin);
  const measure: Measure = async (origin, threadId) => {
    const url = `${liveUrl(origin, threadId)}?access_token=${encodeURIComponent(readToken)}`;
    // The page's clock: the DELETE is sent from the page too, so all three times are on one clock.
    const timing = await page.evaluate(
      async ({ url, deleteUrl, token }) => {
        const socket = new WebSocket(url);
        await new Promise((resolve, reject) => {
          socket.addEventListener("open", resolve, { once: true });
          socket.addEventListener("error", reject, { once: true });
        });
        let frame: number | null = null;
        socket.addEventListener("message", (event) => {
          if (String(event.data).includes('"purged"')) frame = performance.now();
        });
        const closed = new Promise<{ close: number; code: number }>((resolve) =>
          socket.addEventListener("close", (event) => resolve({ close: performance.now(), code: event.code })),
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
        const response = await fetch(deleteUrl, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
        const deleted = performance.now();
        if (!response.ok) throw new Error(`DELETE: ${response.status}`);
        const { close, code } = await closed;
        return { frame, close, code, deleted };
      },
      { url, deleteUrl: `${origin}/v1/sessions/${threadId}`, token: TOKEN },
    );
    return relative({ frame: timing.frame, fin: null, close: timing.close, code: timing.code }, timing.deleted);
  };
  return { measure, close: () => browser.close() };
}

async function start(path: "dev" | "direct", stateDir: string): Promise<{ origin: string; stop(): Promise<void> }> {
  if (path === "dev") return startDevServer();
  const options = { configPath: "wrangler.toml", port: await freePort(), inspectorPort: await freePort(), stateDir };
  const bindings = { API_TOKENS: `local:${TOKEN}`, READ_TOKEN_SECRET: "close-frames-read-token-secret-of-32-chars" };
  return startDirect({ ...options, bindings });
}

async function main(): Promise<void> {
  const cell = (value: number | null) => (value === null ? "-" : String(value)).padStart(6);
  console.log("path    client             round  frame    FIN  close  code");
  for (const path of PATHS) {
    const stateDir = mkdtempSync(join(tmpdir(), "close-frames-"));
    const worker = await start(path, stateDir);
    try {
      for (const client of CLIENTS) {
        const browser = client === "chromium" ? await withChromium(worker.origin) : null;
        const measures: Record<string, Measure | undefined> = {
          ws: withWs,
          undici: withUndici,
          raw: withRaw,
          "raw-client-first": withRawClientFirst,
          chromium: browser?.measure,
        };
        const measure = measures[client];
        if (measure === undefined) throw new Error(`unknown client ${client}`);
        try {
          for (let round = 1; round <= ROUNDS; round++) {
            const threadId = `close-${client}-${round}-${crypto.randomUUID().slice(0, 8)}`;
            await createSession(worker.origin, threadId);
            const timing = await measure(worker.origin, threadId);
            const row = [cell(timing.frame), cell(timing.fin), cell(timing.close), cell(timing.code)].join(" ");
            console.log(`${path.padEnd(7)} ${client.padEnd(18)} ${String(round).padStart(5)} ${row}`);
          }
        } finally {
          await browser?.close();
        }
      }
    } finally {
      await worker.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
}

await main();
