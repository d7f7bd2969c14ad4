import { defineConfig } from "vitest/config";

// npm run test:browser: the dashboard in headless Chromium against `wrangler dev` (test/browser), one file at a time.
export default defineConfig({
  test: {
    name: "browser",
    include: ["test/browser/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ["default", ["json", { outputFile: ".ci/browser-results.json" }]] : ["default"],
  },
});
