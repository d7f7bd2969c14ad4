/**
 * `wrangler dev` for the browser tests, as `npm run dev` runs it (token `dev-token`, a read-token secret), on free
 * ports with a fresh state directory. `restart()` stops it and starts it again on the same port and state, which
 * drops every open connection: the dashboard must notice, and catch up.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const API_TOKEN = "dev-token";

export interface DevServer {
  origin: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const WRANGLER = join(import.meta.dirname, "..", "..", "..", "node_modules", "wrangler", "bin", "wrangler.js");

/** `vars`: more variables for the Worker, as `wrangler dev --var NAME:value` sets them. */
export async function startDevServer({ vars = {} }: { vars?: Record<string, string> } = {}): Promise<DevServer> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "dashboard-browser-"));
  const origin = `http://127.0.0.1:${port}`;
  let child = await launch(port, inspectorPort, stateDir, origin, vars);
  return {
    origin,
    async restart() {
      await stopProcess(child);
      child = await launch(port, inspectorPort, stateDir, origin, vars);
    },
    async stop() {
      await stopProcess(child);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

async function launch(
  port: number,
  inspectorPort: number,
  stateDir: string,
  origin: string,
  vars: Record<string, string>,
): Promise<ChildProcess> {
  const args = [
    WRANGLER,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
  ];
  args.push("--persist-to", stateDir, "--log-level", "warn", "--show-interactive-dev-session=false");
  args.push("--var", "READ_TOKEN_SECRET:browser-test-read-token-secret-of-32-characters");
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      API_TOKENS: `local:${API_TOKEN}`,
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_SEND_METRICS: "false",
    },
    stdio: ["ignore", "ignore", "inherit"],
    // Its own process group, so stopping it also stops the workerd processes it started.
    detached: true,
  });
  await waitForHealth(origin, child);
  return child;
}

async function waitForHealth(origin: string, child: ChildProcess): Promise<void> {
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}) before serving ${origin}`);
    try {
      const response = await fetch(`${origin}/healthz`);
      if (response.ok) return;
      await response.body?.cancel();
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`wrangler dev did not serve ${origin}/healthz within 90 s`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), name);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
  // workerd children may outlive wrangler by a moment: make sure the group is gone before the port is reused.
  signal("SIGKILL");
}

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
