/**
 * How one result counts in the report: the runner's pass rule decides, so the grid's colours, the group
 * totals and the summary lines agree with JUnit and the CLI.
 *   ok, non-strict, informational  passed (three shades of green)
 *   unimplemented                  neither passed nor failed: the server lacks the feature (its own colour)
 *   failed                         the pass rule says no, including a case whose connection never opened
 *   target-down                    not played: the server could not be reached
 * A timing-dependent result (--repeat, verdicts that differed) passes when any of its runs passed, as in JUnit
 * and the pass rule: it counts as the worst verdict seen among the runs that passed (see countedVerdict).
 */
import { isAutobahnCaseId } from '@wsmatrix/cases';
import { isTargetDown, resultPassed, type CaseResult } from '@wsmatrix/runner';
import { isTimingDependent } from './timing.js';
import { splitVerdict, verdictRank } from './verdicts.js';

export const OUTCOMES = ['ok', 'non-strict', 'informational', 'unimplemented', 'failed', 'target-down'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Legend and tooltip words per outcome. */
export const OUTCOME_LABEL: Record<Outcome, string> = {
  ok: 'OK',
  'non-strict': 'NON-STRICT',
  informational: 'INFORMATIONAL',
  unimplemented: 'UNIMPLEMENTED',
  failed: 'FAILED',
  'target-down': 'target down',
};

type Counted = Pick<CaseResult, 'behavior' | 'behaviorClose'>;

/**
 * The verdict a result counts as: its own; for a timing-dependent one, the worst verdict seen among the runs
 * that passed (the pass rule passes it when any run passed), or its own (the worst seen) when none passed.
 */
export function countedVerdict(r: CaseResult): Counted {
  if (!isTimingDependent(r.repeats)) return r;
  const passing = Object.keys(r.repeats.verdicts)
    .map((v) => {
      const { behavior, close } = splitVerdict(v);
      return { v, behavior: behavior as CaseResult['behavior'], behaviorClose: close as CaseResult['behaviorClose'] };
    })
    .filter((c) => resultPassed({ ...c, connectFailure: r.connectFailure }))
    .sort((a, b) => verdictRank(a.v) - verdictRank(b.v));
  const worst = passing[0];
  return worst ? { behavior: worst.behavior, behaviorClose: worst.behaviorClose } : r;
}

export function outcomeOf(r: CaseResult): Outcome {
  if (isTargetDown(r)) return 'target-down';
  const counted = countedVerdict(r);
  if (!resultPassed({ ...counted, connectFailure: r.connectFailure })) return 'failed';
  switch (counted.behavior) {
    case 'NON-STRICT':
      return 'non-strict';
    case 'INFORMATIONAL':
      return 'informational';
    case 'UNIMPLEMENTED':
      return 'unimplemented';
    default:
      return 'ok';
  }
}

/** How a stored verdict string ("OK", "OK/UNCLEAN") counts: the rule of outcomeOf, for a case that was played. */
export function outcomeOfVerdict(verdict: string): Outcome {
  const { behavior, close } = splitVerdict(verdict);
  const played = { behavior, behaviorClose: close, connectFailure: null } as unknown as CaseResult;
  return outcomeOf(played);
}

/** Whether a result gets a case page: one not played because the target was down has nothing to show. */
export function hasCasePage(r: CaseResult): boolean {
  return outcomeOf(r) !== 'target-down';
}

export type Tally = Record<Outcome, number> & { total: number };

function emptyTally(): Tally {
  return { ok: 0, 'non-strict': 0, informational: 0, unimplemented: 0, failed: 0, 'target-down': 0, total: 0 };
}

export function tally(results: Iterable<CaseResult>): Tally {
  const t = emptyTally();
  for (const r of results) {
    t[outcomeOf(r)]++;
    t.total++;
  }
  return t;
}

/** Passed cases; `strict` leaves NON-STRICT out. UNIMPLEMENTED is neither passed nor failed. */
export function passedCount(t: Tally, strict = false): number {
  return t.ok + t.informational + (strict ? 0 : t['non-strict']);
}

/** Cases that could be judged: played, and the feature is implemented. */
export function judgedCount(t: Tally): number {
  return t.total - t.unimplemented - t['target-down'];
}

/**
 * The colour of a set of results (a group's total, a summary figure): red only when a case failed; grey when
 * any case was not played; its own colour when nothing was implemented; green when every case was strictly OK,
 * a lighter green when some passed as NON-STRICT or INFORMATIONAL (or were UNIMPLEMENTED beside passes).
 */
export type SetStatus = 'failed' | 'target-down' | 'unimplemented' | 'ok' | 'passed' | 'empty';

export function setStatus(t: Tally): SetStatus {
  if (t.total === 0) return 'empty';
  if (t.failed > 0) return 'failed';
  if (t['target-down'] > 0) return 'target-down';
  if (t.unimplemented === t.total) return 'unimplemented';
  if (t.ok === t.total) return 'ok';
  return 'passed';
}

/**
 * Where a case comes from: Autobahn's catalogue (groups 1-13), or a group of our own, the opening-handshake
 * group 0 and the permessage-deflate edge cases of group 14. The summary counts each apart, so a FAILED
 * says where it comes from.
 */
export const ORIGINS = ['autobahn', 'handshake', 'deflate-edge'] as const;
export type Origin = (typeof ORIGINS)[number];

export function originOf(caseId: string): Origin {
  if (isAutobahnCaseId(caseId)) return 'autobahn';
  return caseId.startsWith('14.') ? 'deflate-edge' : 'handshake';
}

/** Splits a column's results by origin: Autobahn's catalogue, our group 0, our group 14. */
export function splitByOrigin(results: Iterable<CaseResult>): Record<Origin, CaseResult[]> {
  const parts: Record<Origin, CaseResult[]> = { autobahn: [], handshake: [], 'deflate-edge': [] };
  for (const r of results) parts[originOf(r.id)].push(r);
  return parts;
}

/** "3 NON-STRICT · 1 FAILED"-style breakdown of a tally, leaving out zeros. */
export function tallyText(t: Tally): string {
  const parts = OUTCOMES.filter((o) => t[o] > 0).map((o) => `${t[o]} ${OUTCOME_LABEL[o]}`);
  return parts.length ? parts.join(' · ') : 'no results';
}
