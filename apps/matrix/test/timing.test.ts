/**
 * Timing-dependent verdicts (--repeat) wherever runs are compared or shown: the flip rule, how the report counts
 * and marks such a case, the history, --expected and the run files' `repeats`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AutobahnIndex, CaseResult } from '@wsmatrix/runner';
import { caseResult } from '@wsmatrix/runner/testing';
import { describe, expect, it } from 'vitest';
import { expectedDifferences, toExpected } from '../src/expected-results.js';
import { historySteps } from '../src/report/history.js';
import { type HistoryPoint, isTimingFlip, writeReport } from '../src/report/index.js';
import { countedVerdict, outcomeOf } from '../src/report/outcome.js';
import { loadReleaseRuns } from '../src/results-store.js';
import { runMain } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

describe('the timing-flip rule', () => {
  const change = (before: string, after: string) => ({ caseId: '3.3', before, after });
  it('is a flip only when both verdicts lie within the verdicts one side saw', () => {
    expect(isTimingFlip(change('OK', 'NON-STRICT'), ['OK', 'NON-STRICT'], undefined)).toBe(true);
    expect(isTimingFlip(change('OK', 'NON-STRICT'), undefined, ['NON-STRICT', 'OK'])).toBe(true);
    expect(isTimingFlip(change('OK', 'NON-STRICT'), ['OK'], ['NON-STRICT'])).toBe(false);
    // A verdict the repeats never showed is a change, even beside a timing-dependent side.
    expect(isTimingFlip(change('NON-STRICT', 'FAILED'), ['OK', 'NON-STRICT'], ['FAILED'])).toBe(false);
    expect(isTimingFlip({ caseId: '3.3', before: null, after: 'OK' }, ['OK', 'NON-STRICT'], undefined)).toBe(false);
  });
});

describe('how the report counts a timing-dependent case', () => {
  const repeated = (verdicts: Record<string, number>, overrides: Partial<CaseResult> = {}) =>
    caseResult('3.3', {
      behavior: 'FAILED',
      behaviorClose: 'OK',
      ...overrides,
      repeats: { runs: Object.values(verdicts).reduce((a, b) => a + b, 0), verdicts },
    } as Partial<CaseResult>);

  it('as the worst verdict among its runs that passed, as the pass rule and JUnit do', () => {
    expect(outcomeOf(repeated({ OK: 1, FAILED: 1 }))).toBe('ok');
    expect(outcomeOf(repeated({ OK: 3, 'NON-STRICT': 2 }, { behavior: 'NON-STRICT' }))).toBe('non-strict');
    expect(countedVerdict(repeated({ OK: 1, 'NON-STRICT': 1, FAILED: 1 }))).toEqual({
      behavior: 'NON-STRICT',
      behaviorClose: 'OK',
    });
    // No run passed: the worst seen, failed.
    expect(outcomeOf(repeated({ FAILED: 1, 'OK/UNCLEAN': 1 }))).toBe('failed');
    // Played more than once with one verdict: that verdict.
    expect(outcomeOf(repeated({ FAILED: 2 }))).toBe('failed');
  });

  it('marks the cell, explains the mark in the glossary and shows the counts on the case page', async () => {
    const dir = await tempDir('timing-report');
    const flips = repeated({ OK: 3, 'NON-STRICT': 2 }, { behavior: 'NON-STRICT' });
    const steady = caseResult('3.4', { repeats: { runs: 5, verdicts: { OK: 5 } } } as Partial<CaseResult>);
    const once = caseResult('3.3');
    await writeReport(dir, {
      title: 't',
      generatedAt: 'now',
      history: [],
      columns: [
        {
          key: 'wslay',
          label: 'wslay 1',
          implementation: 'wslay',
          version: '1',
          status: 'ok',
          results: [flips, steady],
        },
        { key: 'ws', label: 'ws 8', implementation: 'ws', version: '8', status: 'ok', results: [once] },
      ],
    });
    const index = await readFile(path.join(dir, 'index.html'), 'utf8');
    const cells = [...index.matchAll(/<td class="cell [^"]*"[^>]*>/g)].map((m) => m[0]);
    const timing = cells.filter((c) => c.includes(' timing"'));
    expect(timing).toHaveLength(1);
    expect(timing[0]).toContain('data-timing="OK 3/5, NON-STRICT 2/5"');
    expect(timing[0]).toContain('title="Timing-dependent: OK 3/5, NON-STRICT 2/5 ');
    expect(index).toMatch(/>NON-STRICT<span class="timing-mark">~<\/span>/);
    expect(index.match(/timing-mark/g)).toHaveLength(1);
    const glossary = await readFile(path.join(dir, 'glossary.html'), 'utf8');
    expect(glossary).toContain('<h2 id="timing-dependent">Timing-dependent verdicts</h2>');
    const page33 = await readFile(path.join(dir, 'cases', '3.3.html'), 'utf8');
    expect(page33).toContain('<span class="timing" data-repeats>timing-dependent: OK 3/5, NON-STRICT 2/5</span>');
    expect(page33).toContain('played once');
    const page34 = await readFile(path.join(dir, 'cases', '3.4.html'), 'utf8');
    expect(page34).toContain('<span data-repeats>5 runs, the same verdict in each</span>');
  });

  it('a page where no column repeated the case has no Runs row', async () => {
    const dir = await tempDir('timing-report');
    await writeReport(dir, {
      title: 't',
      generatedAt: 'now',
      history: [],
      columns: [
        { key: 'ws', label: 'ws 8', implementation: 'ws', version: '8', status: 'ok', results: [caseResult('3.3')] },
      ],
    });
    expect(await readFile(path.join(dir, 'cases', '3.3.html'), 'utf8')).not.toContain('data-repeats');
  });
});

describe('the history with repeats', () => {
  const point = (runAt: string, verdicts: Record<string, string>, repeats?: HistoryPoint['repeats']): HistoryPoint => ({
    implementation: 'wslay',
    version: '1.1.1',
    runAt,
    verdicts,
    ...(repeats ? { repeats } : {}),
  });
  const points = [
    point('2026-01-01', { '3.3': 'OK', '3.4': 'OK' }, { '3.3': { runs: 3, verdicts: { OK: 3 } } }),
    // 3.3's repeats saw both verdicts: a timing-dependent flip. 3.4 was played once each time: a regression.
    point(
      '2026-01-02',
      { '3.3': 'NON-STRICT', '3.4': 'NON-STRICT' },
      { '3.3': { runs: 3, verdicts: { OK: 1, 'NON-STRICT': 2 } } },
    ),
    // Back to OK, within what the run before saw: a flip again.
    point('2026-01-03', { '3.3': 'OK' }, { '3.3': { runs: 3, verdicts: { OK: 3 } } }),
    // A verdict no run's repeats ever saw: a regression.
    point('2026-01-04', { '3.3': 'FAILED' }),
  ];

  it('lists a change within a seen set as timing-dependent, not as a regression or fix', () => {
    const steps = historySteps(points);
    expect(steps.map((s) => [s.regressions.map((c) => c.caseId), s.fixes.map((c) => c.caseId), s.timing])).toEqual([
      [[], [], []],
      [['3.4'], [], [{ caseId: '3.3', before: 'OK', after: 'NON-STRICT' }]],
      [[], [], [{ caseId: '3.3', before: 'NON-STRICT', after: 'OK' }]],
      [['3.3'], [], []],
    ]);
  });

  it('history.html says so, with the counts, and counts no change for a flip', async () => {
    const dir = await tempDir('timing-history');
    await writeReport(dir, { title: 't', generatedAt: 'now', history: points, columns: [] });
    const html = await readFile(path.join(dir, 'history.html'), 'utf8');
    expect(html).toMatch(/<tr data-run="3">.*?<span class="note">no change<\/span> · <a [^>]*>1 timing-dependent<\/a>/);
    expect(html).toMatch(/<tr data-run="2">.*?>1 change<\/a> · <a [^>]*>1 timing-dependent<\/a>/);
    expect(html).toContain('data-case="3.3" data-change="timing"');
    expect(html).toContain('<span class="note" data-repeats>(NON-STRICT 2/3, OK 1/3)</span>');
    expect(html).toContain('data-case="3.4" data-change="regression"');
    expect(html).toContain('data-case="3.3" data-change="regression"');
  });
});

describe('--expected with repeats', () => {
  const entry = (behavior: string, repeats?: Record<string, number>, code = 1002) => ({
    behavior,
    behaviorClose: 'OK',
    duration: 1,
    remoteCloseCode: code,
    reportfile: 'x.json',
    ...(repeats ? { repeats: { runs: Object.values(repeats).reduce((a, b) => a + b, 0), verdicts: repeats } } : {}),
  });
  const index = (e: object) => toExpected({ srv: { '3.3': e } } as unknown as AutobahnIndex);

  it('ignores the counts of the repeats but not the verdicts', () => {
    const expected = index(entry('NON-STRICT', { OK: 3, 'NON-STRICT': 2 }));
    // Other proportions, or no repeats at all, with the same verdict: no difference.
    expect(expectedDifferences(expected, index(entry('NON-STRICT', { OK: 1, 'NON-STRICT': 4 })))).toEqual([]);
    expect(expectedDifferences(expected, index(entry('NON-STRICT')))).toEqual([]);
    // A verdict within the seen set, even with another close code from that run's record: no difference.
    expect(expectedDifferences(expected, index(entry('OK', { OK: 5 }, 1000)))).toEqual([]);
    expect(expectedDifferences(index(entry('OK')), index(entry('NON-STRICT', { OK: 1, 'NON-STRICT': 1 })))).toEqual([]);
    // A verdict no repeat saw is a difference.
    expect(expectedDifferences(expected, index(entry('FAILED')))).toEqual([
      'srv 3.3: behavior expected "NON-STRICT", got "FAILED"',
    ]);
    // Repeated on both sides with one verdict each, and they differ: a difference.
    expect(expectedDifferences(index(entry('OK', { OK: 3 })), index(entry('NON-STRICT', { 'NON-STRICT': 3 })))).toEqual(
      ['srv 3.3: behavior expected "OK", got "NON-STRICT"'],
    );
    // Same verdict, another close code: still a difference (only a timing-dependent flip lets it go).
    expect(expectedDifferences(expected, index(entry('NON-STRICT', { 'NON-STRICT': 3 }, 1000)))).toEqual([
      'srv 3.3: remoteCloseCode expected 1002, got 1000',
    ]);
  });
});

describe('run files with repeats', () => {
  it('keep well-formed counts and drop a hand-edited entry', async () => {
    const root = await tempDir('timing-runs');
    const runs = path.join(root, 'wslay', '1.1.1', 'runs');
    await mkdir(runs, { recursive: true });
    await writeFile(
      path.join(runs, 'r.json'),
      JSON.stringify({
        implementation: 'wslay',
        version: '1.1.1',
        runAt: '2026-01-01T00:00:00.000Z',
        verdicts: { '3.3': 'NON-STRICT', '3.4': 'OK' },
        repeats: { '3.3': { runs: 3, verdicts: { OK: 1, 'NON-STRICT': 2 } }, '3.4': { runs: 'three', verdicts: {} } },
      }),
    );
    const [run] = await loadReleaseRuns(root, 'server');
    expect(run!.repeats).toEqual({ '3.3': { runs: 3, verdicts: { OK: 1, 'NON-STRICT': 2 } } });
  });
});

describe('wsmatrix report from stored results with repeats', () => {
  it('marks the timing-dependent case as the matrix report does', async () => {
    const root = await tempDir('timing-stored');
    const release = path.join(root, 'wslay', '1.1.1');
    await mkdir(release, { recursive: true });
    const entry = (behavior: string, extra: object = {}) => ({
      behavior,
      behaviorClose: 'OK',
      duration: 1,
      remoteCloseCode: 1002,
      reportfile: 'x.json',
      ...extra,
    });
    await writeFile(
      path.join(release, 'index.json'),
      JSON.stringify({
        wslay: {
          '3.3': entry('NON-STRICT', { repeats: { runs: 5, verdicts: { OK: 3, 'NON-STRICT': 2 } } }),
          '3.4': entry('OK'),
        },
      }),
    );
    const out = path.join(root, 'html');
    const r = await runMain(['report', release, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const html = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(html.match(/data-timing="[^"]*"/g)).toEqual(['data-timing="OK 3/5, NON-STRICT 2/5"']);
  });
});
