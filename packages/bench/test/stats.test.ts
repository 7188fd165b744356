import { describe, expect, it } from 'vitest';
import { parseCpuList, planPinning } from '../src/machine.js';
import { LatencyHistogram, median, spread } from '../src/stats.js';

describe('median and spread', () => {
  it('median of odd and even counts, unsorted input untouched', () => {
    const values = [5, 1, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('spread is (max − min) / median', () => {
    expect(spread([90, 100, 110])).toBeCloseTo(0.2);
    expect(spread([100, 100])).toBe(0);
    expect(spread([0, 0])).toBe(0);
    expect(spread([])).toBeNaN();
  });
});

/** Oracle: the exact nearest-rank percentile, the smallest value with at least p% of the values at or below it. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

describe('percentiles', () => {
  it('the histogram agrees with exact percentiles within its bucket width', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => 20 + ((i * 7919) % 5000)); // 20..5019 µs
    const h = new LatencyHistogram();
    for (const v of values) h.record(v);
    for (const p of [50, 90, 99, 99.9]) {
      const exact = percentile(values, p);
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.03);
    }
  });

  it('records counts in one call, merges, and survives the sparse round trip', () => {
    const a = new LatencyHistogram();
    a.record(100, 99);
    a.record(10_000, 1);
    const b = LatencyHistogram.fromSparse(a.toSparse());
    expect(b.total).toBe(100);
    expect(b.percentile(50)).toBeCloseTo(100, -1);
    expect(b.percentile(100)).toBeGreaterThan(9_000);
    b.merge(a);
    expect(b.total).toBe(200);
    expect(new LatencyHistogram().percentile(50)).toBeNaN();
  });
});

describe('CPU and cores', () => {
  it('parses CPU lists and plans pinning', () => {
    expect(parseCpuList('0-2,5')).toEqual([0, 1, 2, 5]);
    expect(planPinning([0, 1], true)).toMatchObject({
      pinned: true,
      serverCpus: '1',
      clientCpus: '0',
      clientThreads: 1,
    });
    expect(planPinning([0, 1, 2, 3], true)).toMatchObject({ serverCpus: '3', clientCpus: '0,1,2', clientThreads: 3 });
    expect(planPinning([0], true)).toMatchObject({ pinned: false, note: expect.stringMatching(/one core/) });
    expect(planPinning([0, 1], false)).toMatchObject({ pinned: false, note: expect.stringMatching(/taskset/) });
  });
});
