/**
 * Builds the dashboard (src/dashboard) into dist/dashboard, the Worker's static assets: one JavaScript bundle, one
 * stylesheet, the page and its headers. wrangler runs it before `dev` and `deploy` ([build] in wrangler.toml), and
 * `npm test` before the suite, since the test runtime reads the same assets directory. Only `wrangler dev` gets source
 * maps: every file here is public once deployed, and a map holds the page's whole source.
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
const source = join(root, "src", "dashboard");
const output = join(root, "dist", "dashboard");

rmSync(output, { recursive: true, force: true });
mkdirSync(output, { recursive: true });

// wrangler names its command to the [build] step in WRANGLER_COMMAND ("dev", "deploy", "versions upload", "types");
// anything but "dev", or no wrangler at all, builds without maps, so a deploy cannot ship one by mistake.
const sourcemap = process.env.WRANGLER_COMMAND === "dev" ? "linked" : false;

const result = await build({
  entryPoints: [
    { in: join(source, "main.ts"), out: "app" },
    { in: join(source, "styles.css"), out: "styles" },
  ],
  outdir: output,
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap,
  metafile: true,
  logLevel: "warning",
});

// The page reuses the typed client, which imports only types from src/contracts: zod must not follow it in.
const bundled = Object.keys(result.metafile.inputs).filter((input) => input.includes("node_modules"));
if (bundled.length > 0) throw new Error(`the dashboard bundle pulled in packages: ${bundled.join(", ")}`);

for (const file of ["index.html", "_headers"]) copyFileSync(join(source, file), join(output, file));
