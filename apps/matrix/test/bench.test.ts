import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/args.js';
import { benchCommand } from '../src/commands/bench.js';

const ctx = { stdout: () => {}, stderr: () => {}, shutdown: Promise.resolve('test') };

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
    ['extra'],
  ]) {
    it(`bench ${argv.join(' ')}`, async () => {
      await expect(benchCommand.run(argv, ctx)).rejects.toThrow(UsageError);
    });
  }
});
