import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createCommandTarget,
  InvalidTargetsFileError,
  loadCommandTargets,
  parseTargetsJson,
  readTargetsFiles,
} from '../src/index.js';
import { buildOnce } from '../src/external/build.js';

const base = { name: 't', implementation: 't', version: { run: ['true'] }, command: ['srv', '{port}'] };

/** The problems a one-target file has, as InvalidTargetsFileError lists them. */
function problems(target: Record<string, unknown>): string[] {
  try {
    parseTargetsJson({ targets: [target] }, 'f.json');
    return [];
  } catch (err) {
    if (!(err instanceof InvalidTargetsFileError)) throw err;
    return err.lines;
  }
}

describe('definitions: npm, {package}, version { npm: true }, maxMessageSize', () => {
  test('{package} needs the target to name its npm package, wherever it is used', () => {
    const pkg = '{package}/bin/server';
    expect(problems({ ...base, command: [pkg, '{port}'] })).toEqual([
      'f.json: targets[0].command uses {package} but the target names no "npm" package',
    ]);
    expect(problems({ ...base, requires: [{ run: ['test', '-x', pkg], missing: 'm' }] })).toEqual([
      'f.json: targets[0].requires[0].run uses {package} but the target names no "npm" package',
    ]);
    expect(problems({ ...base, version: { run: [pkg, '--version'] } })).toEqual([
      'f.json: targets[0].version.run uses {package} but the target names no "npm" package',
    ]);
    const build = { inputs: ['a.c'], output: 'srv', run: ['cc', '-I{package}', '-o', '{output}', 'a.c'] };
    expect(problems({ ...base, build })).toEqual([
      'f.json: targets[0].build.run uses {package} but the target names no "npm" package',
    ]);
    expect(problems({ ...base, npm: 'bun', command: [pkg, '{port}'], version: { run: [pkg, '--version'] } })).toEqual(
      [],
    );
  });

  test('version { npm: true } needs an npm package, and is only that', () => {
    expect(problems({ ...base, version: { npm: true } })).toEqual([
      'f.json: targets[0].version { "npm": true } needs the target\'s "npm" package',
    ]);
    const shape = 'f.json: targets[0].version must be { run: [...], match?: "regex" } or { npm: true }';
    expect(problems({ ...base, npm: 'ws', version: { npm: 'yes' } })).toEqual([shape]);
    expect(problems({ ...base, npm: 'ws', version: { npm: true, run: ['x'] } })).toEqual([shape]);
    const [def] = parseTargetsJson({ targets: [{ ...base, npm: 'ws', version: { npm: true } }] }, 'f.json');
    expect(def!.version).toEqual({ npm: true });
    expect(def!.npm).toBe('ws');
  });

  test('npm must be an npm package name', () => {
    expect(problems({ ...base, npm: 'Not A Name' })).toEqual([
      'f.json: targets[0].npm "Not A Name" is not an npm package name',
    ]);
    expect(problems({ ...base, npm: '' })).toEqual(['f.json: targets[0].npm must be a non-empty string']);
    expect(problems({ ...base, npm: '@oven/bun-linux-x64' })).toEqual([]);
  });

  test('maxMessageSize: a positive integer, on the CommandTarget as it is configured', () => {
    for (const bad of [0, -1, 1.5, '16MiB', null]) {
      expect(problems({ ...base, maxMessageSize: bad })).toEqual([
        'f.json: targets[0].maxMessageSize must be a positive integer (bytes)',
      ]);
    }
    const [limited, unlimited] = parseTargetsJson(
      {
        targets: [
          { ...base, maxMessageSize: 16 * 1024 * 1024 },
          { ...base, name: 'u' },
        ],
      },
      'f.json',
    );
    expect(createCommandTarget(limited!, { dir: '.' }).maxMessageSize).toBe(16 * 1024 * 1024);
    expect('maxMessageSize' in createCommandTarget(unlimited!, { dir: '.' })).toBe(false);
  });

  test('a variant name may carry a + (ws+deflate); other characters are still refused', () => {
    expect(problems({ ...base, name: 'bun+deflate' })).toEqual([]);
    expect(problems({ ...base, name: 'bun@1' })).toEqual([
      'f.json: targets[0].name "bun@1" must be lower-case letters, digits, . _ - +',
    ]);
  });
});

describe('include: the targets of other files, after the top-level file', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'wsmatrix-include-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** A target whose requirement holds only in its own file's folder: {dir}/NAME.here is written there alone. */
  const target = (name: string) => ({
    ...base,
    name,
    version: { run: ['echo', '1.0.0'] },
    requires: [{ run: ['test', '-f', `{dir}/${name}.here`], missing: `${name}: {dir} is not its file's folder` }],
  });

  function write(path: string, json: { targets?: Array<{ name: string }> } & Record<string, unknown>): string {
    const file = join(work, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(json));
    for (const { name } of json.targets ?? []) writeFileSync(join(dirname(file), `${name}.here`), '');
    return file;
  }

  test("targets follow in list order, each with its own file's folder; a file may hold only clients", () => {
    const top = write('order/targets.json', {
      include: ['go/targets.json', 'js/targets.json'],
      targets: [target('wslay')],
    });
    write('order/go/targets.json', { targets: [target('gorilla'), target('nhooyr')] });
    write('order/js/targets.json', { targets: [target('bun')], include: ['more/targets.json'] });
    const client = { ...base, name: 'only-clients', command: ['driver', '{url}', '{agent}'] };
    write('order/js/more/targets.json', { clients: [client] });
    const targets = loadCommandTargets(top, join(work, 'builds'));
    expect(targets.map((t) => t.name)).toEqual(['wslay', 'gorilla', 'nhooyr', 'bun']);
    expect(targets.map((t) => t.unavailableReason())).toEqual([undefined, undefined, undefined, undefined]);
    expect(readTargetsFiles(top).map((f) => f.path.slice(work.length))).toEqual([
      '/order/targets.json',
      '/order/go/targets.json',
      '/order/js/targets.json',
      '/order/js/more/targets.json',
    ]);
  });

  test('a name two files define is an error naming both', () => {
    const top = write('dup/targets.json', { include: ['a/targets.json'], targets: [target('bun')] });
    write('dup/a/targets.json', { targets: [target('bun')] });
    expect(() => readTargetsFiles(top)).toThrow(
      `${top}: target name "bun" is defined in ${top} and in ${join(work, 'dup/a/targets.json')}`,
    );
  });

  test('an include loop, a missing file and a malformed list are errors', () => {
    const loop = write('loop/targets.json', { include: ['b/targets.json'], targets: [] });
    const b = write('loop/b/targets.json', { include: ['../targets.json'] });
    expect(() => readTargetsFiles(loop)).toThrow(`${b}: includes ${loop}, which includes it back`);

    const missing = write('missing/targets.json', { include: ['nope/targets.json'], targets: [] });
    expect(() => readTargetsFiles(missing)).toThrow(InvalidTargetsFileError);
    expect(() => readTargetsFiles(missing)).toThrow(join(work, 'missing/nope/targets.json'));

    const malformed = write('malformed/targets.json', { include: 'go/targets.json', targets: [] });
    expect(() => readTargetsFiles(malformed)).toThrow(
      `${malformed}: "include" must be a non-empty array of paths (relative to this file)`,
    );
  });
});

describe('{package} in a build', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'wsmatrix-package-build-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('is the package folder, and another release of the package is another build', async () => {
    const releases = ['1.0.0', '2.0.0'].map((v) => {
      const dir = join(work, `lib@${v}`, 'node_modules', 'lib');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'source.txt'), `release ${v}`);
      return dir;
    });
    writeFileSync(join(work, 'input.txt'), '');
    const spec = { inputs: ['input.txt'], output: 'server', run: ['cp', '{package}/source.txt', '{output}'] };
    const cache = join(work, 'cache');
    const built = await Promise.all(releases.map((dir) => buildOnce(spec, work, cache, dir)));
    expect(built[0]).not.toBe(built[1]);
    expect(built.map((path) => readFileSync(path, 'utf8'))).toEqual(['release 1.0.0', 'release 2.0.0']);
  });
});
