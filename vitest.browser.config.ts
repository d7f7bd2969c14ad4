import { defineConfig } from "vitest/config";

// npm run test:browser: against `wrangler dev`, one file at a time: the dashboard in headless Chromium (test/browser),
// and what must hold across a restart of the dev server (test/dev-server).
export default defineConfig({
  test: {
    name: "browser",
    include: ["test/browser/**/*.test.ts", "test/dev-server/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ["default", ["json", { outputFile: ".ci/browser-results.json" }]] : ["default"],
  },
});
