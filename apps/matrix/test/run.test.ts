import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { unusedPort } from '@wsmatrix/protocol/testing';
import { describe, expect, it } from 'vitest';
import { startCli } from './child-processes.js';
import { runMain } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

describe('wsmatrix cases', () => {
  it('lists the whole catalogue of groups 1–10 with Autobahn ids', async () => {
    const r = await runMain(['cases', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ id: string; group: string; description: string }>;
    const autobahn = rows.filter((row) => /^(10|[1-9])\./.test(row.id));
    expect(autobahn).toHaveLength(301);
    expect(rows.map((row) => row.id)).toContain('6.4.1');
    expect(rows.every((row) => row.description.length > 0)).toBe(true);
  });

  it('selects with Autobahn patterns', async () => {
    const r = await runMain(['cases', '--cases', '6.4.*', '--json']);
    expect((JSON.parse(r.stdout) as Array<{ id: string }>).map((row) => row.id)).toEqual([
      '6.4.1',
      '6.4.2',
      '6.4.3',
      '6.4.4',
    ]);
    const ex = await runMain(['cases', '--cases', '1.*', '--exclude-cases', '1.2.*', '--json']);
    expect((JSON.parse(ex.stdout) as Array<{ id: string }>).map((row) => row.id)).toEqual([
      '1.1.1',
      '1.1.2',
      '1.1.3',
      '1.1.4',
      '1.1.5',
      '1.1.6',
      '1.1.7',
      '1.1.8',
    ]);
  });

  it('an unknown literal id is a usage error', async () => {
    const r = await runMain(['cases', '--cases', '99.9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^wsmatrix: unknown case id "99\.9"[^\n]*\n$/);
  });
});

describe('wsmatrix run: usage errors exit 2 with one line', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no source', ['run'], /exactly one of --url, --targets or --spec/],
    ['two sources', ['run', '--url', 'ws://127.0.0.1:1/', '--targets', 'core'], /exactly one of/],
    ['not ws://', ['run', '--url', 'http://127.0.0.1:1/'], /must start with ws:\/\//],
    ['wss://', ['run', '--url', 'wss://127.0.0.1:1/'], /wss:\/\/ is not supported/],
    ['unknown target', ['run', '--targets', 'nope'], /unknown value for --targets "nope"/],
    ['agent without url', ['run', '--targets', 'core', '--agent', 'x'], /--agent goes with --url/],
    ['bad concurrency', ['run', '--targets', 'core', '--concurrency', '0'], /--concurrency must be/],
    ['empty selection', ['run', '--targets', 'core', '--cases', '1.*', '--exclude-cases', '*'], /selection is empty/],
    ['missing spec', ['run', '--spec', '/nonexistent/spec.json'], /cannot read spec/],
  ];
  for (const [what, argv, message] of cases) {
    it(what, async () => {
      const r = await runMain(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    });
  }

  const badSpecs: Array<[string, unknown, RegExp]> = [
    ['not an object', [1, 2], /must be a JSON object/],
    ['no servers', { cases: ['*'] }, /"servers" must be a non-empty array/],
    ['server without url', { servers: [{ agent: 'a' }] }, /servers\[0\]\.url must be a string/],
    [
      'duplicate agent',
      {
        servers: [
          { agent: 'a', url: 'ws://h:1' },
          { agent: 'a', url: 'ws://h:2' },
        ],
      },
      /appears twice/,
    ],
    ['unknown key', { servers: [{ agent: 'a', url: 'ws://h:1' }], casez: [] }, /unknown key "casez"/],
    [
      'cases not strings',
      { servers: [{ agent: 'a', url: 'ws://h:1' }], cases: [1] },
      /"cases" must be an array of strings/,
    ],
    [
      'bad exclude-agent-cases',
      { servers: [{ agent: 'a', url: 'ws://h:1' }], 'exclude-agent-cases': { a: 'x' } },
      /exclude-agent-cases/,
    ],
  ];
  for (const [what, spec, message] of badSpecs) {
    it(`spec: ${what}`, async () => {
      const dir = await tempDir('run');
      const file = path.join(dir, 'spec.json');
      await writeFile(file, JSON.stringify(spec));
      const r = await runMain(['run', '--spec', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }

  it('spec: not JSON', async () => {
    const dir = await tempDir('run');
    const file = path.join(dir, 'spec.json');
    await writeFile(file, '{ "servers": [ ');
    const r = await runMain(['run', '--spec', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not valid JSON/);
  });
});

describe('wsmatrix run: real runs', () => {
  it('a server that cannot be reached: one line on stderr, ' +
    'rows that say "target down" (summary, JUnit, JSON), exit code 3', async () => {
    const out = await tempDir('run');
    const junit = path.join(out, 'junit.xml');
    const port = await unusedPort();
    const r = await runMain([
      'run',
      '--url',
      `ws://127.0.0.1:${port}/`,
      '--agent',
      'Dead',
      '--cases',
      '1.1.*',
      '--out',
      out,
      '--junit',
      junit,
    ]);
    expect(r.code).toBe(3);
    const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('['));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^wsmatrix: Dead could not be reached \(.*ECONNREFUSED.*\); its 8 cases are reported as "target down"$/,
    );
    expect(r.stdout).toMatch(/^Dead: 0 cases played; 8 target down$/m);
    expect(r.stdout).not.toMatch(/ECONNREFUSED/);
    // index.json keeps Autobahn's vocabulary; the result text says the server was unreachable.
    const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8')) as Record<
      string,
      Record<string, { behavior: string }>
    >;
    expect(Object.keys(index.Dead!)).toHaveLength(8);
    expect(Object.values(index.Dead!).every((e) => e.behavior === 'FAILED')).toBe(true);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('<testsuite name="Dead" tests="8" failures="0" errors="8" skipped="0"');
    expect(xml.match(/<error type="target down"/g)).toHaveLength(8);
    const json = await runMain([
      'run',
      '--url',
      `ws://127.0.0.1:${port}/`,
      '--agent',
      'Dead',
      '--cases',
      '1.1.1',
      '--out',
      out,
      '--json',
    ]);
    expect(json.code).toBe(3);
    const summary = JSON.parse(json.stdout) as {
      servers: Array<{ down: boolean; targetDown: number; notOk: Record<string, string> }>;
    };
    expect(summary.servers[0]).toMatchObject({ down: true, targetDown: 1, notOk: { '1.1.1': 'target down' } });
  }, 30000);

  it('--url without --out writes where Autobahn does: ./reports/servers', async () => {
    const cwd = await tempDir('run');
    const port = await unusedPort();
    const cli = startCli(['run', '--url', `ws://127.0.0.1:${port}/`, '--cases', '1.1.1'], cwd);
    expect(await cli.exited).toBe(3);
    const index = JSON.parse(await readFile(path.join(cwd, 'reports', 'servers', 'index.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(index)).toEqual([`127.0.0.1:${port}`]);
  }, 30000);

  it('--targets core writes Autobahn-shaped index.json and one file per case, exit 0', async () => {
    const out = await tempDir('run');
    const r = await runMain(['run', '--targets', 'core', '--cases', '1.*,2.*,5.1', '--out', out]);
    expect(r.stderr).not.toMatch(/could not be reached|did not start/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wall time \d+\.\d s for 28 cases × 1 server/);
    // The core ran in a process of its own: its CPU time is measured apart from the runner's.
    expect(r.stdout).toMatch(/^CPU: runner \d+\.\d s, server \d+\.\d s, idle or other .* runner share \d+ %$/m);
    const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8')) as Record<
      string,
      Record<
        string,
        {
          behavior: string;
          behaviorClose: string;
          duration: number;
          remoteCloseCode: number | null;
          reportfile: string;
        }
      >
    >;
    expect(Object.keys(index)).toEqual(['core']);
    const entries = index.core!;
    expect(Object.keys(entries)).toHaveLength(28);
    for (const [id, e] of Object.entries(entries)) {
      expect(e.behavior).toBe('OK');
      expect(e.behaviorClose).toBe('OK');
      expect(typeof e.duration).toBe('number');
      expect(e.reportfile).toBe(`core_case_${id.replace(/\./g, '_')}.json`);
    }
    const files = await readdir(out);
    expect(files.filter((f) => f.startsWith('core_case_'))).toHaveLength(28);
    const report = JSON.parse(await readFile(path.join(out, 'core_case_1_1_1.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(report.id).toBe('1.1.1');
    expect(report.httpRequest).toMatch(/^GET \/ HTTP\/1\.1\r\n/);
    expect(report.httpRequest).toMatch(/User-Agent: wsmatrix\//);
    expect(report.httpResponse).toMatch(/^HTTP\/1\.1 101 /);
  }, 60000);

  it('--spec runs every server of the spec, honours exclude-agent-cases and writes to its outdir', async () => {
    const dir = await tempDir('run');
    const { getTarget } = await import('@wsmatrix/targets');
    const ws = await getTarget('ws').start();
    try {
      const spec = {
        outdir: './reports/servers',
        servers: [{ agent: 'WsServer', url: ws.url }],
        cases: ['1.1.*'],
        'exclude-cases': ['1.1.8'],
        'exclude-agent-cases': { 'Ws*': ['1.1.1'] },
      };
      await writeFile(path.join(dir, 'fuzzingclient.json'), JSON.stringify(spec));
      const r = await runMain(['run', '--spec', path.join(dir, 'fuzzingclient.json')]);
      expect(r.code).toBe(0);
      const index = JSON.parse(await readFile(path.join(dir, 'reports/servers/index.json'), 'utf8')) as Record<
        string,
        Record<string, unknown>
      >;
      expect(Object.keys(index.WsServer!)).toEqual(['1.1.2', '1.1.3', '1.1.4', '1.1.5', '1.1.6', '1.1.7']);
    } finally {
      await ws.close();
    }
  }, 60000);

  it('--json prints only JSON on stdout and --junit writes one testcase per case', async () => {
    const out = await tempDir('run');
    const junit = path.join(out, 'junit.xml');
    const r = await runMain([
      'run',
      '--targets',
      'ws',
      '--cases',
      '6.4.1,1.1.1',
      '--out',
      out,
      '--json',
      '--junit',
      junit,
    ]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      cases: number;
      servers: Array<{ agent: string; notOk: Record<string, string> }>;
    };
    expect(summary.cases).toBe(2);
    expect(summary.servers[0]!.agent).toBe('ws');
    expect(summary.servers[0]!.notOk).toEqual({ '6.4.1': 'NON-STRICT' });
    expect(r.stderr).toMatch(/wall time/);
    const xml = await readFile(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toMatch(/<testsuite name="ws" tests="2" failures="0"/);
  }, 30000);

  it('--spec leaves group 0 out of "*" (Autobahn-comparable) and runs it only when a pattern names it', async () => {
    const dir = await tempDir('run');
    const { getTarget } = await import('@wsmatrix/targets');
    const core = await getTarget('core').start();
    try {
      const everyAutobahnGroup = ['1.*', '2.*', '3.*', '4.*', '5.*', '6.*', '7.*', '9.*', '10.*', '12.*', '13.*'];
      const write = (cases: string[]) =>
        writeFile(
          path.join(dir, 'spec.json'),
          JSON.stringify({
            outdir: './out',
            servers: [{ agent: 'Core', url: core.url }],
            cases,
            'exclude-cases': everyAutobahnGroup,
          }),
        );
      await write(['*']);
      const onlyAutobahn = await runMain(['run', '--spec', path.join(dir, 'spec.json')]);
      expect(onlyAutobahn.code).toBe(2);
      expect(onlyAutobahn.stderr).toMatch(/selection is empty/);
      await write(['*', '0.1.*']);
      const withGroup0 = await runMain(['run', '--spec', path.join(dir, 'spec.json')]);
      expect(withGroup0.code).toBe(0);
      const index = JSON.parse(await readFile(path.join(dir, 'out', 'index.json'), 'utf8')) as Record<
        string,
        Record<string, { behavior: string }>
      >;
      const ids = Object.keys(index.Core!);
      expect(ids.length).toBeGreaterThan(3);
      expect(ids.every((id) => id.startsWith('0.1.'))).toBe(true);
    } finally {
      await core.close();
    }
  }, 60000);

  it('our core passes every group 0 handshake case ' +
    '(OK, or INFORMATIONAL where the RFC leaves the choice)', async () => {
    const out = await tempDir('run');
    const r = await runMain(['run', '--targets', 'core', '--cases', '0.*', '--out', out]);
    expect(r.code).toBe(0);
    const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8')) as Record<
      string,
      Record<string, { behavior: string }>
    >;
    const entries = Object.entries(index.core!);
    expect(entries.length).toBeGreaterThanOrEqual(30);
    const notOk = entries.filter(([, e]) => e.behavior !== 'OK' && e.behavior !== 'INFORMATIONAL');
    expect(notOk).toEqual([]);
  }, 60000);
});
