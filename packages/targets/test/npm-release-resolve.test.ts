import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  findPackage,
  InvalidReleaseSpecError,
  loadCommandTargets,
  ReleaseInstallError,
  ReleaseNotFoundError,
  resolveTarget,
  UnknownTargetError,
  type CommandTarget,
  type ResolveTargetOptions,
} from '../src/index.js';
import { stubNpm, type StubOptions } from './npm-release-stub.js';

/** A safety net for tests that start a process; never a figure a test checks. */
const SAFETY_NET_MS = 30_000;

let work: string;
let targetsFile: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wsmatrix-npm-release-'));
  targetsFile = join(work, 'targets.json');
  const server = (...extra: string[]) => [process.execPath, '{package}/server.mjs', '{port}', ...extra];
  writeFileSync(
    targetsFile,
    JSON.stringify({
      targets: [
        { name: 'lib', implementation: 'lib', npm: 'lib', version: { npm: true }, command: server(), options: {} },
        {
          name: 'lib+deflate',
          implementation: 'lib',
          npm: 'lib',
          version: { npm: true },
          command: server('--deflate'),
          options: { compression: true },
        },
        { name: 'runtime', implementation: 'runtime', npm: 'rt-pkg', version: { npm: true }, command: server() },
        { name: 'plain', implementation: 'plain', version: { run: ['true'] }, command: ['srv', '{port}'] },
        { name: 'repo-ws', implementation: 'ws', npm: 'ws', version: { npm: true }, command: server() },
        {
          name: 'not-installed',
          implementation: 'x',
          npm: 'wsmatrix-no-such-package-installed',
          version: { npm: true },
          command: server(),
        },
      ],
    }),
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A cache of its own per test, and the options resolveTarget gets. */
function setup(stub: StubOptions): { options: ResolveTargetOptions; calls: string[][]; cache: string } {
  const cache = mkdtempSync(join(work, 'cache-'));
  const { npm, calls } = stubNpm(stub);
  return { options: { targetsFile, cacheDir: cache, npm }, calls, cache };
}

/** What the stub package's server says about itself: its folder (what {package} was) and its arguments. */
async function askServer(target: CommandTarget): Promise<{ dir: string; argv: string[] }> {
  const running = await target.start({ port: 0 });
  try {
    return await new Promise((resolve, reject) => {
      let text = '';
      const socket = connect(running.port, running.host);
      socket.on('data', (c) => (text += c.toString()));
      socket.on('end', () => resolve(JSON.parse(text)));
      socket.on('error', reject);
    });
  } finally {
    await running.close();
  }
}

const verbs = (calls: string[][]) => calls.map((c) => `${c[0]} ${c.at(-1) === '--json' ? c[1] : c.at(-1)}`);

describe('resolveTarget: NAME@VERSION with npm stubbed', { timeout: SAFETY_NET_MS }, () => {
  test('a range runs the newest release npm names, installed under <cache>/npm/<name>@<version>', async () => {
    // npm view lists a range's matches in publication order, not sorted.
    const { options, calls, cache } = setup({ view: { 'lib@6': ['6.1.4', '6.1.3', '6.2.10', '6.2.9'] } });
    const target = (await resolveTarget('lib@6', options)) as CommandTarget;
    expect([target.name, target.implementation, target.version]).toEqual(['lib@6.2.10', 'lib', '6.2.10']);
    expect(target.unavailableReason()).toBeUndefined();
    expect(verbs(calls)).toEqual(['view lib@6', 'install lib@6.2.10']);
    const install = calls[1]!;
    expect(install).toEqual(expect.arrayContaining(['--no-save', '--no-audit', '--no-fund', '--ignore-scripts']));
    const folder = join(cache, 'npm', 'lib@6.2.10', 'node_modules', 'lib');
    expect(JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).version).toBe('6.2.10');
    // The server ran from the cache's folder: {package} stood for it.
    const said = await askServer(target);
    expect(said.dir).toBe(folder);
    expect(said.argv).toEqual([String(said.argv[0])]);
  });

  test('a release in the cache is not installed again; an exact one does not even ask the registry', async () => {
    const { options, calls } = setup({ view: { 'lib@6.2.2': '6.2.2', 'lib@^6.2': ['6.2.0', '6.2.2'] } });
    await resolveTarget('lib@6.2.2', options);
    expect(verbs(calls)).toEqual(['view lib@6.2.2', 'install lib@6.2.2']);
    calls.length = 0;
    const again = await resolveTarget('lib@6.2.2', options);
    expect(again.version).toBe('6.2.2');
    expect(calls).toEqual([]);
    // A range may name a newer release tomorrow: it asks, but finds the one it names installed.
    const viaRange = await resolveTarget('lib@^6.2', options);
    expect(viaRange.name).toBe('lib@6.2.2');
    expect(verbs(calls)).toEqual(['view lib@^6.2']);
  });

  test('concurrent resolves of one release in one process install it once', async () => {
    const { options, calls } = setup({ view: { 'lib@1.0.0': '1.0.0' } });
    const targets = await Promise.all([1, 2, 3].map(() => resolveTarget('lib@1.0.0', options)));
    expect(targets.map((t) => t.version)).toEqual(['1.0.0', '1.0.0', '1.0.0']);
    expect(calls.filter((c) => c[0] === 'install')).toHaveLength(1);
  });

  test('a variant (lib+deflate@…) runs its own definition on the release of its npm package', async () => {
    const { options, calls } = setup({ view: { 'lib@latest': '7.0.1' } });
    const target = (await resolveTarget('lib+deflate@latest', options)) as CommandTarget;
    expect([target.name, target.implementation, target.options]).toEqual([
      'lib+deflate@7.0.1',
      'lib',
      { compression: true },
    ]);
    expect(verbs(calls)).toEqual(['view lib@latest', 'install lib@7.0.1']);
    expect((await askServer(target)).argv.slice(1)).toEqual(['--deflate']);
  });

  test('the npm package name finds the target that runs it (rt-pkg@… → runtime)', async () => {
    const { options } = setup({ view: { 'rt-pkg@2.0.0': '2.0.0' } });
    const target = await resolveTarget('rt-pkg@2.0.0', options);
    expect([target.name, target.implementation]).toEqual(['runtime@2.0.0', 'runtime']);
  });

  test('only a package with an install script of its own has it run (npm rebuild), before it is in place', async () => {
    const { options, calls, cache } = setup({
      view: { 'rt-pkg@2.0.0': '2.0.0', 'lib@1.0.0': '1.0.0' },
      withInstallScript: ['rt-pkg'],
    });
    await resolveTarget('rt-pkg@2.0.0', options);
    await resolveTarget('lib@1.0.0', options);
    expect(verbs(calls)).toEqual([
      'view rt-pkg@2.0.0',
      'install rt-pkg@2.0.0',
      'rebuild rt-pkg',
      'view lib@1.0.0',
      'install lib@1.0.0',
    ]);
    const rebuild = calls[2]!;
    expect(rebuild[rebuild.indexOf('--prefix') + 1]).toBe(calls[1]![calls[1]!.indexOf('--prefix') + 1]);
    expect(existsSync(join(cache, 'npm', 'rt-pkg@2.0.0', 'node_modules', 'rt-pkg', 'built.txt'))).toBe(true);
    expect(existsSync(join(cache, 'npm', 'lib@1.0.0', 'node_modules', 'lib', 'built.txt'))).toBe(false);
  });
});

describe('resolveTarget: what is refused, in one line', () => {
  test('a release the registry does not have: ReleaseNotFoundError, nothing installed', async () => {
    const { options, calls, cache } = setup({
      view: { 'lib@99.0.0': { error: 'E404', summary: 'No match found for version 99.0.0' } },
    });
    const err = await resolveTarget('lib@99.0.0', options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReleaseNotFoundError);
    expect((err as Error).message).toBe(
      'no release "lib@99.0.0" in the npm registry: no release of lib matches "99.0.0"',
    );
    expect(verbs(calls)).toEqual(['view lib@99.0.0']);
    expect(readdirSync(join(cache, 'npm'))).toEqual([]);
  });

  test('a package the registry does not have', async () => {
    const { options } = setup({ view: {} });
    await expect(resolveTarget('lib@1.0.0', options)).rejects.toThrow(
      'no release "lib@1.0.0" in the npm registry: the registry has no package "lib"',
    );
  });

  test('a name no target runs on, or a target on no npm package: InvalidReleaseSpecError, npm not asked', async () => {
    const { options, calls } = setup({ view: {} });
    const onDemand =
      'lib, lib+deflate, runtime, rt-pkg, repo-ws, ws, not-installed, wsmatrix-no-such-package-installed';
    await expect(resolveTarget('nosuchlib@1.0.0', options)).rejects.toThrow(
      new InvalidReleaseSpecError(
        'nosuchlib@1.0.0',
        `no target runs the npm package "nosuchlib" (releases on demand: ${onDemand})`,
      ),
    );
    await expect(resolveTarget('plain@1.0.0', options)).rejects.toThrow(
      `invalid release "plain@1.0.0": target "plain" does not run on an npm package (releases on demand: ${onDemand})`,
    );
    await expect(resolveTarget('lib@not a version', options)).rejects.toThrow(InvalidReleaseSpecError);
    expect(calls).toEqual([]);
  });

  test('npm cannot reach the registry: ReleaseInstallError saying why', async () => {
    const summary = 'FetchError: request to https://registry.npmjs.org/lib failed, reason: connect ECONNREFUSED';
    const { options } = setup({ view: { 'lib@1.0.0': { error: 'ECONNREFUSED', summary } } });
    const err = await resolveTarget('lib@1.0.0', options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReleaseInstallError);
    expect((err as Error).message).toBe(`cannot install "lib@1.0.0" with npm: npm view lib@1.0.0 failed: ${summary}`);
  });

  test("a failed install says npm's reason and leaves nothing in the cache", async () => {
    const { options, cache } = setup({
      view: { 'lib@1.0.0': '1.0.0' },
      installFails:
        'npm error code ECONNRESET\nnpm error network aborted\n' +
        'npm error A complete log of this run can be found in: x\n',
    });
    await expect(resolveTarget('lib@1.0.0', options)).rejects.toThrow(
      new ReleaseInstallError('lib@1.0.0', 'npm install lib@1.0.0 failed: network aborted'),
    );
    expect(readdirSync(join(cache, 'npm'))).toEqual([]);
  });

  test('a plain name: embedded or from the targets file, else UnknownTargetError', async () => {
    const { options } = setup({ view: {} });
    expect((await resolveTarget('core', options)).implementation).toBe('@wsmatrix/core');
    expect((await resolveTarget('lib', options)).name).toBe('lib');
    await expect(resolveTarget('nope', options)).rejects.toThrow(UnknownTargetError);
  });
});

describe('{package} of a target that is not a release: the package node_modules resolve', () => {
  test("version { npm: true } is the installed package's version; a package not installed says so", () => {
    const targets = loadCommandTargets(targetsFile, join(work, 'builds'));
    const repoWs = targets.find((t) => t.name === 'repo-ws')!;
    expect(repoWs.unavailableReason()).toBeUndefined();
    expect(repoWs.version).toBe(findPackage('ws').version);
    const missing = targets.find((t) => t.name === 'not-installed')!;
    expect(missing.unavailableReason()).toBe(
      'npm package "wsmatrix-no-such-package-installed" is not installed (npm ci installs it)',
    );
  });
});
