/**
 * `wsmatrix matrix` with client columns, for real: each client's driver plays a handful of cases against a
 * fuzzingserver of its own; the results are stored under <results>/clients/, shown in the report's Clients part,
 * and in JUnit and --json with their role. The clients: the shipped ws client, the same driver started by
 * command (--client), a driver that gives up after its first case, and a command that is not there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { caseById } from '@wsmatrix/cases';
import { allTargetNames, clientTargetNames, createCommandClient, getClientTarget } from '@wsmatrix/targets';
import { beforeAll, describe, expect, it } from 'vitest';
import { runClientColumn } from '../src/client-column.js';
import { Progress } from '../src/progress.js';
import { runMain, type CliRun } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

const CASES = ['1.1.1', '2.1', '5.1'];
/** The shipped ws driver, started by command as a user's own would be. */
const WS_DRIVER = fileURLToPath(new URL('../../../packages/targets/clients/ws-client.mjs', import.meta.url));

/** A driver that plays the first case, then gives up: exit 3 with a line on stderr. */
function quitterDriver(): string {
  const ws = pathToFileURL(createRequire(import.meta.url).resolve('ws')).href;
  return [
    `import WebSocket from ${JSON.stringify(ws)};`,
    'const [base, agent] = process.argv.slice(2);',
    "const ws = new WebSocket(base + '/runCase?case=1&agent=' + encodeURIComponent(agent));",
    "ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));",
    "ws.on('error', () => {});",
    "ws.on('close', () => { console.error('quitter: giving up after one case'); process.exit(3); });",
  ].join('\n');
}

/** A driver that plays the first case, writes its pid to `marker`, then waits forever (until it is stopped). */
function hangingDriver(marker: string): string {
  const ws = pathToFileURL(createRequire(import.meta.url).resolve('ws')).href;
  return [
    `import WebSocket from ${JSON.stringify(ws)};`,
    "import { writeFileSync } from 'node:fs';",
    'const [base, agent] = process.argv.slice(2);',
    "const ws = new WebSocket(base + '/runCase?case=1&agent=' + encodeURIComponent(agent));",
    "ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));",
    "ws.on('error', () => {});",
    `ws.on('close', () => { writeFileSync(${JSON.stringify(marker)}, String(process.pid)); });`,
    // Waits forever, as a hung client would.
    'setInterval(() => {}, 1000);',
  ].join('\n');
}

/** Resolves once `file` exists, checking every 50 ms (the test's own timeout bounds the wait). */
async function whenExists(file: string): Promise<void> {
  while (!existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 50));
}

interface JsonColumn {
  key: string;
  role: string;
  status: string;
  reason?: string;
  notPlayed: number;
  totals: { total: number } | null;
}

describe('wsmatrix matrix with client columns', () => {
  let dir: string;
  let results: string;
  let report: string;
  let run: CliRun;
  let wsVersion: string;

  beforeAll(async () => {
    dir = await tempDir('matrix-clients');
    results = path.join(dir, 'results');
    report = path.join(dir, 'report');
    wsVersion = getClientTarget('ws').version;
    const quitter = path.join(dir, 'quitter.mjs');
    await writeFile(quitter, quitterDriver());
    const node = process.execPath;
    run = await runMain([
      'matrix',
      '--targets',
      'core',
      '--clients',
      'ws',
      '--client',
      `mine@2.0.0=${node} ${WS_DRIVER} {url} {agent}`,
      '--client',
      `quitter=${node} ${quitter} {url} {agent}`,
      '--client',
      'missing=./not-here.sh {url} {agent}',
      '--cases',
      CASES.join(','),
      '--results',
      results,
      '--report',
      report,
      '--junit',
      path.join(dir, 'junit.xml'),
      '--json',
    ]);
  }, 120_000);

  it('plays each client through its driver; --json gives every column its role and what it did', () => {
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { cases: number; clientCases: number; columns: JsonColumn[] };
    expect(summary.clientCases).toBe(CASES.length);
    const columns = new Map(summary.columns.map((c) => [`${c.role} ${c.key}`, c]));
    expect([...columns.keys()]).toEqual([
      'server core',
      'client ws',
      'client mine',
      'client quitter',
      'client missing',
    ]);
    for (const key of ['server core', 'client ws', 'client mine']) {
      expect(columns.get(key)!.status, key).toBe('ok');
      expect(columns.get(key)!.totals?.total, key).toBe(CASES.length);
    }
    // The quitter played one case: shown, with the exit and its last line; the other two not played.
    const quitter = columns.get('client quitter')!;
    expect(quitter.status).toBe('down');
    expect(quitter.totals?.total).toBe(1);
    expect(quitter.notPlayed).toBe(2);
    expect(quitter.reason).toBe(
      'its driver exited with 3 (quitter: giving up after one case); 2 of 3 cases not played',
    );
    expect(columns.get('client missing')).toMatchObject({ status: 'unavailable', reason: './not-here.sh not found' });
    expect(run.stderr).toContain('wsmatrix: client "missing" is unavailable: ./not-here.sh not found\n');
  });

  it('stores client releases under clients/, apart from the servers', async () => {
    expect(await readdir(path.join(results, 'clients'))).toEqual(['mine', 'quitter', 'ws']);
    const ws = path.join(results, 'clients', 'ws', wsVersion);
    const index = JSON.parse(await readFile(path.join(ws, 'index.json'), 'utf8')) as Record<string, object>;
    expect(Object.keys(index.ws!)).toEqual(CASES);
    const summary = JSON.parse(await readFile(path.join(ws, 'summary.json'), 'utf8')) as {
      role: string;
      verdicts: Record<string, string>;
    };
    expect(summary.role).toBe('client');
    // ws's client echoes these three as Autobahn expects.
    expect(summary.verdicts).toEqual({ '1.1.1': 'OK', '2.1': 'OK', '5.1': 'OK' });
    expect(existsSync(path.join(results, 'clients', 'mine', '2.0.0', 'index.json'))).toBe(true);
    const [quitterRun] = await readdir(path.join(results, 'clients', 'quitter', 'unversioned', 'runs'));
    const stored = JSON.parse(
      await readFile(path.join(results, 'clients', 'quitter', 'unversioned', 'runs', quitterRun!), 'utf8'),
    ) as { verdicts: Record<string, string>; notPlayed: string[] };
    expect(Object.keys(stored.verdicts)).toEqual(['1.1.1']);
    expect(stored.notPlayed).toEqual(['2.1', '5.1']);
    // The server column is stored where servers always were.
    expect(existsSync(path.join(results, 'wsmatrix-core', '0.1.0', 'index.json'))).toBe(true);
  });

  it('shows the Clients part: its grid, the records under clients/, a case page per client column', async () => {
    const index = await readFile(path.join(report, 'index.html'), 'utf8');
    const clients = index.slice(index.indexOf('<section class="part" id="clients"'));
    expect([...clients.matchAll(/<th data-column="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'ws',
      'mine',
      'quitter',
      'missing',
    ]);
    expect(clients).toMatch(
      /<th data-column="quitter"[^>]*class="col down"[^>]*>quitter unversioned<small>driver failed: /,
    );
    expect(clients).toMatch(/<th data-column="missing"[^>]*class="col unavailable"[^>]*>missing<small>unavailable: /);
    const page = await readFile(path.join(report, 'client-cases', '2.1.html'), 'utf8');
    expect([...page.matchAll(/<th id="[^"]+" data-column="([^"]+)"/g)].map((m) => m[1])).toEqual(['ws', 'mine']);
    const raw = JSON.parse(await readFile(path.join(report, 'clients', 'index.json'), 'utf8')) as object;
    expect(Object.keys(raw).sort()).toEqual(['mine', 'quitter', 'ws']);
    expect(await readdir(path.join(report, 'client-cases'))).toEqual(CASES.map((id) => `${id}.html`));
    expect(await readdir(path.join(report, 'cases'))).toEqual(CASES.map((id) => `${id}.html`));
  });

  it('JUnit names each testsuite server or client', async () => {
    const xml = await readFile(path.join(dir, 'junit.xml'), 'utf8');
    expect([...xml.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'core 0.1.0 (server)',
      `ws ${wsVersion} (client)`,
      'mine 2.0.0 (client)',
      'quitter unversioned (client)',
      'missing (client)',
    ]);
    // The quitter's unplayed cases are skipped with the reason, not passed.
    expect(xml).toMatch(/<testcase classname="quitter unversioned \(client\)" name="2\.1 [^"]*" time="0">\s*<skipped/);
  });

  it('diff of a stored client release with itself names it a client; --strict fails on broken columns', async () => {
    const ws = path.join(results, 'clients', 'ws', wsVersion);
    const same = await runMain(['diff', ws, ws]);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/^no verdict changed between ws client \(/);
    const strict = await runMain([
      'matrix',
      '--clients',
      'ws',
      '--client',
      'missing=./not-here.sh {url}',
      '--cases',
      '1.1.1',
      '--no-save',
      '--report',
      path.join(dir, 'report-strict'),
      '--strict',
    ]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^missing \(client\) +UNAVAILABLE: \.\/not-here\.sh not found$/m);
    expect(strict.stdout).toMatch(/wall time \d+\.\d s for 1 cases × 2 clients\n/);
  }, 60_000);

  it("a selection without a case of one role leaves that role's columns empty, saying why", async () => {
    const r = await runMain([
      'matrix',
      '--targets',
      'core',
      '--clients',
      'ws',
      '--cases',
      '0.1.1,0.7.1',
      '--no-save',
      '--report',
      path.join(dir, 'report-split'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { columns } = JSON.parse(r.stdout) as { columns: JsonColumn[] };
    expect(columns.map((c) => [c.role, c.totals?.total])).toEqual([
      ['server', 1],
      ['client', 1],
    ]);
    const none = await runMain([
      'matrix',
      '--targets',
      'core',
      '--clients',
      'ws',
      '--cases',
      '0.7.1',
      '--no-save',
      '--report',
      path.join(dir, 'report-clients-only'),
      '--json',
    ]);
    const only = JSON.parse(none.stdout) as { columns: JsonColumn[] };
    expect(only.columns[0]).toMatchObject({ role: 'server', reason: 'none of the selected cases is a server case' });
    expect(only.columns[1]!.totals?.total).toBe(1);
  });

  it('bad --clients and --client values: one line, exit 2', async () => {
    for (const [argv, message] of [
      [['--clients', 'nope'], /^wsmatrix: unknown value for --clients "nope" \(expected one of: ws, /],
      [['--clients', 'none,ws'], /^wsmatrix: --clients none cannot be combined\n$/],
      [['--client', 'mine'], /^wsmatrix: --client: "mine" must be NAME=COMMAND or NAME@VERSION=COMMAND\n$/],
      [['--client', 'mine=./x.sh'], /^wsmatrix: --client: client "mine": the command must take the fuzzingserver/],
      [['--client', 'ws=./x.sh {url}'], /^wsmatrix: --client ws: the name is already a client column\n$/],
    ] as const) {
      const r = await runMain(['matrix', ...argv, '--no-save', '--report', path.join(dir, 'bad')]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});

describe('an interrupt during a client column', () => {
  it('stops the driver, stores the case it finished and lists the rest as interrupted, exit 130', async () => {
    const dir = await tempDir('matrix-clients-interrupt');
    const marker = path.join(dir, 'played-one');
    const driver = path.join(dir, 'hanging.mjs');
    await writeFile(driver, hangingDriver(marker));
    const results = path.join(dir, 'results');
    const stop = new AbortController();
    const running = runMain(
      [
        'matrix',
        '--client',
        `hanging=${process.execPath} ${driver} {url} {agent}`,
        '--clients',
        'none',
        '--cases',
        CASES.join(','),
        '--results',
        results,
        '--report',
        path.join(dir, 'report'),
      ],
      stop.signal,
    );
    await whenExists(marker);
    const pid = Number(await readFile(marker, 'utf8'));
    stop.abort('SIGINT');
    const r = await running;
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/interrupted by SIGINT: 2 case run\(s\) not played/);
    // The driver and its process group are gone.
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    const runs = path.join(results, 'clients', 'hanging', 'unversioned', 'runs');
    const [file] = await readdir(runs);
    const stored = JSON.parse(await readFile(path.join(runs, file!), 'utf8')) as {
      verdicts: Record<string, string>;
      interrupted: string[];
      interruptedBy: string;
    };
    expect(stored.verdicts).toEqual({ '1.1.1': 'OK' });
    expect(stored.interrupted).toEqual(['2.1', '5.1']);
    expect(stored.interruptedBy).toBe('SIGINT');
  }, 60_000);
});

describe('a driver that stops making progress', () => {
  it('is stopped once no case finished and it wrote nothing for the stall limit; its column says so', async () => {
    const dir = await tempDir('matrix-clients-stall');
    const marker = path.join(dir, 'played-one');
    const driver = path.join(dir, 'hanging.mjs');
    await writeFile(driver, hangingDriver(marker));
    const warnings: string[] = [];
    const run = await runClientColumn(
      {
        name: 'hanging',
        make: () => createCommandClient({ name: 'hanging', command: [process.execPath, driver, '{url}', '{agent}'] }),
      },
      {
        cases: CASES.map((id) => caseById(id)!),
        concurrency: undefined,
        progress: new Progress({ write: () => {}, isTTY: false }),
        say: () => {},
        warn: (text) => warnings.push(text),
        signal: new AbortController().signal,
        stallMs: 3000,
      },
    );
    expect(run.column.status).toBe('down');
    expect(run.column.reason).toMatch(/^its driver made no progress for 3 s: stopped; /);
    expect(warnings).toEqual([`wsmatrix: client "hanging": ${run.column.reason}\n`]);
    // Whatever it finished before it hung is kept; the rest is not played.
    expect(run.column.results.length + run.notPlayed.length).toBe(CASES.length);
    if (existsSync(marker)) expect(() => process.kill(Number(readFileSync(marker, 'utf8')), 0)).toThrow(/ESRCH/);
  }, 60_000);
});

describe('wsmatrix matrix without --targets or --clients (npm run matrix)', () => {
  it('runs every server target, then every shipped client', async () => {
    const dir = await tempDir('matrix-clients-default');
    const r = await runMain([
      'matrix',
      '--cases',
      '1.1.1',
      '--no-save',
      '--report',
      path.join(dir, 'report'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { columns } = JSON.parse(r.stdout) as { columns: JsonColumn[] };
    expect(columns.map((c) => `${c.role} ${c.key}`)).toEqual([
      ...allTargetNames().map((name) => `server ${name}`),
      ...clientTargetNames.map((name) => `client ${name}`),
    ]);
    // Each client either played the case or says why it could not run here.
    for (const c of columns.filter((c) => c.role === 'client')) {
      if (c.status === 'ok') expect(c.totals?.total, c.key).toBe(1);
      else expect(c, c.key).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/\S/) });
    }
  }, 180_000);
});
