/**
 * Timing-dependent verdicts: a case played more than once (`--repeat N`) whose verdict differed across its runs.
 * Shared by the report (grid cell, case page, history), `diff`, `--expected` and JUnit, so all of them tell a
 * timing-dependent flip from a change of the implementation by the same rule.
 */
import type { RepeatCounts } from '@wsmatrix/runner';
import { verdictRank, type VerdictChange } from './verdicts.js';

/** Two or more verdicts seen across the runs of a case. */
export function isTimingDependent(repeats: RepeatCounts | null | undefined): repeats is RepeatCounts {
  return repeats !== undefined && repeats !== null && Object.keys(repeats.verdicts).length > 1;
}

/** "OK 3/5, NON-STRICT 2/5": the verdicts seen, most frequent first (best first on a tie). */
export function describeCounts(repeats: RepeatCounts): string {
  return Object.entries(repeats.verdicts)
    .sort(([va, a], [vb, b]) => b - a || verdictRank(vb) - verdictRank(va))
    .map(([v, n]) => `${v} ${n}/${repeats.runs}`)
    .join(', ');
}

/**
 * Whether a changed verdict is a timing-dependent flip rather than a regression or a fix. Only what was measured
 * decides, no list of cases: the verdicts on both sides must lie within the verdicts one side saw across its
 * repeats. A side played once saw one verdict, so two sides each with one verdict that differ are a real change,
 * and so is a verdict neither side's repeats ever showed (OK/NON-STRICT before, FAILED after).
 */
export function isTimingFlip(
  change: VerdictChange,
  seenBefore: readonly string[] | undefined,
  seenAfter: readonly string[] | undefined,
): boolean {
  const { before, after } = change;
  if (before === null || after === null) return false;
  const within = (seen: readonly string[] | undefined) => seen?.includes(before) === true && seen.includes(after);
  return within(seenBefore) || within(seenAfter);
}
