/** Starts `wrangler dev` (workerd with its real SQLite storage) on loopback for the bench, and stops it. */
import { spawn } from "node:child_process";

export interface RunningWorker {
  origin: string;
  stop: () => void;
}

export interface WorkerOptions {
  configPath: string;
  port: number;
  stateDir: string;
  env?: Record<string, string>;
}

export async function startWranglerDev({
  configPath,
  port,
  stateDir,
  env = {},
}: WorkerOptions): Promise<RunningWorker> {
  const args = ["wrangler", "dev", "-c", configPath, "--ip", "127.0.0.1", "--port", String(port)];
  args.push("--persist-to", stateDir, "--log-level", "warn", "--inspector-port", String(port + 1000));
  const child = spawn("npx", args, {
    env: { ...process.env, ...env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "ignore", "inherit"],
    // Its own process group, so stopping it also stops the workerd processes it started.
    detached: true,
  });
  const stop = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  process.once("exit", stop);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilServing(origin, 90_000, () => exited);
  return { origin, stop };
}

async function waitUntilServing(origin: string, timeoutMs: number, hasExited: () => boolean): Promise<void> {
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
