/**
 * The one test that asks the real npm registry: a small real release of ws is installed into a temporary cache,
 * started by a definition of this test's own (npm-release-echo.mjs) and echoes; asked for again, it comes from
 * the cache without npm. The registry is reachable where the tests run (here and in CI).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resolveTarget, type CommandTarget, type NpmRunner } from '../src/index.js';
import { runNpm } from '../src/npm-release/npm-runner.js';
import { closed, nextMessage, openClient } from './helpers.js';

/** npm downloads on a shared machine: a safety net, never a figure the test checks. */
const SAFETY_NET_MS = 180_000;
const ECHO = fileURLToPath(new URL('./npm-release-echo.mjs', import.meta.url));

let work: string;
let targetsFile: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wsmatrix-npm-real-'));
  targetsFile = join(work, 'targets.json');
  const ws = {
    name: 'ws',
    implementation: 'ws',
    npm: 'ws',
    version: { npm: true },
    command: [process.execPath, ECHO, '{package}', '{port}'],
  };
  writeFileSync(targetsFile, JSON.stringify({ targets: [ws] }));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a real release from the npm registry', { timeout: SAFETY_NET_MS }, () => {
  test('ws@6.2.3 is installed into the cache once, runs as column ws@6.2.3 and echoes text and binary', async () => {
    const calls: string[] = [];
    const npm: NpmRunner = (args, options) => {
      calls.push(args[0]!);
      return runNpm(args, options);
    };
    const cacheDir = join(work, 'cache');
    const options = { targetsFile, cacheDir, npm };
    const target = (await resolveTarget('ws@6.2.3', options)) as CommandTarget;
    expect(calls).toEqual(['view', 'install']);
    expect([target.name, target.implementation, target.version]).toEqual(['ws@6.2.3', 'ws', '6.2.3']);
    expect(existsSync(join(cacheDir, 'npm', 'ws@6.2.3', 'node_modules', 'ws', 'lib', 'websocket.js'))).toBe(true);

    const running = await target.start({ port: 0 });
    try {
      const ws = await openClient(running.url);
      const text = nextMessage(ws, 10_000);
      ws.send('héllo', { binary: false });
      const echoed = await text;
      expect([echoed.isBinary, echoed.data.toString('utf8')]).toEqual([false, 'héllo']);
      const binary = nextMessage(ws, 10_000);
      ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
      const got = await binary;
      expect([got.isBinary, [...got.data]]).toEqual([true, [0, 1, 2, 255]]);
      const closing = closed(ws, 10_000);
      ws.close(1000);
      expect((await closing).code).toBe(1000);
    } finally {
      await running.close();
    }

    calls.length = 0;
    const again = await resolveTarget('ws@6.2.3', options);
    expect(again.version).toBe('6.2.3');
    expect(calls).toEqual([]);
  });
});
