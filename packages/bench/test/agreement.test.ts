/** Agreement of medians across results: the bar a benchmark must clear to be repeatable. */
import { describe, expect, it } from 'vitest';
import { compareMedians, formatAgreement } from '../src/agreement.js';
import type { BenchResult } from '../src/result.js';

/** A result with only what compareMedians reads: cells with a workload, target, unit and median. */
function result(medians: Record<string, number | null>): BenchResult {
  const cells = Object.entries(medians).map(([key, median]) => {
    const [workload, target] = key.split(' ');
    return { workload, target, unit: 'msg/s', median };
  });
  return { cells } as unknown as BenchResult;
}

describe('compareMedians', () => {
  it('measures each cell as max ÷ min − 1 and holds it against the tolerance', () => {
    const a = compareMedians([
      result({ 'w1 core': 100, 'w1 ws': 100 }),
      result({ 'w1 core': 109, 'w1 ws': 120 }),
      result({ 'w1 core': 104, 'w1 ws': 100 }),
    ]);
    expect(a.cells.map((c) => [c.target, Number(c.range!.toFixed(3)), c.agrees])).toEqual([
      ['core', 0.09, true],
      ['ws', 0.2, false],
    ]);
    expect([a.agreeing, a.total, a.worst?.target]).toEqual([1, 2, 'ws']);
  });
  it('a missing or zero median never counts as agreeing', () => {
    const a = compareMedians([result({ 'w core': 5, 'w ws': 0 }), result({ 'w core': null, 'w ws': 0 })]);
    expect(a.cells.map((c) => [c.range, c.agrees])).toEqual([
      [null, false],
      [null, false],
    ]);
    expect(a.worst).toBeNull();
  });
  it('a cell absent from a later result is listed with a null median', () => {
    const a = compareMedians([result({ 'w core': 5, 'w ws': 6 }), result({ 'w core': 5 })]);
    expect(a.cells[1]!.medians).toEqual([6, null]);
    expect(a.cells[1]!.agrees).toBe(false);
  });
  it('the tolerance is a parameter', () => {
    const rs = [result({ 'w core': 100 }), result({ 'w core': 114 })];
    expect(compareMedians(rs, 0.1).agreeing).toBe(0);
    expect(compareMedians(rs, 0.15).agreeing).toBe(1);
  });
  it('compares ratios instead of medians when asked: a drift of the whole machine cancels out', () => {
    const run = (core: number, tcp: number): BenchResult =>
      ({
        cells: [{ workload: 'w', target: 'core', unit: 'msg/s', median: core, ratioToTcp: core / tcp }],
      }) as unknown as BenchResult;
    const rs = [run(100, 200), run(140, 280)];
    expect(compareMedians(rs).cells[0]!.agrees).toBe(false);
    const byRatio = compareMedians(rs, 0.1, 'ratioToTcp');
    expect([byRatio.figure, byRatio.cells[0]!.medians, byRatio.cells[0]!.range, byRatio.agreeing]).toEqual([
      'ratioToTcp',
      [0.5, 0.5],
      0,
      1,
    ]);
    expect(formatAgreement(byRatio, ['#1', '#2'])).toContain('1 of 1 ratios to tcp agree within 10%');
  });
  it('needs two results', () => {
    expect(() => compareMedians([result({ 'w core': 1 })])).toThrow(/at least two/);
  });
  it('the table marks cells over the tolerance and sums up', () => {
    const text = formatAgreement(
      compareMedians([result({ 'w core': 1000, 'w ws': 10 }), result({ 'w core': 1050, 'w ws': 20 })]),
      ['#1', '#2'],
    );
    expect(text).toMatch(/w\s+core\s+1000\s+1050\s+5\.0%\s+ok/);
    expect(text).toMatch(/w\s+ws\s+10\.0\s+20\.0\s+100\.0%\s+OVER/);
    expect(text).toContain('1 of 2 medians agree within 10%; widest: w ws 100.0%');
  });
});

describe('compareMedians of the paired ratios', () => {
  it('a result stored before paired ratios existed has none, so never agrees', () => {
    const paired = (value?: number): BenchResult =>
      ({
        cells: [
          {
            workload: 'w',
            target: 'core',
            unit: 'msg/s',
            median: 100,
            ...(value === undefined ? {} : { pairedRatioToWs: value }),
          },
        ],
      }) as unknown as BenchResult;
    const both = compareMedians([paired(1.5), paired(1.52)], 0.1, 'pairedRatioToWs');
    expect([both.cells[0]!.medians, both.agreeing]).toEqual([[1.5, 1.52], 1]);
    expect(formatAgreement(both, ['a', 'b'])).toContain('1 of 1 paired (run by run) ratios to ws agree within 10%');
    const old = compareMedians([paired(), paired(1.5)], 0.1, 'pairedRatioToWs');
    expect(old.cells[0]).toMatchObject({ medians: [null, 1.5], range: null, agrees: false });
  });
});
