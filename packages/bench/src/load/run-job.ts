/**
 * Runs one load job in this process: splits it over threads, opens everything, then starts traffic,
 * warm-up first, and reads client and server CPU at the edges of the measured window.
 */
import { machineBusyMs, ownCpuMs, processTreeCpuMs } from '../cpu.js';
import { LatencyHistogram } from '../stats.js';
import { createShare, splitUnits, unitsOf } from './create-share.js';
import { ThreadShare } from './thread-share.js';
import { absNow, type DeflateTally, type LoadJob, type LoadShare, type MeasureWindow, sleepUntil } from './types.js';

export interface RunJobOptions {
  warmupMs: number;
  durationMs: number;
  /** Threads to spread connections over; 1 runs everything in this thread. */
  threads: number;
  /** The server's process id, to read from /proc the CPU of it and of what it started (an external target). */
  serverPid?: number;
  /**
   * Hold the window open past `durationMs` until this many messages or connections completed in it
   * (split over the threads), at most `maxHoldMs` more. CPU figures keep covering the planned window.
   */
  minCompleted?: number;
  /** Default DEFAULT_MAX_HOLD_MS. */
  maxHoldMs?: number;
}

/** How long past its planned end a window is held open, at most, for `minCompleted`. */
export const DEFAULT_MAX_HOLD_MS = 20_000;

export interface JobResult {
  /** Completed messages or connections in the window. */
  completed: number;
  payloadBytes: number;
  sent: number;
  received: number;
  /** Length of the measured window. */
  elapsedMs: number;
  latency: [number, number][];
  /** CPU used inside the window, in milliseconds; server undefined when it could not be read. */
  clientCpuMs: number;
  serverCpuMs: number | undefined;
  /** CPU the whole machine used inside the window (every process), when readable. */
  machineCpuMs: number | undefined;
  /** Wall time between the two CPU readings, to turn CPU ms into cores. */
  cpuWallMs: number;
  threads: number;
  errorCount: number;
  errors: string[];
  /** Deflate echo jobs only: compression seen over the whole job, all threads together. */
  deflate?: DeflateTally;
}

/** CPU used so far, in ms: ours, the server's and the whole machine's (undefined where /proc cannot tell). */
function readCpu(serverPid: number | undefined) {
  const server = serverPid === undefined ? undefined : (processTreeCpuMs(serverPid) ?? undefined);
  return { at: absNow(), client: ownCpuMs(), server, machine: machineBusyMs() };
}
type CpuReading = ReturnType<typeof readCpu>;

export async function runJob(job: LoadJob, opts: RunJobOptions): Promise<JobResult> {
  const units = splitUnits(unitsOf(job), opts.threads);
  const shares: LoadShare[] = units.map((n) => (units.length === 1 ? createShare(job, n) : new ThreadShare(job, n)));
  await Promise.all(shares.map((s) => s.prepare()));

  const start = absNow() + opts.warmupMs;
  const end = start + opts.durationMs;
  const { minCompleted, maxHoldMs = DEFAULT_MAX_HOLD_MS } = opts;
  // Each share holds its window open for its part of the count.
  const extend = minCompleted ? { completed: Math.ceil(minCompleted / shares.length), latest: end + maxHoldMs } : null;
  const window: MeasureWindow = extend ? { start, end, extend } : { start, end };
  const readings = [window.start, window.end].map((t) => sleepUntil(t).then(() => readCpu(opts.serverPid)));
  const results = await Promise.all(shares.map((s) => s.run(window)));
  const [before, after] = (await Promise.all(readings)) as [CpuReading, CpuReading];
  const used = (pick: (r: CpuReading) => number | undefined): number | undefined => {
    const [a, b] = [pick(before), pick(after)];
    return a === undefined || b === undefined ? undefined : b - a;
  };

  const latency = new LatencyHistogram();
  for (const r of results) latency.merge(LatencyHistogram.fromSparse(r.latency));
  const sum = <T>(items: readonly T[], pick: (item: T) => number): number => items.reduce((a, r) => a + pick(r), 0);
  // Every share sends the same message: its sizes are taken from the first, the replies summed.
  const tallies = results.flatMap((r) => (r.deflate ? [r.deflate] : []));
  const deflate: DeflateTally | undefined = tallies[0] && {
    ...tallies[0],
    replies: sum(tallies, (t) => t.replies),
    compressedReplies: sum(tallies, (t) => t.compressedReplies),
    replyWireBytes: sum(tallies, (t) => t.replyWireBytes),
  };
  return {
    completed: sum(results, (r) => r.completed),
    payloadBytes: sum(results, (r) => r.payloadBytes),
    sent: sum(results, (r) => r.sent),
    received: sum(results, (r) => r.received),
    elapsedMs: Math.max(...results.map((r) => r.windowEnd)) - window.start,
    latency: latency.toSparse(),
    clientCpuMs: after.client - before.client,
    serverCpuMs: used((r) => r.server),
    machineCpuMs: used((r) => r.machine),
    cpuWallMs: after.at - before.at,
    threads: shares.length,
    errorCount: sum(results, (r) => r.errorCount),
    errors: results.flatMap((r) => r.errors).slice(0, 5),
    ...(deflate ? { deflate } : {}),
  };
}
