import { defineConfig } from 'vitest/config';

// Per-test and hook timeouts are safety nets against hangs on a loaded machine, never measurements.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
