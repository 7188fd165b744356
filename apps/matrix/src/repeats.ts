/**
 * `--repeat N`: each selected case played N times against each server, folded into one result per case.
 * A case with one verdict in every run is reported as that verdict. A case whose verdict (behavior and
 * behaviorClose) differs is timing-dependent: its record is the first run with the worst verdict seen,
 * with the counts in `repeats` and in its result text.
 *
 * Worst, not most frequent: index.json's behavior stays one Autobahn reader can take at its word (it did
 * happen, and nothing worse did), and it does not change between two runs that saw the same verdicts in
 * other proportions. Only three results per case are kept (first, first differing, worst), so a long
 * repeat of group 9 does not hold N wire logs.
 */
import type { CaseResult, RepeatCounts } from '@wsmatrix/runner';
import { UsageError } from './args.js';
import { describeCounts, verdictRank, verdictString } from './report/index.js';

export { describeCounts, isTimingDependent, isTimingFlip } from './report/index.js';

export const MAX_REPEAT = 100;

/** `--repeat N` of `run` and `matrix`. */
export const REPEAT_FLAG = {
  type: 'integer',
  min: 1,
  max: MAX_REPEAT,
  placeholder: 'N',
  description:
    'Play each selected case N times; a case whose verdict differs is reported as timing-dependent ' +
    `with its counts [default: 1, at most ${MAX_REPEAT}]`,
} as const;

export const REPEAT_NOTES = [
  '--repeat N: a case with the same verdict in all N runs gets that verdict; one whose verdict differs is',
  'timing-dependent ("Timing-dependent: OK 3/5, NON-STRICT 2/5"): index.json keeps the worst verdict seen',
  'and adds "repeats" {runs, verdicts}; it passes the pass rule (and JUnit) when any of its runs passes.',
] as const;

/** The number of runs asked for (1 when the flag is absent). */
export function repeatCount(flag: number | undefined): number {
  if (flag === undefined) return 1;
  if (!Number.isInteger(flag) || flag < 1 || flag > MAX_REPEAT)
    throw new UsageError(`--repeat must be a whole number from 1 to ${MAX_REPEAT}`);
  return flag;
}

/** The verdicts seen across a case's runs (one verdict when it was played once or always gave the same). */
export function verdictsSeen(entry: Pick<CaseResult, 'behavior' | 'behaviorClose' | 'repeats'>): string[] {
  return entry.repeats ? Object.keys(entry.repeats.verdicts) : [verdictString(entry)];
}

interface CaseRuns {
  first: CaseResult;
  firstDiffering: CaseResult | null;
  /** The first run with the lowest-ranked verdict. */
  worst: CaseResult;
  counts: Map<string, number>;
  runs: number;
}

/** Collects the runs of every (agent, case) and folds each into one result. */
export class RepeatTally {
  private readonly byCase = new Map<string, CaseRuns>();

  add(r: CaseResult): void {
    const key = `${r.agent}\u0000${r.id}`;
    const v = verdictString(r);
    const seen = this.byCase.get(key);
    if (seen === undefined) {
      this.byCase.set(key, { first: r, firstDiffering: null, worst: r, counts: new Map([[v, 1]]), runs: 1 });
      return;
    }
    seen.runs++;
    seen.counts.set(v, (seen.counts.get(v) ?? 0) + 1);
    if (seen.firstDiffering === null && v !== verdictString(seen.first)) seen.firstDiffering = r;
    if (verdictRank(v) < verdictRank(verdictString(seen.worst))) seen.worst = r;
  }

  /** How many runs of the case were recorded (0 when none). */
  runsOf(agent: string, caseId: string): number {
    return this.byCase.get(`${agent}\u0000${caseId}`)?.runs ?? 0;
  }

  /** The case's result over its runs; undefined when it was never played to the end. */
  result(agent: string, caseId: string): CaseResult | undefined {
    const runs = this.byCase.get(`${agent}\u0000${caseId}`);
    if (runs === undefined) return undefined;
    if (runs.runs === 1) return runs.first;
    const repeats: RepeatCounts = { runs: runs.runs, verdicts: Object.fromEntries(runs.counts) };
    if (runs.firstDiffering === null) return { ...runs.first, repeats };
    const base = runs.worst;
    const run = (r: CaseResult) => `${verdictString(r)}: ${r.result}`;
    return {
      ...base,
      repeats,
      result:
        `Timing-dependent: ${describeCounts(repeats)}. First run ${run(runs.first)} ` +
        `First run that differs ${run(runs.firstDiffering)}`,
      resultClose:
        base === runs.first || base.resultClose === runs.first.resultClose
          ? base.resultClose
          : `${base.resultClose} (first run: ${runs.first.resultClose})`,
    };
  }
}
