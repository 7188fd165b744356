/** JUnit XML for CI: one testsuite per implementation, one testcase per case, failures with the reason. */
import { resultPassed, type CaseResult } from '@wsmatrix/runner';
import { verdictString } from './report/index.js';

export interface JUnitSuite {
  name: string;
  /** Set when the implementation could not be run at all (one errored testcase says why). */
  unavailable?: string;
  results: readonly CaseResult[];
}

function xmlEscape(text: string): string {
  // Control characters other than tab/LF/CR are not allowed in XML 1.0 at all.
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A case fails CI when its behavior is FAILED or its close verdict is other than OK/INFORMATIONAL. */
export function caseFailed(r: Pick<CaseResult, 'behavior' | 'behaviorClose'>): boolean {
  return !resultPassed(r);
}

export function toJUnit(suites: readonly JUnitSuite[]): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  let tests = 0;
  let failures = 0;
  let errors = 0;
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
    const failed = suite.results.filter(caseFailed);
    const seconds = suite.results.reduce((s, r) => s + r.duration, 0) / 1000;
    tests += suite.results.length;
    failures += failed.length;
    body.push(`  <testsuite name="${name}" tests="${suite.results.length}" failures="${failed.length}" errors="0" skipped="0" time="${seconds.toFixed(3)}">`);
    for (const r of suite.results) {
      const head = `    <testcase classname="${name}" name="${xmlEscape(`${r.id} ${r.description}`.slice(0, 200))}" time="${(r.duration / 1000).toFixed(3)}"`;
      if (!caseFailed(r)) {
        body.push(`${head}/>`);
        continue;
      }
      const reason = `${verdictString(r)}: ${r.result} ${r.resultClose}`.replace(/\s+/g, ' ').trim();
      body.push(`${head}>`);
      body.push(`      <failure type="${xmlEscape(verdictString(r))}" message="${xmlEscape(reason.slice(0, 500))}">${xmlEscape(reason)}</failure>`);
      body.push('    </testcase>');
    }
    body.push('  </testsuite>');
  }
  lines.push(`<testsuites name="wsmatrix" tests="${tests}" failures="${failures}" errors="${errors}">`, ...body, '</testsuites>');
  return `${lines.join('\n')}\n`;
}
