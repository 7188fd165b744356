/**
 * JUnit XML for CI: one testsuite per implementation, one testcase per case. A case that did not pass is
 * a failure with its verdict; a row whose server could not be reached is an error ("target down"), since
 * it says nothing about the implementation; a case the run was interrupted before is skipped.
 */
import { caseById } from '@wsmatrix/cases';
import { isTargetDown, resultPassed, type CaseResult } from '@wsmatrix/runner';
import { describeCounts, isTimingDependent } from './repeats.js';
import { splitVerdict, verdictString } from './report/index.js';

/** What the CLI's summaries, JUnit and JSON say for a row whose server could not be reached. */
export const TARGET_DOWN = 'target down';

export interface JUnitSuite {
  name: string;
  /** Set when the implementation could not be run at all (one errored testcase says why). */
  unavailable?: string;
  results: readonly CaseResult[];
  /** Selected cases that were not run (an interrupted run), with why. */
  notRun?: { ids: readonly string[]; reason: string };
}

function xmlEscape(text: string): string {
  // Control characters other than tab/LF/CR are not allowed in XML 1.0 at all.
  return text
    .replace(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * A case fails CI when it did not pass by the runner's rule (resultPassed): a FAILED behavior, a close
 * verdict other than OK/INFORMATIONAL, or a connection that never opened.
 */
export function caseFailed(r: Parameters<typeof resultPassed>[0] & Pick<CaseResult, 'repeats'>): boolean {
  if (!isTimingDependent(r.repeats)) return !resultPassed(r);
  // Timing-dependent (--repeat): passed unless every verdict it was seen with fails the rule.
  return Object.keys(r.repeats.verdicts).every((v) => {
    const { behavior, close } = splitVerdict(v);
    return !resultPassed({
      behavior: behavior as CaseResult['behavior'],
      behaviorClose: close as CaseResult['behaviorClose'],
      connectFailure: r.connectFailure,
    });
  });
}

/** How a finished case counts in progress lines: a row of a dead server is neither passed nor failed. */
export function caseOutcome(r: CaseResult): 'passed' | 'failed' | 'target down' {
  if (isTargetDown(r)) return TARGET_DOWN;
  return caseFailed(r) ? 'failed' : 'passed';
}

export function toJUnit(suites: readonly JUnitSuite[]): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const body: string[] = [];
  for (const suite of suites) {
    const name = xmlEscape(suite.name);
    if (suite.unavailable !== undefined) {
      tests++;
      errors++;
      body.push(`  <testsuite name="${name}" tests="1" failures="0" errors="1" skipped="0" time="0">`);
      body.push(`    <testcase classname="${name}" name="start" time="0">`);
      body.push(`      <error message="${xmlEscape(suite.unavailable)}"/>`);
      body.push('    </testcase>', '  </testsuite>');
      continue;
    }
    const down = suite.results.filter((r) => isTargetDown(r));
    const failed = suite.results.filter((r) => caseFailed(r) && !isTargetDown(r));
    const notRun = suite.notRun?.ids ?? [];
    const seconds = suite.results.reduce((sum, r) => sum + r.duration, 0) / 1000;
    const count = suite.results.length + notRun.length;
    tests += count;
    failures += failed.length;
    errors += down.length;
    skipped += notRun.length;
    body.push(
      `  <testsuite name="${name}" tests="${count}" failures="${failed.length}" errors="${down.length}" ` +
        `skipped="${notRun.length}" time="${seconds.toFixed(3)}">`,
    );
    for (const r of suite.results) {
      const head =
        `    <testcase classname="${name}" name="${xmlEscape(`${r.id} ${r.description}`.slice(0, 200))}" ` +
        `time="${(r.duration / 1000).toFixed(3)}"`;
      if (!caseFailed(r)) {
        if (isTimingDependent(r.repeats)) {
          const note = `timing-dependent: ${describeCounts(r.repeats)} (passed: some run passed)`;
          body.push(`${head}>`, `      <system-out>${xmlEscape(note)}</system-out>`, '    </testcase>');
        } else body.push(`${head}/>`);
        continue;
      }
      body.push(`${head}>`);
      if (isTargetDown(r)) {
        const reason = `${TARGET_DOWN}: ${r.result}`.replace(/\s+/g, ' ').trim();
        body.push(`      <error type="${TARGET_DOWN}" message="${xmlEscape(reason.slice(0, 500))}"/>`);
      } else {
        const reason = `${verdictString(r)}: ${r.result} ${r.resultClose}`.replace(/\s+/g, ' ').trim();
        // A timing-dependent case that failed in every run: its result text starts with the counts.
        body.push(
          `      <failure type="${xmlEscape(verdictString(r))}" message="${xmlEscape(reason.slice(0, 500))}">` +
            `${xmlEscape(reason)}</failure>`,
        );
      }
      body.push('    </testcase>');
    }
    for (const id of notRun) {
      const description = caseById(id)?.description ?? '';
      body.push(
        `    <testcase classname="${name}" name="${xmlEscape(`${id} ${description}`.slice(0, 200))}" time="0">`,
      );
      body.push(`      <skipped message="${xmlEscape(suite.notRun!.reason)}"/>`, '    </testcase>');
    }
    body.push('  </testsuite>');
  }
  lines.push(
    `<testsuites name="wsmatrix" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}">`,
    ...body,
    '</testsuites>',
  );
  return `${lines.join('\n')}\n`;
}
