/** Applies the run's fast-check seed and run count (see vitest.config.ts) in every test file, Node or workerd. */
import fc from "fast-check";
import { inject } from "vitest";

const { seed, runs } = inject("fastCheck");
fc.configureGlobal({ seed, numRuns: runs });
