import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { describeSettings, fastCheckSettings } from "./test/support/fast-check.ts";
import { TEST_READ_TOKEN_SECRET, TEST_TOKENS, TEST_WEBHOOK_SECRET } from "./test/support/test-config.ts";

// wrangler reads declared secrets from the environment; the test bindings below set the values used.
process.env.API_TOKENS ??= TEST_TOKENS;

// One seed for every property of the run, printed once (this file is loaded twice); both projects inject it.
const fastCheck = fastCheckSettings(process.env);
if (process.env.FC_SETTINGS_PRINTED === undefined) console.info(describeSettings(fastCheck));
process.env.FC_SETTINGS_PRINTED = "1";
const fastCheckSetup = { provide: { fastCheck }, setupFiles: ["./test/support/fast-check-setup.ts"] };

export default defineConfig({
  test: {
    // The object's structured log lines (one per batch) are not echoed into the test report.
    onConsoleLog: (log) => !log.includes('"message":"'),
    // CI also writes a JSON report, from which .ci/run prints one plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", ["json", { outputFile: ".ci/test-results.json" }]] : ["default"],
    projects: [
      {
        test: {
          name: "domain",
          include: ["test/domain/**/*.test.ts", "test/bridge/**/*.test.ts", "test/dashboard/**/*.test.ts"],
          environment: "node",
          ...fastCheckSetup,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                API_TOKENS: TEST_TOKENS,
                WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
                READ_TOKEN_SECRET: TEST_READ_TOKEN_SECRET,
                WEBHOOK_URL: `${inject<string>("webhookReceiverUrl")}/hooks/reap`,
                WEBHOOK_RECEIVER: inject<string>("webhookReceiverUrl"),
                // A session costing $1 or more sends usage.threshold (test/session/usage-threshold.test.ts).
                USAGE_ALERT_USD: "1",
                // A tenant's day costing $100 or more sends usage.threshold (test/session/usage-threshold.test.ts).
                TENANT_DAILY_ALERT_USD: "100",
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: [
            "test/session/**/*.test.ts",
            "test/live/**/*.test.ts",
            "test/http/**/*.test.ts",
            "test/reliability/**/*.test.ts",
            "test/client/**/*.test.ts",
            "test/cli/**/*.test.ts",
          ],
          globalSetup: ["./test/support/webhook-receiver.ts"],
          ...fastCheckSetup,
        },
      },
    ],
  },
});
