/**
 * Waiting for a quiet machine: between measurements nothing of ours runs, so whatever CPU the machine
 * uses then belongs to other processes. Measuring while they run would measure them.
 */
import { machineBusyMs } from './cpu.js';

const SAMPLE_MS = 200;
/** Cores other processes may use while we still call the machine quiet. */
export const QUIET_THRESHOLD = 0.1;

/** Resolves once a short sample shows the machine quiet (or /proc cannot tell), or after `maxWaitMs`. */
export async function waitForQuiet(maxWaitMs: number): Promise<void> {
  const started = performance.now();
  do {
    const before = machineBusyMs();
    const sampledAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    const after = machineBusyMs();
    if (
      before === undefined ||
      after === undefined ||
      (after - before) / (performance.now() - sampledAt) < QUIET_THRESHOLD
    )
      return;
  } while (performance.now() - started < maxWaitMs);
}
