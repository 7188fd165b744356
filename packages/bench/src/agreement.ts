/**
 * Do several benchmark results agree? Per workload × target, the relative range (max ÷ min − 1) of the
 * medians, or of the ratios to ws or tcp (plain or paired run by run), which cancel a drift of the whole
 * machine between runs, held against a tolerance.
 */
import { alignColumns, formatPercent, formatValue } from './format.js';
import type { BenchCell, BenchResult } from './result.js';

/** The figures of a cell that can be compared, and what the summary line calls them. */
const FIGURE_NAMES = {
  median: 'medians',
  ratioToWs: 'ratios to ws',
  ratioToTcp: 'ratios to tcp',
  pairedRatioToWs: 'paired (run by run) ratios to ws',
  pairedRatioToTcp: 'paired (run by run) ratios to tcp',
} as const satisfies Partial<Record<keyof BenchCell, string>>;
export type ComparedFigure = keyof typeof FIGURE_NAMES;
export const COMPARED_FIGURES = Object.keys(FIGURE_NAMES) as ComparedFigure[];

/** The compared figure of a cell; null where it has none (results stored before paired ratios have none). */
function figureOf(cell: BenchCell | undefined, figure: ComparedFigure): number | null {
  const value = cell?.[figure];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export interface CellAgreement {
  workload: string;
  target: string;
  unit: string;
  /** The compared figure in each result, in the order given (null where it had none). */
  medians: Array<number | null>;
  /** max ÷ min − 1 over the medians; null when a median is missing or zero. */
  range: number | null;
  agrees: boolean;
}

export interface Agreement {
  figure: ComparedFigure;
  tolerance: number;
  cells: CellAgreement[];
  /** Cells within the tolerance, and all cells compared. */
  agreeing: number;
  total: number;
  /** The widest range seen (null when nothing could be compared). */
  worst: CellAgreement | null;
}

/** Compares the medians (or ratios) of `results` cell by cell; `tolerance` 0.1 = 10 %. */
export function compareMedians(
  results: readonly BenchResult[],
  tolerance = 0.1,
  figure: ComparedFigure = 'median',
): Agreement {
  if (results.length < 2) throw new Error('comparing medians needs at least two results');
  const keyOf = (workload: string, target: string): string => `${workload}\u0000${target}`;
  const maps = results.map((r) => new Map(r.cells.map((c) => [keyOf(c.workload, c.target), c])));
  // Catalogue order of the first result; a cell missing from any result is listed with a null median.
  const cells = results[0]!.cells.map(({ workload, target, unit }): CellAgreement => {
    const medians = maps.map((m) => figureOf(m.get(keyOf(workload, target)), figure));
    const present = medians.filter((m): m is number => m !== null);
    const min = Math.min(...present);
    const range = present.length === medians.length && min > 0 ? Math.max(...present) / min - 1 : null;
    return { workload, target, unit, medians, range, agrees: range !== null && range <= tolerance };
  });
  let worst: CellAgreement | null = null;
  for (const c of cells) if (c.range !== null && (worst === null || c.range > worst.range!)) worst = c;
  return { figure, tolerance, cells, agreeing: cells.filter((c) => c.agrees).length, total: cells.length, worst };
}

/** A plain-text table of the comparison, one line per cell, widest ranges marked. */
export function formatAgreement(agreement: Agreement, labels: readonly string[]): string {
  const rows: string[][] = [['workload', 'target', ...labels, 'range', '']];
  for (const c of agreement.cells) {
    rows.push([
      c.workload,
      c.target,
      ...c.medians.map((m) => (m === null ? '–' : formatValue(m))),
      formatPercent(c.range),
      c.agrees ? 'ok' : 'OVER',
    ]);
  }
  const lines = alignColumns(rows, (i) => i < 2);
  const { agreeing, total, tolerance, worst } = agreement;
  const widest = worst ? `; widest: ${worst.workload} ${worst.target} ${formatPercent(worst.range)}` : '';
  const pct = `${(tolerance * 100).toFixed(0)}%`;
  lines.push('', `${agreeing} of ${total} ${FIGURE_NAMES[agreement.figure]} agree within ${pct}${widest}`);
  return `${lines.join('\n')}\n`;
}
