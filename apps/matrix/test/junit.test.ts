import { describe, expect, it } from 'vitest';
import type { CaseResult } from '@wsmatrix/runner';
import { caseResult } from '@wsmatrix/runner/testing';
import { caseFailed, toJUnit } from '../src/junit.js';

/** A result as JUnit reads it: verdicts, result text, whether the connection opened; 12 ms long. */
function result(
  id: string,
  behavior: CaseResult['behavior'],
  behaviorClose: CaseResult['behaviorClose'],
  text = 'Actual events match',
  connectFailure: CaseResult['connectFailure'] = null,
): CaseResult {
  return caseResult(id, {
    description: `case ${id}`,
    behavior,
    behaviorClose,
    duration: 12,
    result: text,
    connectFailure,
  });
}

describe('JUnit XML', () => {
  it('one testsuite per implementation, one testcase per case, failures carry the verdict and reason', () => {
    const xml = toJUnit([
      { name: 'ok-server', results: [result('1.1.1', 'OK', 'OK'), result('6.4.1', 'NON-STRICT', 'OK')] },
      {
        name: 'bad <server>',
        results: [
          result('3.1', 'FAILED', 'OK', 'Got echo of a frame with RSV & "bits"'),
          result('7.1.1', 'OK', 'UNCLEAN'),
        ],
      },
      { name: 'wslay', unavailable: 'libwslay-dev not installed', results: [] },
    ]);
    expect(xml.match(/<testsuite /g)).toHaveLength(3);
    expect(xml).toContain('<testsuites name="wsmatrix" tests="5" failures="2" errors="1" skipped="0">');
    expect(xml).toContain('<testsuite name="bad &lt;server&gt;" tests="2" failures="2"');
    expect(xml).toMatch(/<failure type="FAILED" message="FAILED: Got echo of a frame with RSV &amp; &quot;bits&quot;/);
    expect(xml).toMatch(/<failure type="OK\/UNCLEAN"/);
    expect(xml).toMatch(/<error message="libwslay-dev not installed"\/>/);
    // NON-STRICT is a pass, as in Autobahn.
    expect(xml).toMatch(/<testcase classname="ok-server" name="6\.4\.1 case 6\.4\.1" time="0\.012"\/>/);
  });

  it('control characters from a server cannot break the XML', () => {
    const xml = toJUnit([{ name: 's', results: [result('1.1.1', 'FAILED', 'OK', 'bad\u0001byte')] }]);
    expect(xml).toContain('bad\\x01byte');
    expect(xml.includes('\u0001')).toBe(false);
  });

  it('rows of a dead server are errors saying "target down", never failures of the implementation or passes', () => {
    const down = result(
      '1.1.2',
      'FAILED',
      'FAILED',
      'Not run: the server could not be reached (connect ECONNREFUSED)',
      { kind: 'refused', message: 'connect ECONNREFUSED' },
    );
    const xml = toJUnit([{ name: 'Dead', results: [result('1.1.1', 'OK', 'OK'), down] }]);
    expect(xml).toContain('<testsuite name="Dead" tests="2" failures="0" errors="1" skipped="0"');
    expect(xml).toMatch(/<error type="target down" message="target down: Not run: the server could not be reached/);
    expect(xml).not.toContain('<failure');
  });

  it('a case whose connection never opened is a failure, whatever its behavior field says', () => {
    const neverOpened = result('5.1', 'OK', 'OK', 'The opening handshake did not complete', {
      kind: 'handshake-timeout',
      message: 'no 101 within 10 s',
    });
    const xml = toJUnit([{ name: 's', results: [neverOpened] }]);
    expect(xml).toContain('<testsuite name="s" tests="1" failures="1" errors="0"');
  });

  it('cases an interrupted run did not reach are skipped testcases, not failures', () => {
    const xml = toJUnit([
      {
        name: 'core',
        results: [result('1.1.1', 'OK', 'OK')],
        notRun: { ids: ['1.1.2', '1.1.3'], reason: 'not run (interrupted by SIGINT)' },
      },
    ]);
    expect(xml).toContain('<testsuites name="wsmatrix" tests="3" failures="0" errors="0" skipped="2">');
    expect(xml.match(/<skipped message="not run \(interrupted by SIGINT\)"\/>/g)).toHaveLength(2);
    // Named like a played case: id and the catalogue's description.
    expect(xml).toMatch(/<testcase classname="core" name="1\.1\.2 [^"]+" time="0">/);
  });

  it(
    "caseFailed follows the runner's rule: FAILED behavior, " +
      'a close verdict other than OK/INFORMATIONAL, or no connection',
    () => {
      expect(
        caseFailed({
          behavior: 'OK',
          behaviorClose: 'OK',
          connectFailure: { kind: 'handshake-timeout', message: 'no 101' },
        }),
      ).toBe(true);
      expect(caseFailed({ behavior: 'OK', behaviorClose: 'OK', connectFailure: null })).toBe(false);
      expect(caseFailed({ behavior: 'FAILED', behaviorClose: 'OK' })).toBe(true);
      expect(caseFailed({ behavior: 'OK', behaviorClose: 'WRONG CODE' })).toBe(true);
      expect(caseFailed({ behavior: 'INFORMATIONAL', behaviorClose: 'INFORMATIONAL' })).toBe(false);
      expect(caseFailed({ behavior: 'UNIMPLEMENTED', behaviorClose: 'OK' })).toBe(false);
    },
  );
});
