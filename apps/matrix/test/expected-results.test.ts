import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { autobahnJson, type AutobahnIndex } from '@wsmatrix/runner';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/args.js';
import { expectedDifferences, readExpected, toExpected, writeExpected } from '../src/expected-results.js';
import { tempDir } from './temp-dir.js';

const entry = (behavior: string, behaviorClose: string, duration: number, code: number | null = 1000) => ({
  behavior,
  behaviorClose,
  duration,
  remoteCloseCode: code,
  reportfile: `x_${duration}.json`,
});

const run = (overrides: Record<string, unknown> = {}): AutobahnIndex =>
  ({
    srv: { '1.1.1': entry('OK', 'OK', 3), '1.1.2': entry('OK', 'OK', 4), ...overrides },
  }) as unknown as AutobahnIndex;

describe('expected results', () => {
  it('durations and report file names are ignored', () => {
    const a = toExpected(run());
    const b = toExpected({
      srv: { '1.1.1': entry('OK', 'OK', 900), '1.1.2': entry('OK', 'OK', 1) },
    } as unknown as AutobahnIndex);
    expect(expectedDifferences(a, b)).toEqual([]);
  });

  it('each other difference is one line: verdicts, close code, cases and agents added or missing', () => {
    const expected = toExpected(run());
    const actual = toExpected({
      srv: { '1.1.1': entry('NON-STRICT', 'OK', 3), '1.1.2': entry('OK', 'OK', 4, 1002), '2.1': entry('OK', 'OK', 1) },
      other: { '1.1.1': entry('OK', 'OK', 1) },
    } as unknown as AutobahnIndex);
    expect(expectedDifferences(expected, actual)).toEqual([
      'other: agent not expected (1 cases played)',
      'srv 1.1.1: behavior expected "OK", got "NON-STRICT"',
      'srv 1.1.2: remoteCloseCode expected 1000, got 1002',
      'srv 2.1: case not expected (got OK/OK)',
    ]);
    expect(expectedDifferences(actual, expected)).toEqual([
      'other: agent expected but not played (1 cases expected)',
      'srv 1.1.1: behavior expected "NON-STRICT", got "OK"',
      'srv 1.1.2: remoteCloseCode expected 1002, got 1000',
      'srv 2.1: case expected (OK/OK) but not played',
    ]);
  });

  it('writeExpected stores the index without durations in index.json format; readExpected reads it', async () => {
    const dir = await tempDir('expected');
    const file = path.join(dir, 'expected.json');
    await writeExpected(file, run());
    const text = await readFile(file, 'utf8');
    expect(text).toBe(autobahnJson(toExpected(run())));
    expect(text).not.toMatch(/duration|reportfile/);
    expect(expectedDifferences(await readExpected(file), toExpected(run()))).toEqual([]);
  });

  it('a missing, non-JSON or wrongly shaped file is a usage error naming it', async () => {
    const dir = await tempDir('expected');
    await expect(readExpected(path.join(dir, 'none.json'))).rejects.toThrow(UsageError);
    await writeFile(path.join(dir, 'bad.json'), '{');
    await expect(readExpected(path.join(dir, 'bad.json'))).rejects.toThrow(/bad\.json is not valid JSON/);
    await writeFile(path.join(dir, 'list.json'), '[1]');
    await expect(readExpected(path.join(dir, 'list.json'))).rejects.toThrow(/list\.json is not an index\.json/);
  });
});

describe('autobahnJson', () => {
  it('writes as AutobahnPython json.dumps(sort_keys, indent 3, ensure_ascii): keys sorted as strings', () => {
    const text = autobahnJson({ b: [1, { z: null, a: 'é' }], a: {}, '9': 1, '10': [] });
    expect(text).toBe(
      [
        '{',
        '   "10": [],',
        '   "9": 1,',
        '   "a": {},',
        '   "b": [',
        '      1,',
        '      {',
        '         "a": "\\u00e9",',
        '         "z": null',
        '      }',
        '   ]',
        '}',
      ].join('\n'),
    );
  });
});
