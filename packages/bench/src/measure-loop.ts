/**
 * The measurement loop: an unmeasured warm-up round over every workload × target, then the measured runs
 * interleaved run → workload → target, each after a wait for a quiet machine. Processes are reached
 * through the functions passed in, so the loop can be tested without starting any.
 */
import type { JobResult, RunJobOptions } from './load/run-job.js';
import type { LoadJob } from './load/types.js';
import { formatPercent, formatValue } from './format.js';
import type { BenchRun } from './result.js';
import { isNoisy, toRun } from './summary.js';
import { unitOf, type Workload } from './workloads.js';

export interface LoopTarget {
  name: string;
  /** The job against this target, given the workload. */
  jobFor(workload: Workload): LoadJob;
  serverPid: number;
}

export interface MeasureLoopOptions {
  workloads: readonly Workload[];
  targets: readonly LoopTarget[];
  runs: number;
  /** Unmeasured seconds per workload × target before run 1; 0 skips the round. */
  warmupRoundSec: number;
  /** Per-window warm-up and duration, and the client's threads. */
  jobOptions: Omit<RunJobOptions, 'serverPid'>;
  timeoutMs: number;
  /** Longest wait for a quiet machine before a window (0: no waiting, no re-runs). */
  quietWaitMs: number;
  runJob(job: LoadJob, options: RunJobOptions, timeoutMs: number): Promise<JobResult>;
  waitForQuiet(maxWaitMs: number): Promise<unknown>;
  progress(line: string): void;
}

export interface LoopOutcome {
  /** Measured runs and failures per cell, keyed by `cellKey`. */
  runsOf: Map<string, BenchRun[]>;
  failuresOf: Map<string, string[]>;
  /** Warm-up jobs that failed or had errors (reported in progress, never counted). */
  warmupProblems: number;
}

export function cellKey(workload: string, target: string): string {
  return `${workload}\u0000${target}`;
}

export async function measureLoop(o: MeasureLoopOptions): Promise<LoopOutcome> {
  const runsOf = new Map<string, BenchRun[]>();
  const failuresOf = new Map<string, string[]>();
  let warmupProblems = 0;

  if (o.warmupRoundSec > 0) {
    // Fresh processes run unoptimised code for their first seconds: one pass over everything first.
    o.progress(`warm-up round: ${o.workloads.length * o.targets.length} jobs of ${o.warmupRoundSec} s, not measured`);
    // Nothing is measured here, so no window is held open for a count either.
    const warmupOptions = {
      ...o.jobOptions,
      warmupMs: 0,
      durationMs: o.warmupRoundSec * 1000,
      minCompleted: undefined,
    };
    const timeoutMs = o.warmupRoundSec * 1000 + 30000;
    for (const workload of o.workloads) {
      for (const target of o.targets) {
        try {
          const result = await o.runJob(
            target.jobFor(workload),
            { ...warmupOptions, serverPid: target.serverPid },
            timeoutMs,
          );
          if (result.errorCount) {
            warmupProblems++;
            o.progress(`warm-up ${workload.id} ${target.name}: ${result.errorCount} errors: ${result.errors[0]}`);
          }
        } catch (err) {
          warmupProblems++;
          o.progress(
            `warm-up ${workload.id} ${target.name}: failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      }
    }
  }

  /** One run, taken while the machine is quiet when possible, and taken again once if it was not. */
  const measureQuietly = async (workload: Workload, target: LoopTarget): Promise<BenchRun> => {
    let measured: BenchRun | undefined;
    for (let attempt = 0; attempt < (o.quietWaitMs > 0 ? 2 : 1); attempt++) {
      if (o.quietWaitMs > 0) await o.waitForQuiet(o.quietWaitMs);
      const job = await o.runJob(
        target.jobFor(workload),
        { ...o.jobOptions, serverPid: target.serverPid },
        o.timeoutMs,
      );
      measured = toRun(workload, job);
      if (!isNoisy(measured)) break;
    }
    return measured!;
  };

  for (let run = 1; run <= o.runs; run++) {
    for (const workload of o.workloads) {
      for (const target of o.targets) {
        const k = cellKey(workload.id, target.name);
        try {
          const measured = await measureQuietly(workload, target);
          append(runsOf, k, measured);
          o.progress(
            `run ${run}/${o.runs} ${workload.id} ${target.name}: ${formatValue(measured.value)} ${unitOf(workload)}` +
              `${describeWire(measured)}${describeNoise(measured)}` +
              `${measured.errorCount ? ` (${measured.errorCount} errors: ${measured.errors[0]})` : ''}`,
          );
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          append(failuresOf, k, why);
          o.progress(`run ${run}/${o.runs} ${workload.id} ${target.name}: failed: ${why}`);
        }
      }
    }
  }
  return { runsOf, failuresOf, warmupProblems };
}

function append<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function describeWire(run: BenchRun): string {
  return run.deflate ? `, wire ${formatPercent(run.deflate.wireRatio)} of the message bytes` : '';
}

function describeNoise(run: BenchRun): string {
  return isNoisy(run) ? ` (other processes used ${run.otherCpu!.toFixed(2)} cores meanwhile)` : '';
}
