/** The machine-speed probe: the same work on every call, and the normalisation arithmetic. */
import { describe, expect, it } from 'vitest';
import { computeWork, normalize, PROBE_REFERENCE_MS, PROBE_WORK, runProbe } from '../src/probe.js';
import type { RunProbe } from '../src/result.js';
import { appliedProbeMs, summarizeCell, summarizeProbes, toRun } from '../src/summary.js';
import type { JobResult } from '../src/load/run-job.js';
import { selectWorkloads } from '../src/workloads.js';

describe('probe work', () => {
  it('is the same work on every call: same checksum, every time', async () => {
    const first = computeWork();
    for (let i = 0; i < 3; i++) expect(computeWork()).toBe(first);
    const a = await runProbe();
    const b = await runProbe();
    expect(a.checksum).toBe(first);
    expect(b.checksum).toBe(first);
    expect(a.ms).toBeCloseTo(a.computeMs + a.kernelMs, 9);
    expect(a.kernelMs).toBeGreaterThan(0);
  }, 30_000);
  it('depends on the work asked for, not on anything else', () => {
    const smaller = { ...PROBE_WORK, mixIterations: 1000 };
    expect(computeWork(smaller)).toBe(computeWork(smaller));
    expect(computeWork(smaller)).not.toBe(computeWork());
  });
  it('the default work is frozen', () => {
    expect(Object.isFrozen(PROBE_WORK)).toBe(true);
  });
});

describe('normalisation', () => {
  it('value × probe ms ÷ reference ms', () => {
    expect(normalize(1000, PROBE_REFERENCE_MS)).toBe(1000);
    expect(normalize(1000, PROBE_REFERENCE_MS * 1.5)).toBeCloseTo(1500);
    expect(normalize(500, 10, 20)).toBe(250);
  });
  it('no probe, no figure', () => {
    expect(normalize(1000, undefined)).toBeNull();
    expect(normalize(1000, null)).toBeNull();
    expect(normalize(1000, 0)).toBeNull();
    expect(normalize(NaN, 10)).toBeNull();
  });
  it('a run applies the mean of the server and client probes', () => {
    const probe: RunProbe = { serverMs: 24, clientMs: 16 };
    expect(appliedProbeMs(probe)).toBe(20);
    const job: JobResult = {
      completed: 2000, payloadBytes: 64000, sent: 2000, received: 2000, elapsedMs: 1000, latency: [],
      clientCpuMs: 500, serverCpuMs: 900, machineCpuMs: 1400, cpuWallMs: 1000, threads: 1, errorCount: 0, errors: [],
    };
    const [small] = selectWorkloads(['small-c16-f32']);
    const run = toRun(small!, job, { serverMs: 30, clientMs: 20 });
    expect(run.value).toBe(2000);
    expect(run.probe).toEqual({ serverMs: 30, clientMs: 20 });
    expect(run.normalized).toBeCloseTo((2000 * 25) / PROBE_REFERENCE_MS);
    const plain = toRun(small!, job);
    expect(plain).not.toHaveProperty('probe');
    expect(plain).not.toHaveProperty('normalized');
  });
  it('a cell takes the median of its normalised runs and the spread of its probes; a summary the range per CPU', () => {
    const [small] = selectWorkloads(['small-c16-f32']);
    const job = (completed: number): JobResult => ({
      completed, payloadBytes: 0, sent: completed, received: completed, elapsedMs: 1000, latency: [],
      clientCpuMs: 0, serverCpuMs: 0, machineCpuMs: 0, cpuWallMs: 1000, threads: 1, errorCount: 0, errors: [],
    });
    // A machine twice as slow halves the figure; normalised, the three runs agree.
    const runs = [
      toRun(small!, job(1000), { serverMs: 20, clientMs: 20 }),
      toRun(small!, job(500), { serverMs: 40, clientMs: 40 }),
      toRun(small!, job(800), { serverMs: 25, clientMs: 25 }),
    ];
    const cell = summarizeCell(small!, 'core', runs, [], 1);
    expect(cell.median).toBe(800);
    expect(cell.normalizedMedian).toBeCloseTo(1000 * (20 / PROBE_REFERENCE_MS));
    expect(cell.probeSpread).toBeCloseTo((40 - 20) / 25);
    const summary = summarizeProbes(runs)!;
    expect(summary.serverMs).toEqual({ min: 20, median: 25, max: 40 });
    expect(summary.moved).toBeCloseTo(1);
    expect([summary.windows, summary.quietOnly]).toEqual([3, true]);
    // A window with other processes busy is left out while there are quiet ones: its probe measured them.
    const noisy = { ...toRun(small!, job(100), { serverMs: 90, clientMs: 90 }), otherCpu: 0.8 };
    expect(summarizeProbes([...runs, noisy])).toEqual(summary);
    expect(summarizeProbes([noisy])).toMatchObject({ windows: 1, quietOnly: false, moved: 0 });
    expect(summarizeProbes([toRun(small!, job(1))])).toBeUndefined();
    expect(summarizeCell(small!, 'core', [toRun(small!, job(1))], [], 1)).not.toHaveProperty('normalizedMedian');
  });
});
