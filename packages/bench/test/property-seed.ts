/**
 * One fast-check seed per test run: WSMATRIX_SEED=<n> replays a failure, otherwise a fresh seed. It is
 * in the names of the property tests and in fast-check's failure report ("seed: …, path: …").
 */
function seedFromEnv(): number {
  const raw = process.env['WSMATRIX_SEED'];
  if (raw === undefined || raw === '') return (Math.random() * 2 ** 31) | 0;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`WSMATRIX_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return seed;
}

export const SEED = seedFromEnv();

/** fast-check parameters: the run's seed and `numRuns`. */
export function propertyParams(numRuns: number): { seed: number; numRuns: number } {
  return { seed: SEED, numRuns };
}
