/**
 * Making the benchmark's targets ready: names resolved once each, a release named by its exact version, a bad
 * name thrown before anything starts, and a target that cannot run here turned into a row that says why.
 */
import {
  createCommandTarget,
  InvalidReleaseSpecError,
  ReleaseInstallError,
  ReleaseNotFoundError,
  UnknownTargetError,
  type CommandTargetDefinition,
  type EchoTarget,
} from '@wsmatrix/targets';
import { describe, expect, it } from 'vitest';
import { isBadTargetName, prepareTargets } from '../src/bench-targets.js';

/** An in-process target that counts its starts (the bench starts embedded targets in their own process only). */
function embedded(name: string): EchoTarget & { starts: number } {
  const target = {
    name,
    implementation: name,
    version: '1.0.0',
    options: {},
    starts: 0,
    async start() {
      target.starts++;
      throw new Error('an embedded target is not started by prepareTargets');
    },
  };
  return target;
}

function byCommand(name: string, command: string[], requires: CommandTargetDefinition['requires'] = []) {
  const definition: CommandTargetDefinition = {
    name,
    implementation: name,
    requires,
    version: { run: ['echo', '1.0.0'] },
    command,
    options: {},
    readyTimeoutMs: 5_000,
  };
  return createCommandTarget(definition, { dir: process.cwd() });
}

/** A resolver over a fixed table, counting the calls per name. */
function resolver(table: Record<string, () => EchoTarget>) {
  const calls: string[] = [];
  return {
    calls,
    resolve: async (name: string): Promise<EchoTarget> => {
      calls.push(name);
      const make = table[name];
      if (!make) throw new UnknownTargetError(name, Object.keys(table));
      return make();
    },
  };
}

describe('prepareTargets', () => {
  it('resolves each name once, tcp never, and starts no embedded target', async () => {
    const ws = embedded('ws');
    const { calls, resolve } = resolver({ ws: () => ws });
    expect(await prepareTargets(['ws', 'tcp'], resolve)).toEqual([
      { asked: 'ws', name: 'ws' },
      { asked: 'tcp', name: 'tcp' },
    ]);
    expect(calls).toEqual(['ws']);
    expect(ws.starts).toBe(0);
  });

  it('names a release by its exact version, and two specs of one release are one target', async () => {
    const release = () => embedded('ws@6.2.2');
    const { resolve } = resolver({ 'ws@6': release, 'ws@6.2.2': release });
    expect(await prepareTargets(['ws@6', 'ws@6.2.2'], resolve)).toEqual([{ asked: 'ws@6', name: 'ws@6.2.2' }]);
  });

  for (const error of [
    new UnknownTargetError('nope', ['ws']),
    new InvalidReleaseSpecError('ws@', 'no version'),
    new ReleaseNotFoundError('ws@99.0.0', 'no such version'),
  ]) {
    it(`throws ${error.name} (the user's to fix) before trying any target`, async () => {
      const broken = byCommand('broken', ['sh', '-c', 'exit 3', 'sh', '{port}']);
      let started = 0;
      const counted: EchoTarget = {
        ...broken,
        start: (o) => {
          started++;
          return broken.start(o);
        },
      };
      const resolve = async (name: string) => {
        if (name === 'first') return counted;
        throw error;
      };
      await expect(prepareTargets(['first', 'bad'], resolve)).rejects.toBe(error);
      expect(started).toBe(0);
      expect(isBadTargetName(error)).toBe(true);
    });
  }

  it('a release npm cannot install is a row that says why; the next name still resolves', async () => {
    const failing = async (name: string): Promise<EchoTarget> => {
      if (name === 'ws@6.2.2') throw new ReleaseInstallError(name, 'npm install failed: ENOTFOUND registry');
      return embedded(name);
    };
    const ready = await prepareTargets(['ws@6.2.2', 'ws'], failing);
    expect(ready).toEqual([
      {
        asked: 'ws@6.2.2',
        name: 'ws@6.2.2',
        error: 'cannot install "ws@6.2.2" with npm: npm install failed: ENOTFOUND registry',
      },
      { asked: 'ws', name: 'ws' },
    ]);
    expect(isBadTargetName(new ReleaseInstallError('x@1', 'offline'))).toBe(false);
  });

  it('an external target whose toolchain is missing is unavailable, and is never started', async () => {
    const missing = byCommand(
      'missing',
      ['sh', '-c', 'exit 0', 'sh', '{port}'],
      [{ run: ['false'], missing: 'no such toolchain here' }],
    );
    const ready = await prepareTargets(['missing'], async () => missing);
    expect(ready).toEqual([{ asked: 'missing', name: 'missing', error: 'unavailable: no such toolchain here' }]);
  });

  it('an external target that exits instead of listening is a row with the first line of why', async () => {
    const broken = byCommand('broken', ['sh', '-c', 'echo "bind: permission denied" >&2; exit 3', 'sh', '{port}']);
    const [ready] = await prepareTargets(['broken'], async () => broken);
    expect(ready!.error).toMatch(/^target "broken" did not start: .*exit/);
    expect(ready!.error).not.toContain('\n');
  }, 20_000);

  it('an external target that starts is stopped again and ready for its server process', async () => {
    const listening = byCommand('listening', [
      process.execPath,
      '-e',
      'require("node:net").createServer().listen(Number(process.argv[1]), "127.0.0.1")',
      '{port}',
    ]);
    expect(await prepareTargets(['listening'], async () => listening)).toEqual([
      { asked: 'listening', name: 'listening' },
    ]);
  }, 20_000);
});
