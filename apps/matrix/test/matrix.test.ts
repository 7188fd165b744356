import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { implementationOf } from '../src/matrix-column.js';
import { startCli } from './child-processes.js';
import { runMain, type CliRun } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

/**
 * One small matrix run (two embedded targets, a handful of cases, stored twice so the history has two
 * runs) shared by the tests below.
 */
describe('wsmatrix matrix', () => {
  let dir: string;
  let first: CliRun;
  let second: CliRun;
  const cases = '1.1.1,2.2,5.1,6.4.1,7.9.1';

  beforeAll(async () => {
    dir = await tempDir('matrix');
    const argv = [
      'matrix',
      '--targets',
      'core,ws',
      '--cases',
      cases,
      '--results',
      path.join(dir, 'results'),
      '--report',
      path.join(dir, 'report'),
    ];
    first = await runMain(argv);
    second = await runMain([...argv, '--rerun', '--junit', path.join(dir, 'junit.xml'), '--json']);
  }, 60_000);

  it('exits 0 and prints the table and wall time', () => {
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^core 0\.1\.0 +OK 5;/m);
    expect(first.stdout).toMatch(/wall time \d+\.\d s for 5 cases × 2 targets/);
  });

  it('stores index.json, summary.json and one file per run under <implementation>/<version>', async () => {
    const release = path.join(dir, 'results', 'ws');
    const [version] = await readdir(release);
    expect(version).toMatch(/^8\./);
    const index = JSON.parse(await readFile(path.join(release, version!, 'index.json'), 'utf8')) as Record<
      string,
      Record<string, { behavior: string }>
    >;
    expect(Object.keys(index.ws!)).toEqual(['1.1.1', '2.2', '5.1', '6.4.1', '7.9.1']);
    // ws validates UTF-8 at message end: NON-STRICT on 6.4.1, as Autobahn reports it.
    expect(index.ws!['6.4.1']!.behavior).toBe('NON-STRICT');
    const summary = JSON.parse(await readFile(path.join(release, version!, 'summary.json'), 'utf8')) as {
      verdicts: Record<string, string>;
      implementation: string;
    };
    expect(summary.implementation).toBe('ws');
    expect(summary.verdicts['6.4.1']).toBe('NON-STRICT');
    expect(await readdir(path.join(release, version!, 'runs'))).toHaveLength(2);
    // The settings the run had in effect are stored with it: the core's socket layer among them.
    const core = JSON.parse(
      await readFile(path.join(dir, 'results', 'wsmatrix-core', '0.1.0', 'summary.json'), 'utf8'),
    ) as { options: Record<string, unknown> };
    expect(core.options.socketLayer).toMatch(/^(net|shared-reads|bare)$/);
    expect(await readdir(path.join(dir, 'results', 'wsmatrix-core'))).toEqual(['0.1.0']);
  });

  it('writes the HTML report with a case page per column and case, and the raw Autobahn reports', async () => {
    const html = await readFile(path.join(dir, 'report', 'index.html'), 'utf8');
    expect(html.match(/<tr[^>]*data-case="/g)).toHaveLength(5);
    expect(html.match(/<th[^>]*data-column="/g)).toHaveLength(2);
    const raw = JSON.parse(await readFile(path.join(dir, 'report', 'servers', 'index.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(raw).sort()).toEqual(['core', 'ws']);
    expect(await readFile(path.join(dir, 'report', 'history.html'), 'utf8')).toContain('ws');
  });

  it('--json prints a machine summary on stdout and --junit writes one testsuite per implementation', async () => {
    expect(second.code).toBe(0);
    const summary = JSON.parse(second.stdout) as {
      cases: number;
      columns: Array<{ key: string; status: string; notOk: Record<string, string> }>;
    };
    expect(summary.cases).toBe(5);
    expect(summary.columns.map((c) => c.key)).toEqual(['core', 'ws']);
    expect(summary.columns[1]!.notOk).toEqual({ '6.4.1': 'NON-STRICT' });
    const xml = await readFile(path.join(dir, 'junit.xml'), 'utf8');
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml.match(/<testcase /g)).toHaveLength(10);
    expect(xml).toContain('failures="0"');
  });

  it(
    'diff between two stored runs of one release says nothing changed; ' + 'across implementations it lists changes',
    async () => {
      const wsDir = path.join(dir, 'results', 'ws');
      const [version] = await readdir(wsDir);
      const same = await runMain(['diff', path.join(wsDir, version!), path.join(wsDir, version!)]);
      expect(same.code).toBe(0);
      expect(same.stdout).toMatch(/^no verdict changed/);
      // core is OK on 6.4.1 where ws is NON-STRICT: going from core to ws is a regression (exit 1).
      const worse = await runMain([
        'diff',
        path.join(dir, 'results', 'wsmatrix-core', '0.1.0'),
        path.join(wsDir, version!),
      ]);
      expect(worse.code).toBe(1);
      expect(worse.stdout).toMatch(/6\.4\.1 +OK → NON-STRICT/);
      const better = await runMain([
        'diff',
        path.join(wsDir, version!),
        path.join(dir, 'results', 'wsmatrix-core', '0.1.0'),
      ]);
      expect(better.code).toBe(0);
      expect(better.stdout).toMatch(/fixes:\n +6\.4\.1 +NON-STRICT → OK/);
    },
  );

  it('diff of a missing folder is a usage error', async () => {
    const r = await runMain(['diff', path.join(dir, 'nope'), path.join(dir, 'nope2')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^wsmatrix: no index\.json at/);
  });
});

describe('results folders per configured variant', () => {
  it('files a deflate variant apart from the plain implementation', () => {
    expect(implementationOf('ws', { implementation: 'ws' })).toBe('ws');
    expect(implementationOf('ws7', { implementation: 'ws' })).toBe('ws');
    expect(implementationOf('ws+deflate', { implementation: 'ws' })).toBe('ws+deflate');
    expect(implementationOf('uws+deflate-dedicated', { implementation: 'uWebSockets.js' })).toBe(
      'uWebSockets.js+deflate-dedicated',
    );
  });
});

describe('a target that cannot run here', () => {
  it('is one line on stderr, ' +
    'a column labelled by its name alone ("unavailable" is its status, not its version)', async () => {
    const dir = await tempDir('unavailable');
    // Without a PATH there is no C compiler: wslay cannot be built.
    const cli = startCli(
      [
        'matrix',
        '--targets',
        'wslay',
        '--cases',
        '1.1.1',
        '--results',
        path.join(dir, 'results'),
        '--report',
        path.join(dir, 'report'),
      ],
      dir,
      { PATH: '/nonexistent' },
    );
    expect(await cli.exited).toBe(0);
    expect(
      cli
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('wsmatrix:')),
    ).toEqual(['wsmatrix: target "wslay" is unavailable: no C compiler (cc not found)']);
    // The column says the target's own reason, once.
    expect(cli.stdout()).toMatch(/^wslay {2,}UNAVAILABLE: no C compiler \(cc not found\)$/m);
    const html = await readFile(path.join(dir, 'report', 'index.html'), 'utf8');
    expect(html).toMatch(/data-column="wslay"[^>]*>wslay</);
    expect(html).not.toMatch(/>wslay unavailable/);
  }, 60_000);
});
