import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CaseResult } from '@wsmatrix/runner';
import { caseResult } from '@wsmatrix/runner/testing';
import {
  loadHistory,
  releaseDir,
  saveRun,
  type StoredRun,
  type StoredRunInfo,
  type StoredSummary,
} from '../src/results-store.js';
import { runMain } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

type Index = Record<string, Record<string, { behavior: string; behaviorClose: string }>>;

function result(
  id: string,
  behavior: CaseResult['behavior'],
  behaviorClose: CaseResult['behaviorClose'] = 'OK',
  connectFailure: CaseResult['connectFailure'] = null,
): CaseResult {
  return caseResult(id, { behavior, behaviorClose, duration: 5, connectFailure });
}

const down = (id: string): CaseResult =>
  result(id, 'FAILED', 'FAILED', { kind: 'refused', message: 'connect ECONNREFUSED 127.0.0.1:1' });

function info(runAt: string): StoredRunInfo {
  return {
    target: 'x',
    implementation: 'impl',
    version: '1.0.0',
    options: { socketLayer: 'net' },
    runAt,
    wsmatrixVersion: '0.1.0',
    durationMs: 10,
  };
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

describe('results store: a run merges into its release case by case', () => {
  it('a case not in the run keeps its stored verdict; the index never shrinks', async () => {
    const root = await tempDir('store');
    const dir = await saveRun(root, info('2026-01-01T00:00:00.000Z'), 'x', [
      result('1.1.1', 'OK'),
      result('1.1.2', 'FAILED'),
      result('2.1', 'NON-STRICT'),
    ]);
    await saveRun(root, info('2026-01-02T00:00:00.000Z'), 'x', [result('1.1.2', 'OK')]);
    const index = await readJson<Index>(path.join(dir, 'index.json'));
    expect(Object.keys(index.x!)).toEqual(['1.1.1', '1.1.2', '2.1']);
    expect(index.x!['1.1.2']!.behavior).toBe('OK');
    expect(index.x!['2.1']!.behavior).toBe('NON-STRICT');
    const summary = await readJson<StoredSummary>(path.join(dir, 'summary.json'));
    expect(summary.verdicts).toEqual({ '1.1.1': 'OK', '1.1.2': 'OK', '2.1': 'NON-STRICT' });
    expect(summary.totals).toEqual({ behavior: { OK: 2, 'NON-STRICT': 1 }, behaviorClose: { OK: 3 }, total: 3 });
    expect(summary.runAt).toBe('2026-01-02T00:00:00.000Z');
    expect(summary.options).toEqual({ socketLayer: 'net' });
  });

  it(
    'interrupted and target-down cases never replace a stored verdict, ' + 'and the run file says which they were',
    async () => {
      const root = await tempDir('store');
      const dir = await saveRun(root, info('2026-01-01T00:00:00.000Z'), 'x', [
        result('1.1.1', 'OK'),
        result('1.1.2', 'OK'),
        result('1.1.3', 'OK'),
      ]);
      await saveRun(root, info('2026-01-02T00:00:00.000Z'), 'x', [result('1.1.1', 'NON-STRICT'), down('1.1.2')], {
        interrupted: ['1.1.3'],
        interruptedBy: 'SIGINT',
      });
      const index = await readJson<Index>(path.join(dir, 'index.json'));
      expect(Object.fromEntries(Object.entries(index.x!).map(([id, e]) => [id, e.behavior]))).toEqual({
        '1.1.1': 'NON-STRICT',
        '1.1.2': 'OK',
        '1.1.3': 'OK',
      });
      const runs = (await readdir(path.join(dir, 'runs'))).sort();
      const last = await readJson<StoredRun>(path.join(dir, 'runs', runs[1]!));
      expect(last.verdicts).toEqual({ '1.1.1': 'NON-STRICT' });
      expect(last.targetDown).toEqual(['1.1.2']);
      expect(last.interrupted).toEqual(['1.1.3']);
      expect(last.interruptedBy).toBe('SIGINT');
    },
  );

  it('every run is kept as its own file, two runs at the same time included (nothing is pruned)', async () => {
    const root = await tempDir('store');
    for (let i = 0; i < 25; i++)
      await saveRun(root, info(`2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`), 'x', [result('1.1.1', 'OK')]);
    await saveRun(root, info('2026-01-01T00:00:00.000Z'), 'x', [result('1.1.1', 'FAILED')]);
    const dir = releaseDir(root, 'impl', '1.0.0');
    expect(await readdir(path.join(dir, 'runs'))).toHaveLength(26);
    expect(await loadHistory(root)).toHaveLength(26);
  });

  it('a stored index that is not JSON is never overwritten', async () => {
    const root = await tempDir('store');
    const dir = await saveRun(root, info('2026-01-01T00:00:00.000Z'), 'x', [result('1.1.1', 'OK')]);
    await writeFile(path.join(dir, 'index.json'), '{ truncated');
    await expect(saveRun(root, info('2026-01-02T00:00:00.000Z'), 'x', [result('1.1.1', 'OK')])).rejects.toThrow(
      /is not valid JSON/,
    );
    expect(await readFile(path.join(dir, 'index.json'), 'utf8')).toBe('{ truncated');
  });
});

describe('wsmatrix matrix on a few cases keeps the stored release whole', () => {
  it("--targets core --cases '1.1.*' --rerun leaves the stored core index whole, 1.1.* updated", async () => {
    const dir = await tempDir('store');
    const results = path.join(dir, 'results');
    const release = path.join(results, 'wsmatrix-core', '0.1.0');
    await cp(path.join(REPO, 'matrix', 'results', 'wsmatrix-core', '0.1.0'), release, { recursive: true });
    const before = await readJson<Index>(path.join(release, 'index.json'));
    const stored = Object.keys(before.core!).length;
    expect(stored).toBeGreaterThan(400);
    // Marks in the copy: a 1.1.* verdict the run must replace, and one outside the run it must keep.
    before.core!['1.1.1']!.behavior = 'FAILED';
    before.core!['2.1']!.behavior = 'NON-STRICT';
    await writeFile(path.join(release, 'index.json'), JSON.stringify(before));
    const runsBefore = await readdir(path.join(release, 'runs'));

    const r = await runMain([
      'matrix',
      '--targets',
      'core',
      '--cases',
      '1.1.*',
      '--results',
      results,
      '--report',
      path.join(dir, 'report'),
      // The copied runs may have measured 1.1.* with this very code: played again, not reused.
      '--rerun',
    ]);
    expect(r.code).toBe(0);
    const after = await readJson<Index>(path.join(release, 'index.json'));
    expect(Object.keys(after.core!)).toHaveLength(stored);
    expect(after.core!['1.1.1']!.behavior).toBe('OK');
    expect(after.core!['2.1']!.behavior).toBe('NON-STRICT');
    const summary = await readJson<StoredSummary>(path.join(release, 'summary.json'));
    expect(Object.keys(summary.verdicts)).toHaveLength(stored);
    expect(summary.totals.total).toBe(stored);
    const runsAfter = await readdir(path.join(release, 'runs'));
    expect(runsAfter).toHaveLength(runsBefore.length + 1);
    const newest = runsAfter.find((f) => !runsBefore.includes(f))!;
    expect(Object.keys((await readJson<StoredRun>(path.join(release, 'runs', newest))).verdicts)).toHaveLength(8);
  }, 60_000);
});

describe('a stored release the run could not be merged into', () => {
  it('is a usage error before anything is played: one line, exit 2, the stored file untouched', async () => {
    const dir = await tempDir('store');
    const results = path.join(dir, 'results');
    const release = path.join(results, 'wsmatrix-core', '0.1.0');
    await cp(path.join(REPO, 'matrix', 'results', 'wsmatrix-core', '0.1.0'), release, { recursive: true });
    await writeFile(path.join(release, 'index.json'), '{ "core": { "1.1.1": ');
    const runsBefore = await readdir(path.join(release, 'runs'));
    const r = await runMain([
      'matrix',
      '--targets',
      'core',
      '--cases',
      '1.1.1',
      '--results',
      results,
      '--report',
      path.join(dir, 'report'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^wsmatrix: --results: \S+index\.json is not valid JSON [^\n]*\n$/);
    expect(r.stdout).toBe('');
    expect(await readFile(path.join(release, 'index.json'), 'utf8')).toBe('{ "core": { "1.1.1": ');
    expect(await readdir(path.join(release, 'runs'))).toEqual(runsBefore);
  }, 60_000);
});
