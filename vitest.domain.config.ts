import { defineConfig } from "vitest/config";
import { describeSettings, fastCheckSettings } from "./test/support/fast-check.ts";

// Only the plain-Node `domain` project of vitest.config.ts, for the mutation run (`npm run mutate`): no workerd.
const fastCheck = fastCheckSettings(process.env);
console.info(describeSettings(fastCheck));

export default defineConfig({
  test: {
    name: "domain",
    include: ["test/domain/**/*.test.ts"],
    environment: "node",
    provide: { fastCheck },
    setupFiles: ["./test/support/fast-check-setup.ts"],
  },
});
