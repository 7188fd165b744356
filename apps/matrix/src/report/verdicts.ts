/**
 * Verdict strings, their order (better/worse) and the comparison of two runs' verdict maps, shared by the
 * history page and `wsmatrix diff`.
 *
 * A verdict string is the behavior, plus "/<behaviorClose>" when the close verdict is not OK:
 * "OK", "FAILED", "OK/UNCLEAN", "FAILED/WRONG CODE", "INFORMATIONAL/INFORMATIONAL".
 */
import { compareCaseIds } from '@wsmatrix/cases';
import type { CaseResult } from '@wsmatrix/runner';

/** behavior verdicts, best first. */
export const BEHAVIOR_ORDER = ['OK', 'NON-STRICT', 'INFORMATIONAL', 'UNIMPLEMENTED', 'FAILED'] as const;
/** behaviorClose verdicts, best first. */
export const CLOSE_ORDER = ['OK', 'INFORMATIONAL', 'WRONG CODE', 'UNCLEAN', 'FAILED BY CLIENT', 'FAILED'] as const;

/** The verdict string of one result. */
export function verdictString(r: Pick<CaseResult, 'behavior' | 'behaviorClose'>): string {
  return r.behaviorClose === 'OK' || !r.behaviorClose ? r.behavior : `${r.behavior}/${r.behaviorClose}`;
}

/** case id -> verdict string, for a HistoryPoint or a diff. */
export function verdictMap(
  results: readonly Pick<CaseResult, 'id' | 'behavior' | 'behaviorClose'>[],
): Record<string, string> {
  const map: Record<string, string> = {};
  for (const r of results) map[r.id] = verdictString(r);
  return map;
}

/** Splits "OK/UNCLEAN" into its behavior and close parts (close "OK" when absent). */
export function splitVerdict(v: string): { behavior: string; close: string } {
  const slash = v.indexOf('/');
  if (slash < 0) return { behavior: v.trim().toUpperCase(), close: 'OK' };
  return {
    behavior: v.slice(0, slash).trim().toUpperCase(),
    close:
      v
        .slice(slash + 1)
        .trim()
        .toUpperCase() || 'OK',
  };
}

/**
 * Higher is better. The behavior decides (OK > NON-STRICT > INFORMATIONAL > UNIMPLEMENTED > FAILED); for the
 * same behavior the close verdict decides (OK > INFORMATIONAL > WRONG CODE > UNCLEAN > FAILED BY CLIENT >
 * FAILED). Unknown parts rank lowest.
 */
export function verdictRank(v: string): number {
  const { behavior, close } = splitVerdict(v);
  const b = (BEHAVIOR_ORDER as readonly string[]).indexOf(behavior);
  const c = (CLOSE_ORDER as readonly string[]).indexOf(close);
  const bRank = b < 0 ? 0 : BEHAVIOR_ORDER.length - b;
  const cRank = c < 0 ? 0 : CLOSE_ORDER.length - c;
  return bRank * (CLOSE_ORDER.length + 1) + cRank;
}

/** One case whose verdict differs; `before`/`after` are null when the case is missing on that side. */
export interface VerdictChange {
  caseId: string;
  before: string | null;
  after: string | null;
}

export interface VerdictComparison {
  /** After is worse than before. */
  regressions: VerdictChange[];
  /** After is better than before. */
  fixes: VerdictChange[];
  /** Every case whose verdict string differs, including the above and cases present on one side only. */
  changed: VerdictChange[];
}

/** Compares run `a` (before) with run `b` (after); every list is in numeric case order. */
export function compareVerdictMaps(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): VerdictComparison {
  const ids = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareCaseIds);
  const out: VerdictComparison = { regressions: [], fixes: [], changed: [] };
  for (const caseId of ids) {
    const before = Object.hasOwn(a, caseId) ? a[caseId]! : null;
    const after = Object.hasOwn(b, caseId) ? b[caseId]! : null;
    if (before === after) continue;
    const change = { caseId, before, after };
    out.changed.push(change);
    if (before === null || after === null) continue;
    const delta = verdictRank(after) - verdictRank(before);
    if (delta < 0) out.regressions.push(change);
    else if (delta > 0) out.fixes.push(change);
  }
  return out;
}

/** CSS class suffix of a verdict word: 'NON-STRICT' -> 'non-strict', 'WRONG CODE' -> 'wrong-code'. */
export function verdictClass(v: string): string {
  return (
    String(v)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'unknown'
  );
}
