/**
 * The shipped drivers' plan mode: given this flag after their arguments they ask the fuzzingserver's
 * /getCasePlan (a wsmatrix extension) and play its phases, several cases at once where a server run plays
 * them so, instead of one case after the other as the projects' own scripts do. Verdicts are the same;
 * the run takes the time a server run takes. A client column's options say it was played so.
 */
export const PLAN_FLAG = '--plan';

/** The `schedule` entry of a planned client's options. */
export const PLANNED_SCHEDULE = "/getCasePlan: the runner's phases (concurrent; 12.x/13.x one per core; 9.x alone)";
