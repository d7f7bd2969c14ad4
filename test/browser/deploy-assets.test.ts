/**
 * What a deploy would upload as the dashboard's assets, built by the command `.ci/run` uses (`wrangler deploy
 * --dry-run`, which runs the [build] step as a deploy does): no source map, so the page's full source stays private.
 * Here rather than in `npm test`, whose Worker tests read dist/dashboard while this rebuilds it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const ASSETS = join(ROOT, "dist", "dashboard");

it("builds the deployed dashboard without source maps or a link to one", async () => {
  const outdir = mkdtempSync(join(tmpdir(), "deploy-dry-run-"));
  try {
    await run(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", outdir]);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  const files = readdirSync(ASSETS);
  expect(files).toContain("app.js");
  expect(files.filter((file) => file.endsWith(".map"))).toEqual([]);
  for (const file of ["app.js", "styles.css"]) {
    expect({ file, linksAMap: readFileSync(join(ASSETS, file), "utf8").includes("sourceMappingURL") }).toEqual({
      file,
      linksAMap: false,
    });
  }
});

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let errors = "";
    child.stderr.on("data", (chunk) => {
      errors += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`wrangler deploy --dry-run exited ${code}: ${errors}`)),
    );
  });
}
