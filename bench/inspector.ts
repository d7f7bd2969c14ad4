/**
 * A V8 CPU profile of the Worker's isolate over the Chrome DevTools Protocol (workerd's inspector), summed by
 * self time into buckets. How a profile node gets its bucket: V8's pseudo-frames by name ("(program)" is the
 * runtime outside JavaScript: KJ event loop, HTTP, Cap'n Proto RPC, SQLite commit); native functions (no URL) by
 * name (`exec`/`one`/`toArray`/`raw` SQL, `parse`/`stringify` JSON, `log`/`info`/`warn`/`error` logging,
 * `digest`/`createHash`/`update` hashing); bundle code through its source map by the original file (zod →
 * validation, hono → routing, src/session/store.ts and the directory store → SQL, src/domain → domain, …).
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

const NATIVE_BUCKETS: Record<string, string> = {
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
};

const SOURCE_BUCKETS: [RegExp, string][] = [
  [/node_modules\/(zod|@hono\/zod-openapi|@hono\/zod-validator|@asteasolutions)\//, "validation"],
  [/node_modules\/hono\//, "routing (hono)"],
  [/src\/(session\/(store|schema|commit-log)|directory\/directory-store)\.ts$/, "SQL"],
  [/src\/(contracts\/canonical-json|session\/digest)\.ts$/, "JSON"],
  [/src\/domain\//, "domain (fold, decide)"],
  [/src\/contracts\//, "validation"],
  [/src\//, "service code (other)"],
];

function bucketOf(frame: CallFrame, originalSource: (frame: CallFrame) => string | null): string {
  if (frame.functionName === "(idle)") return "(idle)";
  if (frame.functionName === "(program)") return "runtime outside JS (program)";
  if (frame.functionName === "(garbage collector)") return "garbage collection";
  if (frame.url === "") return NATIVE_BUCKETS[frame.functionName] ?? "other native";
  const source = originalSource(frame);
  if (source === null) return "other JS";
  return SOURCE_BUCKETS.find(([pattern]) => pattern.test(source))?.[1] ?? "other JS";
}

/** Self time by bucket, in ms, idle excluded; frames of the bundle are mapped through its source map. */
export function bucketize(profile: Profile, bundle: Bundle | null): Record<string, number> {
  const map =
    bundle === null
      ? null
      : new SourceMap(JSON.parse(readFileSync(join(bundle.dir, `${bundle.mainModule}.map`), "utf8")));
  const originalSource = (frame: CallFrame): string | null => {
    if (map === null || bundle === null || !frame.url.endsWith(bundle.mainModule)) return frame.url;
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
    return "originalSource" in entry ? entry.originalSource : null;
  };
  const bucketByNode = new Map(profile.nodes.map((node) => [node.id, bucketOf(node.callFrame, originalSource)]));
  const totals: Record<string, number> = {};
  // A sample lasts until the next one: its duration is the next delta.
  profile.samples.forEach((nodeId, index) => {
    const bucket = bucketByNode.get(nodeId) ?? "other JS";
    totals[bucket] = (totals[bucket] ?? 0) + (profile.timeDeltas[index + 1] ?? 0) / 1000;
  });
  delete totals["(idle)"];
  return totals;
}
