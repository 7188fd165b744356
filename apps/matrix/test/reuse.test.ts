import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findReusable, reuseKey } from '../src/reuse.js';
import { runMain } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

const base = { implementation: 'ws', version: '8.0.0', role: 'server' as const, code: 'c0de', nodeMajor: '20' };

describe('reuse keys', () => {
  it('do not depend on the order of option keys', () => {
    expect(reuseKey({ ...base, options: { a: 1, b: { c: 2, d: 3 } } })).toBe(
      reuseKey({ ...base, options: { b: { d: 3, c: 2 }, a: 1 } }),
    );
  });

  it("change with the release, its options, the code, the Node line, the role and the column's own code", () => {
    const key = reuseKey({ ...base, options: { a: 1 } });
    const others = [
      reuseKey({ ...base, version: '8.0.1', options: { a: 1 } }),
      reuseKey({ ...base, options: { a: 2 } }),
      reuseKey({ ...base, code: 'beef', options: { a: 1 } }),
      reuseKey({ ...base, nodeMajor: '22', options: { a: 1 } }),
      reuseKey({ ...base, role: 'client', options: { a: 1 } }),
      reuseKey({ ...base, codeIdentity: 'f00d', options: { a: 1 } }),
    ];
    for (const other of others) expect(other).not.toBe(key);
  });
});

describe('wsmatrix matrix with stored results', () => {
  it('reuses what a run of the same code measured, says so, and --rerun plays again', async () => {
    const dir = await tempDir('reuse');
    const argv = (cases: string, ...more: string[]) => [
      'matrix',
      '--targets',
      'core',
      '--cases',
      cases,
      '--results',
      path.join(dir, 'results'),
      '--report',
      path.join(dir, 'report'),
      ...more,
    ];
    const first = await runMain(argv('1.1.1,1.1.2'));
    expect(first.code).toBe(0);
    expect(first.stdout).not.toMatch(/reused/);
    const runsDir = path.join(dir, 'results', 'wsmatrix-core', '0.1.0', 'runs');
    expect(await readdir(runsDir)).toHaveLength(1);

    // One case stored, one new: only the new one is played and stored as this run's.
    const second = await runMain(argv('1.1.1,1.1.2,2.1', '--json'));
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/core: 2 verdicts reused from the stored run of \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    const summary = JSON.parse(second.stdout) as { columns: Array<{ reused: number; totals: { total: number } }> };
    expect(summary.columns[0]!.reused).toBe(2);
    expect(summary.columns[0]!.totals.total).toBe(3);
    const files = (await readdir(runsDir)).sort();
    expect(files).toHaveLength(2);
    const stored = JSON.parse(await readFile(path.join(runsDir, files[1]!), 'utf8')) as {
      verdicts: Record<string, string>;
      reused: Record<string, number>;
    };
    expect(Object.keys(stored.verdicts)).toEqual(['2.1']);
    expect(Object.values(stored.reused)).toEqual([2]);
    // The report shows the reused verdicts as verdicts, and says where they came from.
    const html = await readFile(path.join(dir, 'report', 'index.html'), 'utf8');
    expect(html).toContain('2 verdicts reused');

    // Everything stored: nothing is played, no run file is added.
    const third = await runMain(argv('1.1.1,1.1.2,2.1'));
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/3 reused/);
    expect(await readdir(runsDir)).toHaveLength(2);

    const rerun = await runMain(argv('1.1.1,1.1.2,2.1', '--rerun'));
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).not.toMatch(/reused/);
    expect(await readdir(runsDir)).toHaveLength(3);
  }, 60_000);

  it('never reuses a run stored with another key', async () => {
    const dir = await tempDir('reuse-key');
    const results = path.join(dir, 'results');
    const first = await runMain([
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
    expect(first.code).toBe(0);
    const found = await findReusable(results, 'wsmatrix-core', '0.1.0', 'server', 'another-key', ['1.1.1']);
    expect(found.size).toBe(0);
  }, 60_000);
});
