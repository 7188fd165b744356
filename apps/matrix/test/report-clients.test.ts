/**
 * The report's Clients part: client columns get their own grid, totals, case pages, records folder and history,
 * beside the Servers part and never mixed with it, even where a client and a server share a name ('ws').
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { CaseResult, WireLogEntry } from '@wsmatrix/runner';
import { caseResult } from '@wsmatrix/runner/testing';
import { describe, expect, it } from 'vitest';
import { statusText } from '../src/report/grid.js';
import { writeReport, type HistoryPoint, type ReportColumn } from '../src/report/index.js';
import { WIRELOG_HEAD_ROWS, WIRELOG_TAIL_ROWS } from '../src/report/wirelog-render.js';
import { tempDir } from './temp-dir.js';

const SERVER_IDS = ['0.1.1', '1.1.1', '2.1'];
const CLIENT_IDS = ['0.7.1', '1.1.1', '2.1', '5.1'];

/** A log long enough to be cut on the page, so the page links to the column's records. */
const LONG_LOG: WireLogEntry[] = Array.from({ length: WIRELOG_HEAD_ROWS + WIRELOG_TAIL_ROWS + 5 }, (_, i) => [
  'KL',
  i + 1,
]);

function serverColumn(key: string, results: CaseResult[]): ReportColumn {
  return { key, label: `${key} 8.23.0`, implementation: key, version: '8.23.0', status: 'ok', results };
}

function clientColumn(key: string, results: CaseResult[], extra: Partial<ReportColumn> = {}): ReportColumn {
  return {
    key,
    role: 'client',
    label: `${key} 8.18.3`,
    implementation: key,
    version: '8.18.3',
    status: 'ok',
    results,
    ...extra,
  };
}

/** ws server and ws client with different verdicts on the same case ids; undici a second client. */
function bothParts(): ReportColumn[] {
  const wsServer = SERVER_IDS.map((id) => caseResult(id, { agent: 'ws', duration: 4 }));
  const wsClient = CLIENT_IDS.map((id) =>
    caseResult(id, {
      agent: 'ws',
      duration: 7,
      ...(id === '2.1' ? { behavior: 'FAILED', result: 'the client answered the ping with nothing' } : {}),
      ...(id === '1.1.1' ? { wirelog: LONG_LOG, wirelogTimes: [] } : {}),
    }),
  );
  const undici = CLIENT_IDS.map((id) =>
    caseResult(id, { agent: 'undici', ...(id === '5.1' ? { behavior: 'NON-STRICT' } : {}) }),
  );
  return [
    serverColumn('ws', wsServer),
    clientColumn('ws', wsClient),
    clientColumn('undici', undici),
    clientColumn('python-websockets', [], {
      status: 'unavailable',
      reason: 'python3 has no websockets module',
    }),
  ];
}

async function write(columns: ReportColumn[], history: HistoryPoint[] = []) {
  const dir = await tempDir('report-clients');
  const { pages } = await writeReport(dir, { title: 'both', generatedAt: 'now', columns, history });
  return { dir, pages, index: await readFile(path.join(dir, 'index.html'), 'utf8') };
}

/** The part of index.html inside `<section … data-role="role">`. */
function section(index: string, role: 'server' | 'client'): string {
  const m = new RegExp(`<section class="part" id="${role}s" data-role="${role}">([\\s\\S]*?)</section>`).exec(index);
  expect(m, `section ${role}s`).not.toBeNull();
  return m![1]!;
}

/** Grid rows of a part: case id → the verdict text of each cell. */
function gridCells(part: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const m of part.matchAll(/<tr data-case="([^"]+)" id="[^"]+"[^>]*>([\s\S]*?)<\/tr>/g)) {
    rows.set(
      m[1]!,
      [...m[2]!.matchAll(/<td class="cell[^"]*"[^>]*>(?:<a[^>]*>)?([A-Z-]+|unavailable|—)/g)].map((c) => c[1]!),
    );
  }
  return rows;
}

describe('a report with server and client columns', () => {
  it('shows a Servers part and a Clients part, each with its summary, counts and grid, ids unique', async () => {
    const { index } = await write(bothParts());
    expect(index).toContain('<body class="index parts">');
    const servers = section(index, 'server');
    const clients = section(index, 'client');
    expect(servers.indexOf('id="summary"')).toBeGreaterThan(-1);
    expect(servers).toContain('id="grid"');
    expect(servers).toContain('id="totals-implementations"');
    expect(clients).toContain('id="client-summary"');
    expect(clients).toContain('id="client-grid"');
    expect(clients).toContain('id="client-totals-implementations"');
    // The servers' grid has the ws server alone; the clients' grid the three clients.
    expect([...servers.matchAll(/<th data-column="([^"]+)"/g)].map((m) => m[1])).toEqual(['ws']);
    expect([...clients.matchAll(/<th data-column="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'ws',
      'undici',
      'python-websockets',
    ]);
    // Each part has its own rows: 0.1.1 is a server case, 0.7.1 and 5.1 client cases.
    expect([...gridCells(servers).keys()]).toEqual(SERVER_IDS);
    expect([...gridCells(clients).keys()]).toEqual(CLIENT_IDS);
    expect(gridCells(servers).get('2.1')).toEqual(['OK']);
    expect(gridCells(clients).get('2.1')).toEqual(['FAILED', 'OK', 'unavailable']);
    expect(gridCells(clients).get('5.1')).toEqual(['OK', 'NON-STRICT', 'unavailable']);
    // No id twice in the page, though both parts have a column 'ws' and rows 1.1.1 and 2.1.
    const ids = [...index.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(20);
    expect(new Set(ids).size).toBe(ids.length);
    // The summaries count each part apart: the ws client's FAILED is not the ws server's.
    expect(servers).toMatch(/<tr data-summary="ws" class="ok">[\s\S]*?data-part="autobahn-failed">0 FAILED/);
    expect(clients).toMatch(
      /<tr data-summary="ws" class="ok">[\s\S]*?data-part="autobahn-failed"><strong[^>]*>1 FAILED/,
    );
    expect(clients).toMatch(/<tr data-summary="python-websockets" class="unavailable">[^\n]*python3 has no websockets/);
  });

  it('gives each part its own case pages: a client cell opens client-cases/, showing the clients only', async () => {
    const { dir, index, pages } = await write(bothParts());
    // index, history, releases, glossary; 3 server case pages, 4 client ones.
    expect(pages).toBe(4 + SERVER_IDS.length + CLIENT_IDS.length);
    expect((await readdir(path.join(dir, 'cases'))).sort()).toEqual(SERVER_IDS.map((id) => `${id}.html`).sort());
    expect((await readdir(path.join(dir, 'client-cases'))).sort()).toEqual(CLIENT_IDS.map((id) => `${id}.html`).sort());
    const clients = section(index, 'client');
    expect(clients).toContain('href="client-cases/2.1.html#ws"');
    expect(clients).not.toContain('href="cases/');
    expect(section(index, 'server')).toContain('href="cases/2.1.html#ws"');

    const clientPage = await readFile(path.join(dir, 'client-cases', '2.1.html'), 'utf8');
    expect(clientPage).toContain('data-role="client"');
    expect(clientPage).toContain('<h1>Case 2.1 · clients (wsmatrix played the server)</h1>');
    expect([...clientPage.matchAll(/<th id="([^"]+)" data-column="([^"]+)"/g)].map((m) => m[2])).toEqual([
      'ws',
      'undici',
    ]);
    expect(clientPage).toContain('the client answered the ping with nothing');
    expect(clientPage).toContain('href="../index.html#client-case-2.1"');
    const serverPage = await readFile(path.join(dir, 'cases', '2.1.html'), 'utf8');
    expect(serverPage).not.toContain('the client answered the ping with nothing');
    expect(serverPage).toContain('href="../index.html#case-2.1"');
    // Previous/next stay within the part: 0.7.1 is the first client page, 1.1.1 the one after it.
    const first = await readFile(path.join(dir, 'client-cases', '0.7.1.html'), 'utf8');
    expect(first).toContain('<a rel="next" href="1.1.1.html">');
    expect(first).not.toContain('rel="prev"');
    // A cut wire log links to the client's records, under clients/ as Autobahn's reports/clients.
    const long = await readFile(path.join(dir, 'client-cases', '1.1.1.html'), 'utf8');
    expect(long).toContain('href="../clients/ws_cases.json.gz"');
  });

  it('a client column whose driver failed says so, not "target down"', () => {
    const model = (status: 'down' | 'unavailable', reason: string, role?: 'client') => ({
      column: { key: 'c', label: 'c', implementation: 'c', version: '1', status, reason, results: [], role },
      folder: 'c',
      byId: new Map(),
      ids: [],
    });
    expect(statusText(model('down', 'its driver exited with 1 (Error: boom)', 'client'))).toBe(
      'driver failed: its driver exited with 1 (Error: boom)',
    );
    expect(statusText(model('down', 'connect ECONNREFUSED'))).toBe('target down: connect ECONNREFUSED');
  });
});

describe('a report with one part', () => {
  it('servers only: the one-grid page, no part sections, nothing under client-cases/', async () => {
    const { dir, index } = await write([
      serverColumn(
        'ws',
        SERVER_IDS.map((id) => caseResult(id)),
      ),
    ]);
    expect(index).toContain('<body class="index">');
    expect(index).not.toContain('<section class="part"');
    expect(index).toContain('id="grid"');
    expect(index).not.toContain('client-');
    expect(existsSync(path.join(dir, 'client-cases'))).toBe(false);
  });

  it('clients only: the one-grid page of the clients, which says what its columns are', async () => {
    const { dir, index } = await write([
      clientColumn(
        'undici',
        CLIENT_IDS.map((id) => caseResult(id)),
      ),
    ]);
    expect(index).toContain('<body class="index">');
    expect(index).toContain('id="client-grid"');
    expect(index).toContain('Clients: wsmatrix plays each case as the server');
    expect(existsSync(path.join(dir, 'cases'))).toBe(false);
    expect((await readdir(path.join(dir, 'client-cases'))).length).toBe(CLIENT_IDS.length);
  });

  it('a later report without clients removes the client pages of an earlier one', async () => {
    const { dir } = await write(bothParts());
    await writeReport(dir, {
      title: 't',
      generatedAt: 'now',
      history: [],
      columns: [serverColumn('ws', [caseResult('1.1.1')])],
    });
    expect(existsSync(path.join(dir, 'client-cases'))).toBe(false);
    expect(await readdir(path.join(dir, 'cases'))).toEqual(['1.1.1.html']);
  });
});

describe('history with clients', () => {
  it('keeps a client implementation apart from the server of the same name, and says which is which', async () => {
    const point = (role: 'server' | 'client' | undefined, runAt: string, verdicts: Record<string, string>) => ({
      ...(role ? { role } : {}),
      implementation: 'ws',
      version: '8.18.3',
      runAt,
      verdicts,
    });
    const { dir } = await write(bothParts(), [
      point(undefined, '2026-01-01', { '2.1': 'OK' }),
      point('client', '2026-01-02', { '2.1': 'FAILED' }),
      point('client', '2026-01-03', { '2.1': 'OK' }),
    ]);
    const html = await readFile(path.join(dir, 'history.html'), 'utf8');
    const sections = [...html.matchAll(/<section class="implementation" data-implementation="ws" data-role="(\w+)">/g)];
    expect(sections.map((m) => m[1])).toEqual(['server', 'client']);
    const client = html.slice(html.indexOf('data-role="client"'));
    const server = html.slice(html.indexOf('data-role="server"'), html.indexOf('data-role="client"'));
    // Had the client's FAILED been compared with the server's OK, it would be a regression; it is the client's
    // first run, and its second run fixes it.
    expect(client).not.toContain('data-change="regression"');
    expect(client).toContain('<tr class="fix" data-case="2.1" data-change="fix">');
    expect(client).toMatch(/<h2 id="impl-1">ws <small class="note">client<\/small><\/h2>/);
    expect(server).toContain('Only one stored run');
    expect(html).toMatch(/Servers: <a href="#impl-0">ws<\/a><br>Clients: <a href="#impl-1">ws<\/a>/);
  });

  it('the glossary says what the two parts are', async () => {
    const { dir } = await write(bothParts());
    const html = await readFile(path.join(dir, 'glossary.html'), 'utf8');
    expect(html).toContain('<h2 id="roles">Servers and clients</h2>');
    expect(html).toContain('<code>client-cases/</code>');
  });
});
