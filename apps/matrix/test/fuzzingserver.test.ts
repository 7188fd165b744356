/**
 * `wsmatrix fuzzingserver` and `wstest -m fuzzingserver`: the listening line, a line per finished case, the
 * reports /updateReports writes (index.json, the case files, index.html), the end on /stopServer or a
 * signal (exit 0), and one-line usage errors (exit 2).
 */
import { writeFile, readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { main } from '../src/cli.js';
import { startCli } from './child-processes.js';
import { runMain } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

interface LiveCommand {
  /** Resolves with the base URL once the listening line is out. */
  url: Promise<string>;
  code: Promise<number>;
  stdout(): string;
  stderr(): string;
}

/** Runs a command in-process; `abort` stands for a signal. */
function startMain(argv: string[], signal: AbortSignal = new AbortController().signal): LiveCommand {
  let stdout = '';
  let stderr = '';
  let onListening: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => {
    onListening = resolve;
  });
  const code = main(argv, {
    stdout: (t) => {
      stdout += t;
      const match = /^fuzzingserver listening on (ws:\/\/\S+):/m.exec(stdout);
      if (match) onListening(match[1]!);
    },
    stderr: (t) => {
      stderr += t;
    },
    signal,
  });
  return { url, code, stdout: () => stdout, stderr: () => stderr };
}

/** A driver as ws's script: getCaseCount, each runCase in turn echoing, then updateReports. */
async function drive(url: string, agent: string): Promise<number> {
  const open = (target: string, echo: boolean): Promise<string[]> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url}${target}`);
      const got: string[] = [];
      ws.on('message', (data, isBinary) => {
        got.push(String(data));
        if (echo) ws.send(data, { binary: isBinary });
      });
      ws.on('close', () => resolve(got));
      ws.on('error', echo ? () => {} : reject);
    });
  const count = Number((await open('/getCaseCount', false))[0]);
  for (let n = 1; n <= count; n++) await open(`/runCase?case=${n}&agent=${agent}`, true);
  await open(`/updateReports?agent=${agent}`, false);
  return count;
}

function stopServer(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/stopServer`);
    ws.on('close', (code) => resolve(code));
    ws.on('error', reject);
  });
}

describe('wsmatrix fuzzingserver', () => {
  it('serves the selected cases, writes the reports on /updateReports and exits 0 on /stopServer', async () => {
    const dir = await tempDir('fuzzingserver');
    const outdir = path.join(dir, 'out');
    const run = startMain(['fuzzingserver', '--url', 'ws://127.0.0.1:0', '--outdir', outdir, '--cases', '7.1.1,1.1.1']);
    const url = await run.url;
    expect(run.stdout()).toMatch(
      new RegExp(`^fuzzingserver listening on ws://127\\.0\\.0\\.1:\\d+: 2 cases; reports in ${outdir}\\n`),
    );
    expect(await drive(url, 'ws@8.0.0')).toBe(2);
    expect((await readdir(outdir)).sort()).toEqual([
      'index.html',
      'index.json',
      'ws_8_0_0_case_1_1_1.json',
      'ws_8_0_0_case_7_1_1.json',
    ]);
    const index = JSON.parse(await readFile(path.join(outdir, 'index.json'), 'utf8'));
    expect(index['ws@8.0.0']['7.1.1']).toMatchObject({ behavior: 'OK', behaviorClose: 'OK', remoteCloseCode: 1000 });
    const html = await readFile(path.join(outdir, 'index.html'), 'utf8');
    expect(html).toContain('<a href="ws_8_0_0_case_7_1_1.json">OK</a>');
    expect(html).toContain("the client's close code");
    expect(await stopServer(url)).toBe(1001);
    expect(await run.code).toBe(0);
    const lines = run.stdout().split('\n');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ws@8\.0\.0 case 1 \(1\.1\.1\): OK \/ OK, close 1000, \d+ ms$/),
      expect.stringMatching(/^ws@8\.0\.0 case 2 \(7\.1\.1\): OK \/ OK, close 1000, \d+ ms$/),
      `reports for 1 agent(s) written to ${outdir} (asked by ws@8.0.0)`,
      'fuzzingserver stopped (/stopServer)',
      '',
    ]);
    expect(run.stderr()).toBe('');
  });

  it('ends with exit 0 on a signal, the reports already written left as they are', async () => {
    const dir = await tempDir('fuzzingserver');
    const stop = new AbortController();
    const run = startMain(
      ['fuzzingserver', '--url', 'ws://127.0.0.1:0', '--outdir', dir, '--cases', '2.1'],
      stop.signal,
    );
    await drive(await run.url, 'a');
    const written = await readFile(path.join(dir, 'index.json'), 'utf8');
    stop.abort('SIGINT');
    expect(await run.code).toBe(0);
    expect(run.stdout()).toMatch(/fuzzingserver stopped \(SIGINT\)\n$/);
    expect(await readFile(path.join(dir, 'index.json'), 'utf8')).toBe(written);
  });

  it('a port already in use is one line and exit 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    const r = await runMain(['fuzzingserver', '--url', `ws://127.0.0.1:${port}`]);
    blocker.close();
    expect([r.code, r.stderr]).toEqual([
      1,
      `wsmatrix: fuzzingserver cannot listen on ws://127.0.0.1:${port}: EADDRINUSE\n`,
    ]);
  });

  it.each([
    [['--url', 'http://127.0.0.1:9001'], /--url "http:\/\/127\.0\.0\.1:9001" must start with ws:\/\//],
    [['--url', 'ws://127.0.0.1:9001/x'], /--url "ws:\/\/127\.0\.0\.1:9001\/x" must have no path or query/],
    [['--cases', '99.1'], /unknown case id "99\.1"/],
    // Group 0 for servers is not a client case.
    [['--cases', '0.1.1'], /unknown case id "0\.1\.1"/],
    [['--cases', '1.1.1', '--exclude', 'x'], /unknown flag --exclude/],
  ])('fuzzingserver %j: one line, exit 2', async (args, message) => {
    const r = await runMain(['fuzzingserver', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^wsmatrix: [^\n]+\n$/);
    expect(r.stderr).toMatch(message);
  });

  it('spec errors name the spec and the key: one line, exit 2', async () => {
    const dir = await tempDir('fuzzingserver');
    const cases: Array<[unknown, RegExp]> = [
      [{ servers: [] }, /unknown key "servers" \(expected: url, outdir, cases/],
      [{ url: 5 }, /"url" must be a string/],
      [{ 'enable-ssl': true }, /"enable-ssl" is not supported/],
      [{ options: { failByDrop: 'yes' } }, /options\.failByDrop must be true or false/],
      [{ cases: [] }, /the case selection is empty/],
    ];
    for (const [spec, message] of cases) {
      const file = path.join(dir, 'spec.json');
      await writeFile(file, JSON.stringify(spec));
      const r = await runMain(['fuzzingserver', '--spec', file]);
      expect([r.code, r.stderr.split('\n').length]).toEqual([2, 2]);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('wstest -m fuzzingserver', () => {
  it('reads ./fuzzingserver.json by default, as Autobahn; a missing one is one line, exit 2', async () => {
    const dir = await tempDir('wstest-fuzzingserver');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const r = await runMain(['wstest', '-m', 'fuzzingserver']);
      expect([r.code, r.stderr]).toEqual([2, 'wsmatrix: cannot read spec fuzzingserver.json: ENOENT\n']);
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses the fuzzingclient-only flags', async () => {
    const r = await runMain(['wstest', '-m', 'fuzzingserver', '--rule', 'strict']);
    expect([r.code, r.stderr]).toEqual([2, 'wsmatrix: --rule applies to -m fuzzingclient only\n']);
  });

  it("as a process: Autobahn's example spec (port 0), outdir relative to the cwd, SIGINT exits 0", async () => {
    const dir = await tempDir('wstest-fuzzingserver');
    const spec = {
      url: 'ws://127.0.0.1:0',
      options: { failByDrop: false },
      outdir: './reports/clients',
      webport: 8080,
      cases: ['1.1.1', '5.1'],
      'exclude-cases': [],
      'exclude-agent-cases': {},
    };
    await writeFile(path.join(dir, 'fuzzingserver.json'), JSON.stringify(spec, null, 3));
    const cli = startCli(['wstest', '-m', 'fuzzingserver', '-s', 'fuzzingserver.json'], dir);
    const [, url] = await cli.waitFor(/fuzzingserver listening on (ws:\/\/[\d.:]+): 2 cases/);
    expect(await drive(url!, 'undici')).toBe(2);
    const outdir = path.join(dir, 'reports', 'clients');
    expect((await readdir(outdir)).sort()).toEqual([
      'index.html',
      'index.json',
      'undici_case_1_1_1.json',
      'undici_case_5_1.json',
    ]);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/fuzzingserver stopped \(SIGINT\)\n$/);
  });
});
