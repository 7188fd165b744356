import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { runMain, type CliRun } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

/** A ws echo server the test runs itself: "the user's own server". */
async function userServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  server.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/`,
    close: () =>
      new Promise((r) => {
        for (const c of server.clients) c.terminate();
        server.close(() => r());
      }),
  };
}

/** A URL nothing listens on: a port the test bound, then freed. */
async function deadUrl(): Promise<string> {
  const s = await userServer();
  await s.close();
  return s.url;
}

type Index = Record<string, Record<string, { behavior: string; behaviorClose: string }>>;

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;

describe('matrix --url', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof userServer>>;
  let first: CliRun;
  let second: CliRun;

  beforeAll(async () => {
    dir = await tempDir('user-url');
    server = await userServer();
    first = await runMain([
      'matrix',
      '--targets',
      'core',
      '--url',
      `mine@2.0.1=${server.url}`,
      '--url',
      `gone=${await deadUrl()}`,
      '--cases',
      '1.1.1,1.1.2',
      '--results',
      path.join(dir, 'results'),
      '--report',
      path.join(dir, 'report'),
    ]);
    second = await runMain([
      'matrix',
      '--targets',
      'none',
      '--url',
      `mine@2.0.1=${server.url}`,
      '--cases',
      '2.1',
      '--results',
      path.join(dir, 'results'),
      '--report',
      path.join(dir, 'report2'),
    ]);
  }, 60_000);

  afterAll(() => server.close());

  it('runs the user server as a column beside the embedded one; an unreachable one says "target down"', async () => {
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^mine 2\.0\.1 +OK 2;/m);
    expect(first.stdout).toMatch(/^core 0\.1\.0 +OK 2;/m);
    expect(first.stdout).toMatch(/^gone unversioned +TARGET DOWN: gone: ws:\/\/127\.0\.0\.1:\d+\/ does not accept/m);
    expect(first.stderr).toContain('its column says "target down"');
    const html = await readFile(path.join(dir, 'report', 'index.html'), 'utf8');
    expect(html.match(/<th[^>]*data-column="/g)).toHaveLength(3);
  });

  it('stores under <results>/NAME/VERSION; a second run keeps the verdicts of cases it did not play', async () => {
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/wall time .* for 1 cases × 1 targets/);
    const release = path.join(dir, 'results', 'mine', '2.0.1');
    const index = await readJson<Index>(path.join(release, 'index.json'));
    expect(Object.keys(index.mine!)).toEqual(['1.1.1', '1.1.2', '2.1']);
    expect(index.mine!['1.1.1']!.behavior).toBe('OK');
    expect(await readdir(path.join(release, 'runs'))).toHaveLength(2);
    // Nothing was played against the unreachable server: no verdict of it is stored.
    expect((await readdir(path.join(dir, 'results'))).sort()).toEqual(['mine', 'wsmatrix-core']);
  });

  it("report builds one page from the stored results and the matrix report's own case records", async () => {
    const out = path.join(dir, 'html');
    const r = await runMain(['report', path.join(dir, 'results'), path.join(dir, 'report', 'servers'), '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^mine 2\.0\.1: 3 cases$/m);
    expect(r.stdout).toMatch(/^mine: 2 cases$/m);
    expect(r.stdout).toMatch(/^core: 2 cases$/m);
    const html = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(html.match(/<tr[^>]*data-case="/g)).toHaveLength(3);
    expect(await readFile(path.join(out, 'history.html'), 'utf8')).toContain('mine');
  });

  it('bad --url values and names already taken: one line, exit 2', async () => {
    for (const [value, message] of [
      ['mine', /--url "mine" must be NAME=URL or NAME@VERSION=URL/],
      ['mine=http://x/', /--url mine "http:\/\/x\/" must start with ws:\/\//],
      ['ws=ws://127.0.0.1:1/', /--url ws: the name "ws" is already a column/],
      ['a b=ws://127.0.0.1:1/', /--url name "a b" must be letters/],
    ] as const) {
      const r = await runMain(['matrix', '--targets', 'none', '--url', value, '--no-save', '--report', dir]);
      expect(r.code, value).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    const none = await runMain(['matrix', '--targets', 'none', '--no-save', '--report', dir]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--targets none needs --url or --targets-file');
  });
});

describe('matrix --targets-file', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await tempDir('user-file');
  });

  it('starts the servers of a user file, relative to its folder, and stores them like any target', async () => {
    const servers = path.join(dir, 'servers');
    await mkdir(servers);
    const wsModule = createRequire(import.meta.url).resolve('ws');
    await writeFile(
      path.join(servers, 'echo.cjs'),
      `const { WebSocketServer } = require(${JSON.stringify(wsModule)});\n` +
        "const s = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2]) });\n" +
        "s.on('connection', (ws) => ws.on('message', (d, b) => ws.send(d, { binary: b })));\n",
    );
    const file = path.join(servers, 'targets.json');
    const targets = {
      targets: [
        {
          name: 'my-echo',
          implementation: 'my-echo',
          version: { run: [process.execPath, '-p', '"3.4.5"'] },
          command: [process.execPath, 'echo.cjs', '{port}'],
          options: { kind: 'test echo' },
        },
      ],
    };
    await writeFile(file, JSON.stringify(targets));
    const results = path.join(dir, 'results');
    const r = await runMain([
      'matrix',
      '--targets',
      'none',
      '--targets-file',
      file,
      '--cases',
      '1.1.1,1.1.2',
      '--results',
      results,
      '--report',
      path.join(dir, 'report'),
    ]);
    expect(r.stderr).not.toMatch(/did not start|unavailable/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^my-echo 3\.4\.5 +OK 2;/m);
    const index = await readJson<Index>(path.join(results, 'my-echo', '3.4.5', 'index.json'));
    expect(Object.keys(index['my-echo']!)).toEqual(['1.1.1', '1.1.2']);
  }, 60_000);

  it('an invalid file: every bad entry on its own line, exit 2, nothing run', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        targets: [
          { name: 'ok-one', implementation: 'x', version: { run: ['true'] }, command: ['srv', '{port}'] },
          { name: 'no-port', implementation: 'x', version: { run: ['true'] }, command: ['srv'] },
          { name: 'Bad Name', implementation: 'x', version: { run: ['true'] }, command: ['srv', '{port}'] },
        ],
      }),
    );
    const r = await runMain(['matrix', '--targets', 'none', '--targets-file', file, '--no-save', '--report', dir]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      `wsmatrix: --targets-file: ${file}: targets[1].command must pass the port ({port})`,
      `wsmatrix: --targets-file: ${file}: targets[2].name "Bad Name" must be lower-case letters, digits, . _ - +`,
    ]);
    expect(r.stdout).toBe('');
  });

  it('a missing file, a name already a column: one line each, exit 2', async () => {
    const missing = await runMain(['matrix', '--targets-file', path.join(dir, 'nope.json'), '--no-save']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^wsmatrix: --targets-file: .*nope\.json: ENOENT[^\n]*\n$/);
    const clash = path.join(dir, 'clash.json');
    await writeFile(
      clash,
      JSON.stringify({
        targets: [{ name: 'ws', implementation: 'x', version: { run: ['true'] }, command: ['srv', '{port}'] }],
      }),
    );
    const r = await runMain(['matrix', '--targets-file', clash, '--no-save']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`wsmatrix: --targets-file: ${clash}: target name "ws" is already a column\n`);
  });
});

describe('report from an Autobahn reports/servers folder', () => {
  it('each agent is a column; case pages from its case files; an entry without a file shows its verdict', async () => {
    const dir = await tempDir('user-autobahn');
    const servers = path.join(dir, 'reports', 'servers');
    await mkdir(servers, { recursive: true });
    const entry = (behavior: string, reportfile: string) => ({
      behavior,
      behaviorClose: 'OK',
      duration: 2,
      remoteCloseCode: 1000,
      reportfile,
    });
    await writeFile(
      path.join(servers, 'index.json'),
      JSON.stringify(
        {
          'AutobahnServer/1.0': {
            '1.1.1': entry('OK', 'autobahnserver_1_0_case_1_1_1.json'),
            '1.1.2': entry('FAILED', 'autobahnserver_1_0_case_1_1_2.json'),
          },
        },
        null,
        3,
      ),
    );
    // A case file as Autobahn writes it: its fields, none of ours (no connectFailure, url, wirelogTimes).
    await writeFile(
      path.join(servers, 'autobahnserver_1_0_case_1_1_1.json'),
      JSON.stringify({
        agent: 'AutobahnServer/1.0',
        behavior: 'OK',
        behaviorClose: 'OK',
        case: 1,
        closedByMe: true,
        createStats: true,
        createWirelog: true,
        description: 'Send text message with payload 0.',
        droppedByMe: true,
        duration: 2,
        expectation: "Receive echo'ed text message (with empty payload). Clean close with normal code.",
        expected: { OK: [['message', '', false]] },
        expectedClose: { closeCode: [1000], closedByMe: true, requireClean: true },
        failedByMe: false,
        httpRequest: 'GET / HTTP/1.1\r\nUser-Agent: AutobahnTestSuite/0.8.2-0.10.9\r\n\r\n',
        httpResponse: 'HTTP/1.1 101 Switching Protocols\r\n\r\n',
        id: '1.1.1',
        isServer: false,
        localCloseCode: 1000,
        localCloseReason: null,
        received: [['message', '', false]],
        remoteCloseCode: 1000,
        remoteCloseReason: null,
        reportCompressionRatio: false,
        reportTime: false,
        result: 'Received message equals the expected one.',
        resultClose: 'Connection was properly closed',
        rxFrameStats: { '1': 1, '8': 1 },
        rxOctetStats: { '2': 1, '4': 1, '129': 1 },
        started: '2026-01-01T00:00:00.000Z',
        trafficStats: null,
        txFrameStats: { '1': 1, '8': 1 },
        txOctetStats: { '6': 1, '8': 1, '240': 1 },
        wasClean: true,
        wasCloseHandshakeTimeout: false,
        wasNotCleanReason: null,
        wasOpenHandshakeTimeout: false,
        wasServerConnectionDropTimeout: false,
        wirelog: [
          ['TO', [6, '818037c9f3c0'], false],
          ['RO', [2, '8100']],
        ],
      }),
    );
    const out = path.join(dir, 'html');
    const r = await runMain(['report', servers, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('AutobahnServer/1.0: 2 cases');
    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(index.match(/<th[^>]*data-column="/g)).toHaveLength(1);
    expect(index.match(/<tr[^>]*data-case="/g)).toHaveLength(2);
    const played = await readFile(path.join(out, 'cases', '1.1.1.html'), 'utf8');
    expect(played).toContain('Received message equals the expected one.');
    expect(played).toContain('User-Agent: AutobahnTestSuite');
    const verdictOnly = await readFile(path.join(out, 'cases', '1.1.2.html'), 'utf8');
    expect(verdictOnly).toContain('FAILED');
    expect(verdictOnly).toContain('verdict only');

    const empty = await tempDir('user-empty');
    const bad = await runMain(['report', empty, '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `wsmatrix: report: ${empty}: holds neither an Autobahn index.json (nor servers/ or clients/ with one) ` +
        'nor stored matrix results (<implementation>/<version>/index.json)\n',
    );
  });
});
