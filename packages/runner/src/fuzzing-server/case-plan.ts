/**
 * /getCasePlan, a wsmatrix extension Autobahn does not have: the selected cases grouped into the phases a
 * server run plays (schedule.ts), so a driver that asks may play them as concurrently as a server run does
 * and still keep the timing cases (9.x) alone. Case numbers are the ones /runCase takes.
 */
import type { CaseDef } from '@wsmatrix/cases';
import { casePhases } from '../schedule.js';

export interface CasePlan {
  /** Played one after the other; within a phase, at most `concurrency` cases at once. */
  phases: Array<{ cases: number[]; concurrency: number }>;
}

/** The plan for `cases` in selection order (cases[N - 1] is case N). */
export function casePlan(cases: readonly CaseDef[]): CasePlan {
  return {
    phases: casePhases(cases).map(({ indices, concurrency }) => ({
      cases: indices.map((i) => i + 1),
      concurrency,
    })),
  };
}
