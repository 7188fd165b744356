/**
 * fast-check settings for property tests, without importing fast-check (a plain parameters object).
 * One seed per test file: WSMATRIX_SEED=<n> replays a failure, otherwise a fresh one. Put PROPERTY_SEED
 * in the test's name so every run prints it; fast-check's failure report adds the path ("seed: …, path: …").
 */

function seedFromEnv(): number {
  const raw = process.env.WSMATRIX_SEED;
  if (raw === undefined || raw === '') return (Math.random() * 0x7fffffff) | 0;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`WSMATRIX_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return seed;
}

export const PROPERTY_SEED = seedFromEnv();

/** Parameters for fc.assert: this file's seed and `numRuns`. */
export function propertyParams(numRuns: number): { seed: number; numRuns: number } {
  return { seed: PROPERTY_SEED, numRuns };
}

/** Vitest timeout for a property test: a generous safety net on a loaded machine, never a measurement. */
export const PROPERTY_TIMEOUT_MS = 120_000;
