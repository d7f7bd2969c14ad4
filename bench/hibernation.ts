/**
 * Memory of idle live subscribers: HIBERNATION_SESSIONS sessions (default 1,000), each with one WebSocket on
 * `/live`. workerd's resident memory (VmRSS) before, once every socket has its snapshot, then every 5 s while
 * they sit idle: local workerd evicts an object after about 10 s without events (workerd PR #1138), and its
 * hibernatable sockets stay open. Last, one event into some sessions proves their sockets survived.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { round } from "./load.ts";
import { authorizedWebSocket, roles, rssKiB } from "./processes.ts";
import { HEADERS, pool, post, run } from "./scenarios.ts";
import type { RunningWorker } from "./wrangler-dev.ts";

export interface HibernationSettings {
  sessions: number;
  waitSeconds: number;
}

export interface HibernationFigures {
  sessions: number;
  /** MiB of the workerd that runs the Worker (plus, under wrangler dev, its proxy's, separately). */
  rssMiB: { moment: string; worker: number; proxy: number }[];
  socketsOpenAtEnd: number;
  /** Sessions probed after the wait whose subscriber still received a new event. */
  probedDelivered: string;
}

export async function measureHibernation(
  worker: RunningWorker,
  settings: HibernationSettings,
): Promise<HibernationFigures> {
  const pids = roles(worker);
  const mib = (list: number[]) => round(list.reduce((sum, pid) => sum + rssKiB(pid), 0) / 1024, 1);
  const rssMiB: HibernationFigures["rssMiB"] = [];
  const sample = (moment: string) => rssMiB.push({ moment, worker: mib(pids.worker), proxy: mib(pids.proxy) });
  const ids = Array.from({ length: settings.sessions }, (_, index) => `idle-${run}-${worker.path}-${index}`);
  const event = (threadId: string, key: string) => ({
    eventId: `${threadId}-${key}`,
    type: "session.started",
    provider: "codex",
    threadId,
    createdAt: new Date().toISOString(),
  });

  sample("before");
  await pool(ids.length, 20, async (index) => {
    const id = ids[index] ?? "";
    await post(worker.origin, id, event(id, "first"));
  });
  sample(`${ids.length} sessions created`);

  const delivered = new Set<string>();
  const sockets: WebSocket[] = [];
  await pool(ids.length, 50, async (index) => {
    const id = ids[index] ?? "";
    const socket = authorizedWebSocket(
      `${worker.origin.replace(/^http/, "ws")}/v1/sessions/${id}/live`,
      HEADERS.authorization,
    );
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("message", (message) => {
        const data = String(message.data);
        if (data.startsWith('{"type":"snapshot"')) resolve();
        if (data.includes(`"eventId":"${id}-probe"`)) delivered.add(id);
      });
      socket.addEventListener("error", () => reject(new Error(`WebSocket for ${id} failed`)), { once: true });
    });
  });
  sample(`${ids.length} sockets open, objects awake`);
  for (let waited = 5; waited <= settings.waitSeconds; waited += 5) {
    await sleep(5_000);
    sample(`idle ${waited} s`);
  }

  const probed = ids.filter((_, index) => index % Math.max(1, Math.floor(ids.length / 20)) === 0);
  await pool(probed.length, 10, async (index) => {
    const id = probed[index] ?? "";
    await post(worker.origin, id, event(id, "probe"));
  });
  const deadline = performance.now() + 5_000;
  while (probed.some((id) => !delivered.has(id)) && performance.now() < deadline) await sleep(50);
  const socketsOpenAtEnd = sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length;
  for (const socket of sockets) socket.close(1000);
  return {
    sessions: ids.length,
    rssMiB,
    socketsOpenAtEnd,
    probedDelivered: `${probed.filter((id) => delivered.has(id)).length} of ${probed.length}`,
  };
}
