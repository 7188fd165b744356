import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { stubNpm } from './npm-release-stub.js';

type ReleaseCache = typeof import('../src/npm-release/release-cache.js');

/**
 * A module instance of its own, as another wsmatrix process has: it shares the cache folder but not the
 * in-process bookkeeping that makes concurrent callers of one process share an install.
 */
async function anotherProcess(): Promise<ReleaseCache> {
  vi.resetModules();
  return import('../src/npm-release/release-cache.js');
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wsmatrix-npm-install-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the release cache: installs are atomic', () => {
  test('two processes installing one release: each into a folder of its own, the first renamed in stays', async () => {
    const cacheRoot = mkdtempSync(join(work, 'race-'));
    const [first, second] = [await anotherProcess(), await anotherProcess()];
    // Both installs are held inside npm until both have started, so neither finds the other's result.
    const started: string[] = [];
    let releaseBoth!: () => void;
    const bothStarted = new Promise<void>((resolve) => (releaseBoth = resolve));
    const hold = async (prefix: string) => {
      started.push(prefix);
      if (started.length === 2) releaseBoth();
      await bothStarted;
      // While both are in flight the release is not in the cache: a reader never sees half an install.
      expect(first.cachedRelease(cacheRoot, 'lib', '1.0.0')).toBeUndefined();
      expect(existsSync(join(cacheRoot, 'lib@1.0.0'))).toBe(false);
    };
    const a = stubNpm({ view: {}, beforeInstallWrites: hold, marker: 'first' });
    const b = stubNpm({ view: {}, beforeInstallWrites: hold, marker: 'second' });
    const [dirA, dirB] = await Promise.all([
      first.installRelease('lib', '1.0.0', { cacheRoot, npm: a.npm, spec: 'lib@1.0.0' }),
      second.installRelease('lib', '1.0.0', { cacheRoot, npm: b.npm, spec: 'lib@1.0.0' }),
    ]);
    expect(new Set(started).size).toBe(2);
    expect(started.every((p) => p.startsWith(join(cacheRoot, '.installing-lib@1.0.0-')))).toBe(true);
    const folder = join(cacheRoot, 'lib@1.0.0', 'node_modules', 'lib');
    expect([dirA, dirB]).toEqual([folder, folder]);
    expect(['first', 'second']).toContain(readFileSync(join(folder, 'marker.txt'), 'utf8'));
    // The loser's copy is gone, as is every temporary folder.
    expect(readdirSync(cacheRoot)).toEqual(['lib@1.0.0']);
  });

  test('an install that fails leaves no folder behind, and a later one succeeds', async () => {
    const cacheRoot = mkdtempSync(join(work, 'fail-'));
    const cache = await anotherProcess();
    const broken = stubNpm({ view: {}, installFails: 'npm error code EAI_AGAIN\nnpm error request failed\n' });
    await expect(cache.installRelease('lib', '2.0.0', { cacheRoot, npm: broken.npm, spec: 'lib@2' })).rejects.toThrow(
      'cannot install "lib@2" with npm: npm install lib@2.0.0 failed: request failed',
    );
    expect(readdirSync(cacheRoot)).toEqual([]);
    const working = stubNpm({ view: {} });
    await cache.installRelease('lib', '2.0.0', { cacheRoot, npm: working.npm, spec: 'lib@2' });
    expect(cache.cachedRelease(cacheRoot, 'lib', '2.0.0')).toBe(join(cacheRoot, 'lib@2.0.0', 'node_modules', 'lib'));
  });

  test('a release folder without its package (damaged) is replaced, not trusted', async () => {
    const cacheRoot = mkdtempSync(join(work, 'damaged-'));
    mkdirSync(join(cacheRoot, 'lib@3.0.0', 'node_modules'), { recursive: true });
    const cache = await anotherProcess();
    expect(cache.cachedRelease(cacheRoot, 'lib', '3.0.0')).toBeUndefined();
    const { npm, calls } = stubNpm({ view: {} });
    const dir = await cache.installRelease('lib', '3.0.0', { cacheRoot, npm, spec: 'lib@3.0.0' });
    expect(calls.map((c) => c[0])).toEqual(['install']);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version).toBe('3.0.0');
  });

  test('the temporary folder of an install whose process died is removed; a live one is left alone', async () => {
    const cacheRoot = mkdtempSync(join(work, 'abandoned-'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    const abandoned = join(cacheRoot, `.installing-lib@4.0.0-${deadPid}-0badf00d`);
    const live = join(cacheRoot, `.installing-lib@4.0.0-${process.pid}-0000cafe`);
    for (const dir of [abandoned, live]) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'partial'), '');
    }
    const cache = await anotherProcess();
    await cache.installRelease('lib', '4.0.0', { cacheRoot, npm: stubNpm({ view: {} }).npm, spec: 'lib@4.0.0' });
    expect(existsSync(abandoned)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});
