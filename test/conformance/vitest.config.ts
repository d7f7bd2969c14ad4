/**
 * Config of the conformance run, for the suite's own vitest 4 (run.ts starts it): plain Node, one file, and a test
 * timeout above the service's long-poll timeout, since some cases wait one out without a timeout of their own.
 * A plain object: importing defineConfig would load the project's vitest 5.
 */
export default {
  test: {
    include: ["test/conformance/suite.test.ts"],
    environment: "node",
    fileParallelism: false,
    // Each case's line in the suite, in the JSON report: where to read a failing case.
    includeTaskLocation: true,
    testTimeout: Number(process.env.CONFORMANCE_TEST_TIMEOUT_MS ?? "10000"),
  },
};
