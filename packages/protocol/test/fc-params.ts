/**
 * fast-check settings for this package's property tests: one seed per test file, from WSMATRIX_SEED when
 * set (to replay a failure), else random. fast-check prints the seed and path of a failure in its error
 * ("seed: N, path: …"); `WSMATRIX_SEED=N npx vitest run <file>` replays it.
 */
import type fc from 'fast-check';

function seedFromEnv(): number {
  const raw = process.env['WSMATRIX_SEED'] ?? process.env['FC_SEED'];
  if (raw === undefined || raw === '') return (Math.random() * 0x7fffffff) | 0;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`WSMATRIX_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return seed;
}

export const FC_SEED = seedFromEnv();

/** Parameters for fc.assert: the file's seed and `numRuns`. */
export function fcParams<T = unknown>(numRuns: number): fc.Parameters<T> {
  return { numRuns, seed: FC_SEED };
}

/** Vitest timeout for a property test: a generous safety net on a loaded machine, never a measurement. */
export const PROPERTY_TIMEOUT_MS = 120_000;
