// Autobahn's cases only: group 0 (handshake) has its own tests in handshake-cases.test.ts.
import { autobahnCases as allCases, type CaseDef } from '@wsmatrix/cases';
import { runSuite } from '../src/suite.js';
import type { CaseResult } from '../src/result.js';

/** Every case of groups 1-8 and 10: all but the timing group 9 and the compression groups 12/13. */
export const NON_TIMING_CASES: readonly CaseDef[] = allCases.filter((c) => !c.id.startsWith('9.') && !c.compressedEcho);

export function casesWhere(pred: (c: CaseDef) => boolean): CaseDef[] {
  return allCases.filter((c) => !c.compressedEcho && pred(c));
}

export function idsWithPrefix(...prefixes: string[]): string[] {
  return allCases
    .filter((c) => !c.compressedEcho && prefixes.some((p) => c.id === p || c.id.startsWith(`${p}.`)))
    .map((c) => c.id);
}

/** Plays the cases against `url` and returns the results by id. */
export async function play(url: string, cases: readonly CaseDef[]): Promise<Map<string, CaseResult>> {
  const suite = await runSuite({ url, agent: 'fixture', cases, concurrency: 48 });
  return new Map(suite.results.map((r) => [r.id, r]));
}

/** "OK" for a passing case (both verdicts OK, or both INFORMATIONAL where Autobahn says so). */
export function passed(r: CaseResult): boolean {
  if (r.behavior === 'INFORMATIONAL') return r.behaviorClose === 'INFORMATIONAL';
  return r.behavior === 'OK' && r.behaviorClose === 'OK';
}

/** Ids of the results that did not pass, in catalogue order. */
export function flaggedIds(results: Map<string, CaseResult>): string[] {
  return [...results.values()].filter((r) => !passed(r)).map((r) => r.id);
}

export function describeResult(r: CaseResult): string {
  return (
    `${r.id}: ${r.behavior}/${r.behaviorClose} code=${r.remoteCloseCode} ` +
    `(${r.result} | ${r.resultClose} | ${r.wasNotCleanReason ?? ''})`
  );
}
