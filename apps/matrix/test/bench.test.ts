import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/args.js';
import { benchCommand, benchSpec } from '../src/commands/bench.js';
import { tempDir } from './temp-dir.js';

const ctx = { stdout: (_text: string) => {}, stderr: (_text: string) => {}, signal: new AbortController().signal };

describe('wsmatrix bench: bad input is a UsageError (one line, exit 2)', () => {
  for (const argv of [
    ['--targets', 'nope'],
    ['--workloads', 'nope'],
    ['--duration', '0'],
    ['--duration', 'abc'],
    ['--duration', '-1'],
    ['--warmup', '1e3'],
    ['--runs', '0'],
    ['--quiet-wait', '-1'],
    ['--tcp-echo', 'fast'],
    ['--malloc', 'jemalloc'],
    ['--runtime', 'node'],
    ['--runtime'],
    ['--compare', 'one.json'],
    ['--compare', 'a.json,b.json', '--tolerance', 'x'],
    ['--compare', '/nonexistent/a.json,/nonexistent/b.json'],
    ['extra'],
  ]) {
    it(`bench ${argv.join(' ')}`, async () => {
      await expect(benchCommand.run(argv, ctx)).rejects.toThrow(UsageError);
    });
  }
});

describe('wsmatrix bench --runtime', () => {
  it('defaults to dist and takes tsx', () => {
    expect(parseArgs(benchSpec, []).flags.runtime).toBe('dist');
    expect(parseArgs(benchSpec, ['--runtime', 'tsx']).flags.runtime).toBe('tsx');
    expect(parseArgs(benchSpec, ['--runtime=dist']).flags.runtime).toBe('dist');
  });
  it('names the choices when the value is unknown', () => {
    expect(() => parseArgs(benchSpec, ['--runtime', 'node'])).toThrow(
      'unknown value for --runtime "node" (expected one of: dist, tsx)',
    );
  });
});

describe('wsmatrix bench --compare', () => {
  const cell = (target: string, median: number) => ({ workload: 'small-c1-f1', target, unit: 'msg/s', median });
  async function files(...medians: Array<[number, number]>): Promise<string[]> {
    const dir = await tempDir('compare');
    return Promise.all(
      medians.map(async ([core, ws], i) => {
        const file = path.join(dir, `${i}.json`);
        await writeFile(file, JSON.stringify({ cells: [cell('core', core), cell('ws', ws)] }));
        return file;
      }),
    );
  }
  function capture(): { ctx: typeof ctx; out: () => string } {
    let text = '';
    return {
      ctx: {
        ...ctx,
        stdout: (s: string) => {
          text += s;
        },
      },
      out: () => text,
    };
  }

  it('exits 0 when every median agrees within the tolerance, and prints the table', async () => {
    const { ctx: c, out } = capture();
    const list = (await files([100, 50], [105, 52], [108, 49])).join(',');
    expect(await benchCommand.run(['--compare', list], c)).toBe(0);
    expect(out()).toContain('2 of 2 medians agree within 10%');
  });
  it('exits 1 and names the widest cell when one does not', async () => {
    const { ctx: c, out } = capture();
    const list = (await files([100, 50], [125, 52])).join(',');
    expect(await benchCommand.run(['--compare', list], c)).toBe(1);
    expect(out()).toContain('widest: small-c1-f1 core 25.0%');
    expect(await benchCommand.run(['--compare', list, '--tolerance', '30'], c)).toBe(0);
  });
  it('a file that is not a bench result is a usage error', async () => {
    const [good] = await files([1, 1]);
    const bad = path.join(path.dirname(good!), 'bad.json');
    await writeFile(bad, '{"nope": 1}');
    await expect(benchCommand.run(['--compare', `${good},${bad}`], ctx)).rejects.toThrow(/not a wsmatrix bench result/);
  });
});
