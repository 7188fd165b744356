/** `wsmatrix bench --warmup-round`, and `--compare` of results stored with the dropped machine-speed probe. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/args.js';
import { benchCommand, benchSpec } from '../src/commands/bench.js';
import { tempDir } from './temp-dir.js';

const ctx = { stdout: (_text: string) => {}, stderr: (_text: string) => {}, signal: new AbortController().signal };

describe('wsmatrix bench --warmup-round', () => {
  it('defaults to 1 s and takes 0 (off) and decimals', () => {
    expect(parseArgs(benchSpec, []).flags['warmup-round']).toBe('1');
    expect(parseArgs(benchSpec, ['--warmup-round', '0']).flags['warmup-round']).toBe('0');
    expect(parseArgs(benchSpec, ['--warmup-round=2.5']).flags['warmup-round']).toBe('2.5');
  });
  for (const bad of ['-1', 'x', '1e3', '601']) {
    it(`--warmup-round ${bad} is a one-line usage error`, async () => {
      await expect(benchCommand.run(['--warmup-round', bad], ctx)).rejects.toThrow(UsageError);
      await expect(benchCommand.run(['--warmup-round', bad], ctx)).rejects.toThrow(
        /^--warmup-round must be a number of seconds from 0 up to 600, got "[^"\n]*"$/,
      );
    });
  }
});

describe('wsmatrix bench --compare of results stored with probe fields', () => {
  async function files(...cells: Array<{ median: number; normalizedMedian?: number }>): Promise<string> {
    const dir = await tempDir('normalized');
    const names = await Promise.all(
      cells.map(async (c, i) => {
        const file = path.join(dir, `${i}.json`);
        await writeFile(
          file,
          JSON.stringify({ cells: [{ workload: 'handshake-l16', target: 'core', unit: 'conn/s', ...c }] }),
        );
        return file;
      }),
    );
    return names.join(',');
  }
  it('compares their medians; their normalised figures are ignored', async () => {
    let out = '';
    const c = {
      ...ctx,
      stdout: (s: string) => {
        out += s;
      },
    };
    const list = await files(
      { median: 7000, normalizedMedian: 9000 },
      { median: 7100, normalizedMedian: 5000 },
      { median: 7000 },
    );
    expect(await benchCommand.run(['--compare', list], c)).toBe(0);
    expect(out).toContain('1 of 1 medians agree within 10%');
  });
  it('--of no longer takes the normalised figure, and names the choices', () => {
    expect(() => parseArgs(benchSpec, ['--of', 'normalized'])).toThrow(UsageError);
    expect(() => parseArgs(benchSpec, ['--of', 'speed'])).toThrow(
      /median, ratioToWs, ratioToTcp, pairedRatioToWs, pairedRatioToTcp\b/,
    );
  });
});
