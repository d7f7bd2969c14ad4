/** Starts `wrangler dev` (workerd with its real SQLite storage, behind wrangler's proxy) on loopback, and stops it. */
import { spawn } from "node:child_process";
import { join } from "node:path";

export interface RunningWorker {
  /** `dev`: through wrangler dev's proxy; `direct`: workerd's own socket, started through Miniflare. */
  path: "dev" | "direct";
  /** Where the bench sends requests: wrangler's proxy, or workerd's own socket. */
  origin: string;
  /** The process the workerd processes run under (wrangler's, or this one for Miniflare). */
  rootPid: number;
  /** The Chrome DevTools Protocol endpoint of the Worker's isolate, if known. */
  inspectorUrl: () => Promise<string | null>;
  stop: () => Promise<void>;
}

export interface WorkerOptions {
  configPath: string;
  port: number;
  inspectorPort: number;
  stateDir: string;
  env?: Record<string, string>;
}

/** wrangler's own entry, run by this Node (24): `npx` would pick whatever Node is first on PATH. */
export const wranglerBin = join(import.meta.dirname, "..", "node_modules", "wrangler", "bin", "wrangler.js");

export async function startWranglerDev({
  configPath,
  port,
  inspectorPort,
  stateDir,
  env = {},
}: WorkerOptions): Promise<RunningWorker> {
  const args = [wranglerBin, "dev", "-c", configPath, "--ip", "127.0.0.1", "--port", String(port)];
  args.push("--persist-to", stateDir, "--log-level", "warn", "--inspector-port", String(inspectorPort));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "ignore", "inherit"],
    // Its own process group, so stopping it also stops the workerd processes it started.
    detached: true,
  });
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  const kill = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  process.once("exit", kill);
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilServing(origin, 90_000, () => exited);
  return {
    path: "dev",
    origin,
    rootPid: child.pid ?? 0,
    // wrangler's inspector proxy serves the user Worker's isolate under the same CDP endpoints as workerd.
    inspectorUrl: () => firstInspectorTarget(inspectorPort),
    stop: async () => {
      kill();
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    },
  };
}

/** The webSocketDebuggerUrl of the inspector's user Worker (workerd names it `core:user:<name>`). */
export async function firstInspectorTarget(inspectorPort: number, name?: string): Promise<string | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${inspectorPort}/json/list`);
    const targets = (await response.json()) as { id: string; webSocketDebuggerUrl: string }[];
    const user = targets.filter((target) => (name === undefined ? true : target.id === `core:user:${name}`));
    return user[0]?.webSocketDebuggerUrl ?? null;
  } catch {
    return null;
  }
}

export async function waitUntilServing(origin: string, timeoutMs: number, hasExited: () => boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (hasExited()) throw new Error(`wrangler dev exited before serving ${origin} (its errors are above)`);
    try {
      const response = await fetch(origin, { method: "HEAD" });
      await response.body?.cancel();
      return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not serve ${origin} within ${timeoutMs / 1000} s`);
}
