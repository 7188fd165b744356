/**
 * Waiting for a quiet machine: between measurements nothing of ours runs, so whatever CPU the machine
 * uses then belongs to other processes. Measuring while they run would measure them.
 */
import { machineBusyMs } from './cpu.js';

const SAMPLE_MS = 200;
/** Cores other processes may use while we still call the machine quiet. */
export const QUIET_THRESHOLD = 0.1;

/** Busy cores of the whole machine over one short sample; undefined without /proc. */
export async function sampleBusyCores(ms = SAMPLE_MS): Promise<number | undefined> {
  const before = machineBusyMs();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineBusyMs();
  if (before === undefined || after === undefined) return undefined;
  return (after - before) / (performance.now() - started);
}

/** Resolves once a sample shows the machine quiet, or after `maxWaitMs`; says how long it waited and how busy it was. */
export async function waitForQuiet(maxWaitMs: number): Promise<{ waitedMs: number; busyCores: number | undefined }> {
  const started = performance.now();
  let busyCores: number | undefined;
  do {
    busyCores = await sampleBusyCores();
    if (busyCores === undefined || busyCores < QUIET_THRESHOLD) break;
  } while (performance.now() - started < maxWaitMs);
  return { waitedMs: performance.now() - started, busyCores };
}
