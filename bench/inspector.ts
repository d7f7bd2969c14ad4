/**
 * A V8 CPU profile of the Worker's isolate over the Chrome DevTools Protocol (workerd's inspector), summed by
 * self time into buckets. How a profile node gets its bucket: V8's pseudo-frames by name ("(program)" is the
 * runtime outside JavaScript: KJ event loop, HTTP, Cap'n Proto RPC, SQLite commit); native functions (no URL) by
 * name (`exec`/`one`/`toArray`/`raw`/`transactionSync` SQL, `parse`/`stringify` JSON, `digest`/`createHash` hashing,
 * `Response`/`URL`/… HTTP objects), or, when unnamed, by their caller (workerd's console methods are unnamed natives
 * called from the service's `#log` → logging; unnamed natives called from src/http or the directory link → RPC);
 * bundle code through its source map by the original file (zod → validation, hono → routing, src/session/store.ts
 * and the directory store → SQL, src/domain → domain, …). Whatever matches none is "other".
 */
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { join } from "node:path";
import type { Bundle } from "./direct.ts";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One CDP session over the Node global WebSocket. */
export class Inspector {
  #socket: WebSocket;
  #nextId = 1;
  #pending = new Map<number, (result: unknown) => void>();

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener("message", (message) => {
      const reply = JSON.parse(String(message.data)) as { id?: number; result?: unknown; error?: unknown };
      if (reply.id === undefined) return;
      this.#pending.get(reply.id)?.(reply.error === undefined ? reply.result : { error: reply.error });
      this.#pending.delete(reply.id);
    });
  }

  static async connect(url: string): Promise<Inspector> {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve, { once: true });
      socket.addEventListener("error", () => reject(new Error(`cannot connect to the inspector at ${url}`)));
    });
    return new Inspector(socket);
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.#nextId++;
    this.#socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve) => this.#pending.set(id, resolve));
  }

  close(): void {
    this.#socket.close();
  }
}

/** Profiles the isolate while `work` runs. */
export async function profile(inspectorUrl: string, work: () => Promise<void>): Promise<Profile> {
  const inspector = await Inspector.connect(inspectorUrl);
  try {
    await inspector.send("Profiler.enable");
    await inspector.send("Profiler.setSamplingInterval", { interval: 200 });
    await inspector.send("Profiler.start");
    await work();
    const stopped = (await inspector.send("Profiler.stop")) as { profile?: Profile; error?: unknown };
    if (stopped.profile === undefined) throw new Error(`Profiler.stop failed: ${JSON.stringify(stopped.error)}`);
    return stopped.profile;
  } finally {
    inspector.close();
  }
}

// A Map, not an object: a native frame named "toString" must not find Object.prototype's.
const NATIVE_BUCKETS = new Map(
  Object.entries({
    exec: "SQL",
    one: "SQL",
    toArray: "SQL",
    raw: "SQL",
    parse: "JSON",
    stringify: "JSON",
    log: "logging",
    info: "logging",
    warn: "logging",
    error: "logging",
    digest: "hashing",
    createHash: "hashing",
    update: "hashing",
    transactionSync: "SQL",
    Response: "HTTP objects (Request, Response, URL, Headers)",
    Request: "HTTP objects (Request, Response, URL, Headers)",
    URL: "HTTP objects (Request, Response, URL, Headers)",
    Headers: "HTTP objects (Request, Response, URL, Headers)",
  }),
);

const SOURCE_BUCKETS: [RegExp, string][] = [
  [/node_modules\/(zod|@hono\/zod-openapi|@hono\/zod-validator|@asteasolutions)\//, "validation"],
  [/node_modules\/hono\//, "routing (hono)"],
  [/src\/(session\/(store|schema|commit-log)|directory\/directory-store)\.ts$/, "SQL"],
  [/src\/(contracts\/canonical-json|session\/digest)\.ts$/, "JSON"],
  [/src\/domain\//, "domain (fold, decide)"],
  [/src\/contracts\//, "validation"],
  [/src\//, "service code (other)"],
];

/** Where the Worker calls its Durable Objects: an unnamed native frame called from here is the RPC stub. */
const RPC_CALLERS = /src\/(http\/|session\/directory-link\.ts)/;

interface Caller {
  source: string | null;
  name: string;
}

function bucketOf(
  frame: CallFrame,
  name: string,
  caller: Caller | null,
  originalSource: (frame: CallFrame) => string | null,
) {
  if (frame.functionName === "(idle)") return "(idle)";
  if (frame.functionName === "(program)") return "runtime outside JS (program)";
  if (frame.functionName === "(garbage collector)") return "garbage collection";
  if (frame.url === "") {
    // workerd's console methods are unnamed native functions: the caller tells them apart.
    if (frame.functionName === "" && caller?.source?.includes("/src/") && /log/i.test(caller.name)) return "logging";
    if (frame.functionName === "" && caller?.source != null && RPC_CALLERS.test(caller.source)) return "RPC";
    return NATIVE_BUCKETS.get(frame.functionName) ?? "other native";
  }
  const source = originalSource(frame);
  if (source === null) return "other JS";
  if (source.includes("/src/") && /^#?log$/.test(name)) return "logging";
  return SOURCE_BUCKETS.find(([pattern]) => pattern.test(source))?.[1] ?? "other JS";
}

export interface Breakdown {
  /** Self time by bucket, ms. */
  buckets: Record<string, number>;
  /** The frames with the most self time, with their bucket: where "other" goes. */
  top: { frame: string; bucket: string; ms: number }[];
}

/** Self time by bucket, in ms, idle excluded; frames of the bundle are mapped through its source map. */
export function bucketize(profile: Profile, bundle: Bundle | null, topCount = 15): Breakdown {
  const map =
    bundle === null
      ? null
      : new SourceMap(JSON.parse(readFileSync(join(bundle.dir, `${bundle.mainModule}.map`), "utf8")));
  const originalEntry = (frame: CallFrame): { originalSource?: string; name?: string } | null =>
    map === null || bundle === null || !frame.url.endsWith(bundle.mainModule)
      ? null
      : map.findEntry(frame.lineNumber, frame.columnNumber);
  const originalSource = (frame: CallFrame): string | null => {
    const entry = originalEntry(frame);
    return entry === null ? frame.url : (entry.originalSource ?? null);
  };
  const nameOf = (frame: CallFrame) => originalEntry(frame)?.name ?? frame.functionName;
  const describe = (frame: CallFrame) => {
    const source = frame.url === "" ? "native" : (originalSource(frame) ?? frame.url);
    const name = nameOf(frame);
    return `${name || "(anonymous)"} ${source.replace(/^.*node_modules\//, "").replace(/^.*?\/src\//, "src/")}`;
  };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parents = new Map<number, CallFrame>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.callFrame);
  const totals: Record<string, number> = {};
  const byFrame = new Map<string, { bucket: string; ms: number }>();
  // A sample lasts until the next one: its duration is the next delta.
  profile.samples.forEach((nodeId, index) => {
    const frame = nodes.get(nodeId);
    if (frame === undefined) return;
    const parent = parents.get(nodeId);
    const caller = parent === undefined ? null : { source: originalSource(parent), name: nameOf(parent) };
    const bucket = bucketOf(frame, nameOf(frame), caller, originalSource);
    const ms = (profile.timeDeltas[index + 1] ?? 0) / 1000;
    totals[bucket] = (totals[bucket] ?? 0) + ms;
    const key = describe(frame);
    byFrame.set(key, { bucket, ms: (byFrame.get(key)?.ms ?? 0) + ms });
  });
  delete totals["(idle)"];
  const top = [...byFrame.entries()]
    .filter(([, { bucket }]) => bucket !== "(idle)")
    .sort(([, a], [, b]) => b.ms - a.ms)
    .slice(0, topCount)
    .map(([frame, { bucket, ms }]) => ({ frame, bucket, ms }));
  return { buckets: totals, top };
}
