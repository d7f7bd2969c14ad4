/** What the bench reads from /proc about the workerd processes it started: CPU time, resident memory, sockets. */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import type { RunningWorker } from "./wrangler-dev.ts";

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream architecture). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  cpuTicks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm is in parentheses and may hold spaces: the fields after it are split from its closing one.
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const fields = text.slice(close + 2).split(" ");
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { pid, comm, ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

function allProcesses(): ProcStat[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== null);
}

/** The workerd processes below `rootPid` (wrangler dev starts two, Miniflare one). */
export function workerdPids(rootPid: number): number[] {
  const processes = allProcesses();
  const below = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const process of processes) {
      if (!below.has(process.pid) && below.has(process.ppid)) {
        below.add(process.pid);
        grew = true;
      }
    }
  }
  return processes.filter((process) => process.comm === "workerd" && below.has(process.pid)).map(({ pid }) => pid);
}

/** User + system CPU time of the processes (all their threads), in ms; 10 ms resolution. */
export function cpuMs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + ((readStat(pid)?.cpuTicks ?? 0) * 1000) / TICKS_PER_SECOND, 0);
}

/** Resident set size in KiB (VmRSS), 0 for a process that is gone. */
export function rssKiB(pid: number): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
    return Number(match?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** TCP ports the process listens on (IPv4 and IPv6), read from its socket descriptors and /proc/net/tcp*. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = target.match(/^socket:\[(\d+)\]$/)?.[1];
        if (inode !== undefined) inodes.add(inode);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const columns = line.trim().split(/\s+/);
      const [local, state, inode] = [columns[1], columns[3], columns[9]];
      if (state === "0A" && inode !== undefined && inodes.has(inode) && local !== undefined) {
        ports.push(Number.parseInt(local.split(":")[1] ?? "0", 16));
      }
    }
  }
  return ports;
}

/** The workerd processes of a running Worker: under wrangler dev, the one serving its port is the proxy. */
export function roles(worker: RunningWorker): { worker: number[]; proxy: number[] } {
  const port = Number(new URL(worker.origin).port);
  const pids = workerdPids(worker.rootPid);
  const onPort = pids.filter((pid) => listeningPorts(pid).includes(port));
  if (worker.path === "direct") return { worker: onPort, proxy: [] };
  return { worker: pids.filter((pid) => !onPort.includes(pid)), proxy: onPort };
}

/** Node's WebSocket (undici) takes `{ headers }` where the DOM's constructor declares only protocols. */
export function authorizedWebSocket(url: string, authorization: string): WebSocket {
  const options = { headers: { authorization } } as unknown as string[];
  return new WebSocket(url, options);
}

/** One clock for every thread of this process: wall time in ms, to a fraction of a ms. */
export const wallClockMs = () => performance.timeOrigin + performance.now();
