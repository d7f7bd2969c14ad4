/**
 * A WebSocket client on a bare TCP socket, for timing a close: it sees the server's close frame the moment it arrives
 * and the server's FIN separately, which `ws` and undici do not show (both fire `close` only once TCP is gone). It
 * behaves as a browser or `ws` does: it answers a close frame with a masked close frame echoing the code, then waits
 * for the server to end the connection (RFC 6455 §7.1.1: the server closes TCP first).
 */
import { connect } from "node:net";

export interface CloseFrame {
  /** performance.now() when the frame arrived. */
  at: number;
  code: number;
  reason: string;
}

export interface RawWebSocket {
  /** The status line of the answer to the upgrade (`HTTP/1.1 101 Switching Protocols`). */
  upgraded: Promise<string>;
  /** Text frames received, in order. */
  messages: string[];
  /** The server's close frame. */
  closeFrame: Promise<CloseFrame>;
  /** performance.now() when the server ended its side (FIN). */
  ended: Promise<number>;
  /** performance.now() when the connection was gone (what `ws` and undici report as `close`). */
  closed: Promise<number>;
  /** Starts the closing handshake from this side. */
  close(code: number): void;
  destroy(): void;
}

export function openRawWebSocket(url: URL, headers: Record<string, string> = {}): RawWebSocket {
  const socket = connect(Number(url.port), url.hostname);
  const messages: string[] = [];
  let buffer = Buffer.alloc(0);
  let status: string | null = null;
  let sentClose = false;
  const upgraded = deferred<string>();
  const closeFrame = deferred<CloseFrame>();
  const ended = deferred<number>();
  const closed = deferred<number>();

  /** A client frame: FIN set, masked (RFC 6455 §5.3), payloads under 126 bytes. */
  const sendFrame = (opcode: number, payload: Buffer) => {
    const mask = crypto.getRandomValues(new Uint8Array(4));
    const masked = payload.map((byte, index) => byte ^ (mask[index % 4] as number));
    socket.write(Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | masked.length]), mask, masked]));
  };
  const sendClose = (code: number) => {
    if (sentClose) return;
    sentClose = true;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    sendFrame(0x8, payload);
  };

  socket.on("connect", () => {
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
    const lines = [
      `GET ${url.pathname}${url.search} HTTP/1.1`,
      `Host: ${url.host}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Version: 13",
      `Sec-WebSocket-Key: ${key}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  });
  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (status === null) {
      const headEnd = buffer.indexOf("\r\n\r\n");
      if (headEnd < 0) return;
      status = buffer.subarray(0, buffer.indexOf("\r\n")).toString();
      buffer = buffer.subarray(headEnd + 4);
      upgraded.resolve(status);
    }
    // Server frames are not masked; the service sends no fragmented messages.
    while (buffer.length >= 2) {
      const opcode = (buffer[0] as number) & 0x0f;
      let length = (buffer[1] as number) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffer.length < offset + length) return;
      const payload = buffer.subarray(offset, offset + length);
      buffer = buffer.subarray(offset + length);
      if (opcode === 0x1) messages.push(payload.toString());
      if (opcode === 0x8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        closeFrame.resolve({ at: performance.now(), code, reason: payload.subarray(2).toString() });
        sendClose(code === 1005 ? 1000 : code);
      }
    }
  });
  socket.on("end", () => ended.resolve(performance.now()));
  socket.on("error", () => {});
  socket.on("close", () => {
    const at = performance.now();
    if (status === null) upgraded.reject(new Error(`connection to ${url.host} closed before the upgrade was answered`));
    closeFrame.reject(new Error("connection closed without a close frame"));
    ended.resolve(at);
    closed.resolve(at);
  });
  // Rejections nobody awaits (a connection torn down early) must not crash the process.
  for (const promise of [upgraded.promise, closeFrame.promise]) promise.catch(() => {});

  return {
    upgraded: upgraded.promise,
    messages,
    closeFrame: closeFrame.promise,
    ended: ended.promise,
    closed: closed.promise,
    close: sendClose,
    destroy: () => socket.destroy(),
  };
}

function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<T>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise;
    reject = rejectPromise;
  });
  return { promise, resolve, reject };
}
