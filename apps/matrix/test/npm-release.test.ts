/**
 * NAME@VERSION on the command line: bad specs are one line and exit 2 before anything starts; a real release of ws
 * from the npm registry (the registry is reachable where the tests run, here and in CI) runs in `run` and is stored
 * by `matrix` beside the other releases of ws. The cache is a temporary folder (WSMATRIX_CACHE_DIR).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { npmReleaseNames } from '@wsmatrix/targets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

/** npm downloads on a shared machine: a safety net, never a figure a test checks. */
const SAFETY_NET_MS = 180_000;

let dir: string;
let previousCache: string | undefined;
beforeAll(async () => {
  dir = await tempDir('npm-release');
  previousCache = process.env.WSMATRIX_CACHE_DIR;
  process.env.WSMATRIX_CACHE_DIR = path.join(dir, 'cache');
});
afterAll(async () => {
  if (previousCache === undefined) delete process.env.WSMATRIX_CACHE_DIR;
  else process.env.WSMATRIX_CACHE_DIR = previousCache;
  await rm(dir, { recursive: true, force: true });
});

describe('a bad NAME@VERSION: one line on stderr, exit 2, nothing installed', () => {
  const onDemand = npmReleaseNames().join(', ') || 'none';
  const cases: Array<[string[], string]> = [
    [['run', '--targets', 'ws@', '--cases', '1.1.1'], 'invalid release "ws@": no version after the @ (e.g. ws@1.2.3)'],
    [
      ['run', '--targets', 'core,ws@not a version', '--cases', '1.1.1'],
      'invalid release "ws@not a version": "not a version" is not a version, a range or a dist-tag ' +
        '(e.g. ws@1.2.3, ws@1, ws@latest)',
    ],
    [
      ['matrix', '--targets', 'nosuchlib@1.0.0', '--no-save', '--report', 'unused'],
      `invalid release "nosuchlib@1.0.0": no target runs the npm package "nosuchlib" (releases on demand: ${onDemand})`,
    ],
    [['serve', 'ws@'], 'invalid release "ws@": no version after the @ (e.g. ws@1.2.3)'],
    [['run', '--targets', 'nope', '--cases', '1.1.1'], 'unknown value for --targets "nope" (expected one of: '],
  ];
  for (const [argv, message] of cases) {
    it(`wsmatrix ${argv.join(' ')}`, async () => {
      const r = await runMain(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^wsmatrix: [^\n]+\n$/);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    });
  }

  it('the help of run, matrix and serve names NAME@VERSION', async () => {
    for (const command of ['run', 'matrix', 'serve']) {
      const r = await runMain([command, '--help']);
      expect(r.stdout).toContain('NAME@VERSION (an npm release)');
      expect(r.stdout).toContain('NAME@VERSION (ws@6.2.2, ws@6, bun@latest)');
    }
  });
});

// The ws releases run on the shipped `ws` definition (packages/targets/external/js/targets.json, included by the
// shipped targets file). Without it there is nothing to run them on; under CI that is a failure, not a skip.
const noWs = !npmReleaseNames().includes('ws') && !process.env.CI;

describe.skipIf(noWs)(
  `a real ws release from the registry${noWs ? ' (skipped: no shipped target runs the npm package ws)' : ''}`,
  { timeout: SAFETY_NET_MS },
  () => {
    it('a release the registry does not have is one line and exit 2', async () => {
      const r = await runMain(['run', '--targets', 'ws@99.0.0', '--cases', '1.1.1']);
      expect([r.code, r.stderr]).toEqual([
        2,
        'wsmatrix: no release "ws@99.0.0" in the npm registry: no release of ws matches "99.0.0"\n',
      ]);
    });

    it('run --targets ws@6.2.3 installs it and plays the cases against it', async () => {
      const out = path.join(dir, 'run');
      const r = await runMain(['run', '--targets', 'ws@6.2.3', '--cases', '1.1.*', '--out', out]);
      expect(r.stderr).toContain(`installing ws@6.2.3 from the npm registry into ${path.join(dir, 'cache', 'npm')}`);
      expect(r.stdout).toMatch(/started ws@6\.2\.3 \(ws 6\.2\.3\) on ws:\/\/127\.0\.0\.1:\d+\//);
      expect(r.stdout).toContain('ws@6.2.3: 8 cases played — behavior: OK 8');
      expect(r.code).toBe(0);
      const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8'));
      expect(Object.keys(index)).toEqual(['ws@6.2.3']);
    });

    it('matrix --targets ws@6 runs the newest 6.x and stores it under ws/<version>', async () => {
      const results = path.join(dir, 'results');
      const r = await runMain([
        'matrix',
        '--targets',
        'ws@6.2.3,ws@6',
        '--cases',
        '1.1.1,1.1.2',
        '--results',
        results,
        '--report',
        path.join(dir, 'report'),
      ]);
      expect(r.code).toBe(0);
      const releases = (await readdir(path.join(results, 'ws'))).sort();
      // ws@6 is the newest 6.x, which is at least 6.2.3: one folder per exact release, none named after a range.
      expect(releases).toContain('6.2.3');
      expect(releases.every((v) => /^6\.\d+\.\d+$/.test(v))).toBe(true);
      const index = JSON.parse(await readFile(path.join(results, 'ws', '6.2.3', 'index.json'), 'utf8'));
      expect(JSON.stringify(index)).toContain('1.1.2');
    });
  },
);
