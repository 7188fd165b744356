import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Every package's tests import the other workspace packages from their TypeScript sources, through the
 * `@wsmatrix/source` export condition (installed packages resolve to dist/). Per-test and hook timeouts
 * are safety nets against hangs on a loaded machine, never measurements.
 */
export const sharedConfig = defineConfig({
  resolve: { conditions: ['@wsmatrix/source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['@wsmatrix/source', ...defaultServerConditions] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
