/** One fast-check seed and run count per test run, from FC_SEED and FC_RUNS: printed once so a failure can be replayed. */

export interface FastCheckSettings {
  seed: number;
  /** Runs per property; the reliability tests scale their heavier properties from it. */
  runs: number;
}

declare module "vitest" {
  interface ProvidedContext {
    fastCheck: FastCheckSettings;
  }
}

const DEFAULT_SEED = 20261125;
const DEFAULT_RUNS = 200;

export function fastCheckSettings(source: Record<string, string | undefined>): FastCheckSettings {
  return {
    seed: wholeNumber("FC_SEED", source.FC_SEED, DEFAULT_SEED),
    runs: wholeNumber("FC_RUNS", source.FC_RUNS, DEFAULT_RUNS),
  };
}

export function describeSettings({ seed, runs }: FastCheckSettings): string {
  return `fast-check: seed ${seed}, ${runs} runs per property (replay: FC_SEED=${seed} npm test; FC_RUNS=${runs * 10} for a soak)`;
}

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`${name} must be a whole number (got "${value}")`);
  return parsed;
}
