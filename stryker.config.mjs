// Mutation testing of the pure domain (`npm run mutate`): too slow for CI, its score is in docs/reliability.md
// ("Mutation testing").
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  // Only the plain-Node `domain` project: the workerd project neither covers src/domain directly nor runs fast.
  vitest: { configFile: "vitest.domain.config.ts", related: false },
  mutate: ["src/domain/**/*.ts"],
  coverageAnalysis: "perTest",
  // The machine has 2 cores shared with other test runs.
  concurrency: 2,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // Stryker rewrites tsconfig.json's `extends`/`references` for its sandbox with the TypeScript JS API, which
  // TypeScript 7 no longer has; ours points nowhere outside the project, so there is nothing to rewrite.
  tsconfigFile: "",
  tempDirName: ".stryker-tmp",
};
