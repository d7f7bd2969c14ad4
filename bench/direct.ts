/**
 * Runs a Worker straight on workerd through Miniflare's API, without `wrangler dev`'s proxy: the same bundle
 * `wrangler deploy --dry-run` builds, the same workerd binary as wrangler's, SQLite-backed Durable Objects
 * persisted to disk. The difference from the `wrangler dev` figures is the proxy's share.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";
import type { StorageCounts } from "../src/contracts/storage-counts.ts";
import { sessionObjectName } from "../src/session/session-key.ts";
import type { CountReader } from "./storage-rows.ts";
import { firstInspectorTarget, type RunningWorker, wranglerBin } from "./wrangler-dev.ts";

/** The tenant the bench's API token belongs to (API_TOKENS in scenarios.ts). */
const BENCH_TENANT = "bench";

interface Counted {
  storageCounts(): Promise<StorageCounts>;
}

export interface Bundle {
  dir: string;
  mainModule: string;
  remove: () => void;
}

/** `wrangler deploy --dry-run --outdir`: the bundle a deploy would upload (minified, with its source map). */
export function buildBundle(configPath: string): Bundle {
  const dir = mkdtempSync(join(tmpdir(), "ps-bundle-"));
  execFileSync(process.execPath, [wranglerBin, "deploy", "--dry-run", "-c", configPath, "--outdir", dir], {
    stdio: "ignore",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  const mainModule = readdirSync(dir).find((file) => file.endsWith(".js"));
  if (mainModule === undefined) throw new Error(`wrangler deploy --dry-run wrote no .js file to ${dir}`);
  return { dir, mainModule, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface DirectOptions {
  configPath: string;
  port: number;
  inspectorPort: number;
  stateDir: string;
  /** Secrets and overrides, like `wrangler dev` reads them from the environment. */
  bindings?: Record<string, string>;
}

/** wrangler's workerd, not the older one beside the hoisted miniflare: both paths run the same runtime. */
function useWranglersWorkerd(): void {
  const fromWrangler = createRequire(wranglerBin);
  process.env.MINIFLARE_WORKERD_PATH ??= join(dirname(fromWrangler.resolve("workerd/package.json")), "bin", "workerd");
}

export async function startDirect(
  options: DirectOptions,
): Promise<RunningWorker & { bundle: Bundle; counts: CountReader }> {
  useWranglersWorkerd();
  const config = unstable_readConfig({ config: options.configPath });
  const bundle = buildBundle(options.configPath);
  const durableObjects = Object.fromEntries(
    config.durable_objects.bindings.map((binding: { name: string; class_name: string }) => [
      binding.name,
      { className: binding.class_name, useSQLite: true },
    ]),
  );
  const vars = Object.fromEntries(
    Object.entries(config.vars).map(([name, value]) => [
      name,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: options.port,
      inspectorPort: options.inspectorPort,
      name: config.name ?? "worker",
      modules: true,
      modulesRoot: bundle.dir,
      scriptPath: join(bundle.dir, bundle.mainModule),
      compatibilityDate: config.compatibility_date ?? "2026-11-01",
      compatibilityFlags: config.compatibility_flags,
      durableObjects,
      bindings: { ...vars, ...options.bindings },
      resourcePersistencePath: options.stateDir,
      logRequests: false,
      // The Worker's log lines are still written by workerd (that cost stays measured); Node drops them.
      handleStructuredLogs: () => {},
    }),
  );
  const url = await mf.ready;
  return {
    path: "direct",
    origin: url.origin,
    rootPid: process.pid,
    bundle,
    inspectorUrl: () => firstInspectorTarget(options.inspectorPort, config.name),
    counts: {
      session: async (threadId) => {
        const namespace = await mf.getDurableObjectNamespace("SESSIONS");
        const stub = namespace.get(
          namespace.idFromName(sessionObjectName({ tenant: BENCH_TENANT, threadId })),
        ) as unknown as Counted;
        return stub.storageCounts();
      },
      directory: async () => {
        const namespace = await mf.getDurableObjectNamespace("DIRECTORY");
        return (namespace.get(namespace.idFromName(BENCH_TENANT)) as unknown as Counted).storageCounts();
      },
    },
    stop: async () => {
      await mf.dispose();
      bundle.remove();
    },
  };
}
