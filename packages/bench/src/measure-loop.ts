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
  /** Undefined for a server the benchmark did not start (a URL): its CPU is not measured. */
  serverPid: number | undefined;
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
  const outcome: LoopOutcome = { runsOf: new Map(), failuresOf: new Map(), warmupProblems: 0 };
  const runJob = (workload: Workload, target: LoopTarget, options: typeof o.jobOptions, timeoutMs: number) =>
    o.runJob(target.jobFor(workload), { ...options, serverPid: target.serverPid }, timeoutMs);
  // Nothing is measured in the warm-up round, so no window is held open for a count either.
  const warmup = { ...o.jobOptions, warmupMs: 0, durationMs: o.warmupRoundSec * 1000, minCompleted: undefined };

  /** One run, taken while the machine is quiet when possible, and taken again once if it was not. */
  const measureQuietly = async (workload: Workload, target: LoopTarget): Promise<BenchRun> => {
    let measured: BenchRun | undefined;
    for (let attempt = 0; attempt < (o.quietWaitMs > 0 ? 2 : 1); attempt++) {
      if (o.quietWaitMs > 0) await o.waitForQuiet(o.quietWaitMs);
      measured = toRun(workload, await runJob(workload, target, o.jobOptions, o.timeoutMs));
      if (!isNoisy(measured)) break;
    }
    return measured!;
  };

  // Run 0 is the warm-up round: fresh processes run unoptimised code for their first seconds, so one
  // unmeasured pass over everything comes first.
  if (o.warmupRoundSec > 0) {
    o.progress(`warm-up round: ${o.workloads.length * o.targets.length} jobs of ${o.warmupRoundSec} s, not measured`);
  }
  for (let run = o.warmupRoundSec > 0 ? 0 : 1; run <= o.runs; run++) {
    for (const workload of o.workloads) {
      for (const target of o.targets) {
        const what = `${run === 0 ? 'warm-up' : `run ${run}/${o.runs}`} ${workload.id} ${target.name}`;
        const k = cellKey(workload.id, target.name);
        try {
          if (run === 0) {
            const job = await runJob(workload, target, warmup, o.warmupRoundSec * 1000 + 30000);
            if (job.errorCount) throw new Error(`${job.errorCount} errors: ${job.errors[0]}`);
            continue;
          }
          const measured = await measureQuietly(workload, target);
          append(outcome.runsOf, k, measured);
          o.progress(`${what}: ${formatValue(measured.value)} ${unitOf(workload)}${describeRun(measured)}`);
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          if (run === 0) outcome.warmupProblems++;
          else append(outcome.failuresOf, k, why);
          o.progress(`${what}: failed: ${why}`);
        }
      }
    }
  }
  return outcome;
}

function append<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** What a run's progress line says after its figure: compression, noise, errors. */
function describeRun(run: BenchRun): string {
  const wire = run.deflate ? `, wire ${formatPercent(run.deflate.wireRatio)} of the message bytes` : '';
  const noise = isNoisy(run) ? ` (other processes used ${run.otherCpu!.toFixed(2)} cores meanwhile)` : '';
  return `${wire}${noise}${run.errorCount ? ` (${run.errorCount} errors: ${run.errors[0]})` : ''}`;
}
