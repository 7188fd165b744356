import { defineConfig } from 'vitest/config';

// Most runner tests play real cases over loopback TCP, with the cases' own timers (1 s close handshake,
// echo windows). On a loaded shared machine they take several times longer than on an idle one, so the
// per-test and per-hook limits are generous safety nets, not measurements.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
