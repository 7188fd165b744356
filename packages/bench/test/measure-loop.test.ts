/** The measurement loop without processes: the warm-up round is run but never counted. */
import { describe, expect, it } from 'vitest';
import type { JobResult, RunJobOptions } from '../src/load/run-job.js';
import type { LoadJob } from '../src/load/types.js';
import { cellKey, measureLoop, type LoopTarget } from '../src/measure-loop.js';
import { selectWorkloads, type Workload } from '../src/workloads.js';

function jobResult(completed: number, errorCount = 0): JobResult {
  return {
    completed,
    payloadBytes: 0,
    sent: completed,
    received: completed,
    elapsedMs: 1000,
    latency: [],
    clientCpuMs: 100,
    serverCpuMs: 100,
    machineCpuMs: 200,
    cpuWallMs: 1000,
    threads: 1,
    errorCount,
    errors: errorCount ? ['boom'] : [],
  };
}

function targets(names: string[]): LoopTarget[] {
  return names.map((name, i) => ({
    name,
    serverPid: 100 + i,
    jobFor: (workload: Workload): LoadJob => ({ workload, host: '127.0.0.1', port: 9000 + i, protocol: 'ws' }),
  }));
}

describe('measureLoop', () => {
  it('runs one unmeasured warm-up job per workload × target first; only the measured runs count', async () => {
    const workloads = selectWorkloads(['handshake-l1', 'small-c1-f1']);
    const calls: Array<{ port: number; durationMs: number; warmupMs: number }> = [];
    const progress: string[] = [];
    const outcome = await measureLoop({
      workloads,
      targets: targets(['core', 'ws']),
      runs: 3,
      warmupRoundSec: 1.5,
      jobOptions: { warmupMs: 200, durationMs: 2000, threads: 1 },
      timeoutMs: 10000,
      quietWaitMs: 0,
      async runJob(job: LoadJob, options: RunJobOptions) {
        calls.push({ port: job.port, durationMs: options.durationMs, warmupMs: options.warmupMs });
        // Warm-up jobs would drag every median down if they were counted.
        return options.durationMs === 1500
          ? jobResult(1, job.port === 9001 && job.workload.id === 'small-c1-f1' ? 3 : 0)
          : jobResult(5000);
      },
      waitForQuiet: async () => {},
      progress: (line) => progress.push(line),
    });
    expect(calls.slice(0, 4).map((c) => [c.durationMs, c.warmupMs])).toEqual(Array(4).fill([1500, 0]));
    expect(calls.slice(4).every((c) => c.durationMs === 2000 && c.warmupMs === 200)).toBe(true);
    expect(calls).toHaveLength(4 + 3 * 4);
    for (const w of workloads) {
      for (const t of ['core', 'ws']) {
        const runs = outcome.runsOf.get(cellKey(w.id, t))!;
        expect(runs.map((r) => r.value)).toEqual([5000, 5000, 5000]);
      }
    }
    expect(outcome.warmupProblems).toBe(1);
    expect(progress).toContain('warm-up small-c1-f1 ws: failed: 3 errors: boom');
  });

  it('0 s skips the warm-up round; a failing warm-up job is reported, not counted', async () => {
    const [workload] = selectWorkloads(['small-c1-f1']);
    const progress: string[] = [];
    let jobs = 0;
    const options = {
      workloads: [workload!],
      targets: targets(['core']),
      runs: 2,
      jobOptions: { warmupMs: 100, durationMs: 1000, threads: 1 },
      timeoutMs: 10000,
      quietWaitMs: 0,
      waitForQuiet: async () => {},
      progress: (line: string) => progress.push(line),
    };
    const skipped = await measureLoop({
      ...options,
      warmupRoundSec: 0,
      runJob: async () => {
        jobs++;
        return jobResult(10);
      },
    });
    expect(jobs).toBe(2);
    expect(skipped.runsOf.get(cellKey(workload!.id, 'core'))!.map((r) => r.value)).toEqual([10, 10]);
    expect(progress.some((l) => l.startsWith('warm-up'))).toBe(false);

    const failing = await measureLoop({
      ...options,
      warmupRoundSec: 1,
      runJob: async (_job, o) => {
        if (o.warmupMs === 0) throw new Error('refused');
        return jobResult(10);
      },
    });
    expect(progress).toContain('warm-up small-c1-f1 core: failed: refused');
    expect(failing.failuresOf.size).toBe(0);
    expect(failing.runsOf.get(cellKey(workload!.id, 'core'))!).toHaveLength(2);
  });
});
