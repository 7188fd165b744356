/**
 * Client results in the stored results, in result folders and in diff: a client's releases live under
 * <results>/clients/ (the servers' tree keeps its layout, and every stored server file loads as it did),
 * Autobahn's reports/clients folders load as client columns, and each side of a diff says whose it is.
 */
import { cp, mkdir, readFile, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReportFiles, type CaseResult } from '@wsmatrix/runner';
import { caseResult } from '@wsmatrix/runner/testing';
import { describe, expect, it } from 'vitest';
import { loadResultFolder } from '../src/result-folders.js';
import {
  CLIENTS_FOLDER,
  loadHistory,
  loadVerdicts,
  releaseDir,
  saveRun,
  type StoredRun,
  type StoredRunInfo,
  type StoredSummary,
} from '../src/results-store.js';
import { runMain } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const STORED = path.join(REPO, 'matrix', 'results');

function info(role: 'server' | 'client' | undefined, runAt: string): StoredRunInfo {
  return {
    target: 'ws',
    ...(role ? { role } : {}),
    implementation: 'ws',
    version: '8.18.3',
    options: {},
    runAt,
    wsmatrixVersion: '0.1.0',
    durationMs: 10,
  };
}

const results = (verdicts: Record<string, CaseResult['behavior']>): CaseResult[] =>
  Object.entries(verdicts).map(([id, behavior]) => caseResult(id, { behavior, agent: 'ws' }));

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.relative(dir, path.join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

describe('stored client results', () => {
  it('live under clients/ and never merge into the server release of the same name', async () => {
    const root = await tempDir('clients-store');
    const serverDir = await saveRun(
      root,
      info(undefined, '2026-01-01T00:00:00.000Z'),
      'ws',
      results({ '1.1.1': 'OK' }),
    );
    const clientDir = await saveRun(
      root,
      info('client', '2026-01-02T00:00:00.000Z'),
      'ws',
      results({ '1.1.1': 'FAILED', '0.7.1': 'OK' }),
      { notPlayed: ['2.1'] },
    );
    expect(serverDir).toBe(releaseDir(root, 'ws', '8.18.3'));
    expect(clientDir).toBe(path.join(root, CLIENTS_FOLDER, 'ws', '8.18.3'));
    expect(clientDir).toBe(releaseDir(root, 'ws', '8.18.3', 'client'));
    // The server's verdict is untouched by the client's run.
    const serverIndex = await readJson<Record<string, Record<string, { behavior: string }>>>(
      path.join(serverDir, 'index.json'),
    );
    expect(serverIndex.ws!['1.1.1']!.behavior).toBe('OK');
    expect(Object.keys(serverIndex.ws!)).toEqual(['1.1.1']);
    // The client's files say whose they are; the server's files keep their old shape (no role field).
    const clientSummary = await readJson<StoredSummary>(path.join(clientDir, 'summary.json'));
    expect(clientSummary.role).toBe('client');
    expect(clientSummary.verdicts).toEqual({ '0.7.1': 'OK', '1.1.1': 'FAILED' });
    const [clientRunFile] = await readdir(path.join(clientDir, 'runs'));
    const clientRun = await readJson<StoredRun>(path.join(clientDir, 'runs', clientRunFile!));
    expect(clientRun.role).toBe('client');
    expect(clientRun.notPlayed).toEqual(['2.1']);
    expect('role' in (await readJson<object>(path.join(serverDir, 'summary.json')))).toBe(false);

    const history = await loadHistory(root);
    expect(history.map((h) => [h.role, h.implementation, h.verdicts])).toEqual([
      ['server', 'ws', { '1.1.1': 'OK' }],
      ['client', 'ws', { '0.7.1': 'OK', '1.1.1': 'FAILED' }],
    ]);
  });

  it('a server may not be named after the clients folder', () => {
    expect(() => releaseDir('/r', 'clients', '1.0.0')).toThrow(/cannot be stored as a server/);
    expect(releaseDir('/r', 'clients', '1.0.0', 'client')).toBe(path.join('/r', 'clients', 'clients', '1.0.0'));
  });
});

describe('every stored result of the repository loads as before', () => {
  it('each run file is one history point, with the role its tree gives, and nothing else changed', async () => {
    const history = await loadHistory(STORED);
    const runFiles = (await filesUnder(STORED)).filter((f) => /(^|\/)runs\/[^/]+\.json$/.test(f));
    expect(runFiles.length).toBeGreaterThan(20);
    expect(history).toHaveLength(runFiles.length);
    const byKey = new Map(history.map((h) => [`${h.role} ${h.implementation} ${h.version} ${h.runAt}`, h]));
    for (const file of runFiles) {
      const raw = await readJson<StoredRun>(path.join(STORED, file));
      const role = file.startsWith(`${CLIENTS_FOLDER}/`) ? 'client' : 'server';
      const loaded = byKey.get(`${role} ${raw.implementation} ${raw.version} ${raw.runAt}`);
      expect(loaded, file).toEqual({ ...raw, role });
    }
  });

  it('each release is one column with the verdicts of its summary.json and index.json', async () => {
    const { columns } = await loadResultFolder(STORED);
    const summaries = (await filesUnder(STORED)).filter((f) => f.endsWith('/summary.json'));
    expect(columns).toHaveLength(summaries.length);
    for (const file of summaries) {
      const summary = await readJson<StoredSummary>(path.join(STORED, file));
      const role = file.startsWith(`${CLIENTS_FOLDER}/`) ? 'client' : 'server';
      const column = columns.find(
        (c) => c.key === `${summary.implementation}@${summary.version}` && (c.role ?? 'server') === role,
      );
      expect(column, file).toBeDefined();
      const verdicts = Object.fromEntries(
        column!.results.map((r) => [r.id, r.behaviorClose === 'OK' ? r.behavior : `${r.behavior}/${r.behaviorClose}`]),
      );
      expect(verdicts, file).toEqual(summary.verdicts);
      const byAgent = (await loadVerdicts(path.join(STORED, path.dirname(file)))).byAgent;
      expect([...byAgent.values()][0], file).toEqual(summary.verdicts);
    }
    expect(columns.filter((c) => (c.role ?? 'server') === 'server').length).toBeGreaterThan(5);
  });
});

describe('result folders with client results', () => {
  /** An Autobahn client report as the fuzzingserver writes it: reports/clients/index.json and one file per case. */
  async function autobahnReports(): Promise<string> {
    const dir = await tempDir('clients-folders');
    const wirelog: CaseResult['wirelog'] = [['KL', 1]];
    await writeReportFiles(
      path.join(dir, 'reports', 'clients'),
      new Map([
        ['undici', [caseResult('1.1.1', { agent: 'undici', wirelog }), caseResult('0.7.1', { agent: 'undici' })]],
      ]),
      'autobahn',
    );
    await writeReportFiles(
      path.join(dir, 'reports', 'servers'),
      new Map([['mine', [caseResult('1.1.1', { agent: 'mine', behavior: 'FAILED' })]]]),
      'autobahn',
    );
    return dir;
  }

  it("Autobahn's reports/clients is a client column with its records; another folder name needs a role", async () => {
    const dir = await autobahnReports();
    const clients = await loadResultFolder(path.join(dir, 'reports', 'clients'));
    expect(clients.columns.map((c) => [c.key, c.role, c.results.map((r) => r.id)])).toEqual([
      ['undici', 'client', ['0.7.1', '1.1.1']],
    ]);
    expect(clients.columns[0]!.results[1]!.wirelog).toEqual([['KL', 1]]);
    const renamed = path.join(dir, 'undici-report');
    await rename(path.join(dir, 'reports', 'clients'), renamed);
    expect((await loadResultFolder(renamed)).columns[0]!.role).toBe('server');
    expect((await loadResultFolder(renamed, { role: 'client' })).columns[0]!.role).toBe('client');
  });

  it("Autobahn's reports/ folder gives the servers' and the clients' columns", async () => {
    const dir = await autobahnReports();
    const { columns } = await loadResultFolder(path.join(dir, 'reports'));
    expect(columns.map((c) => [c.key, c.role])).toEqual([
      ['mine', 'server'],
      ['undici', 'client'],
    ]);
  });

  it('stored results: the clients/ tree gives client columns and history, alone or beside the servers', async () => {
    const root = await tempDir('clients-stored');
    await saveRun(root, info(undefined, '2026-01-01T00:00:00.000Z'), 'ws', results({ '1.1.1': 'OK' }));
    await saveRun(root, info('client', '2026-01-02T00:00:00.000Z'), 'ws', results({ '1.1.1': 'FAILED' }));
    const both = await loadResultFolder(root);
    expect(both.columns.map((c) => [c.key, c.role])).toEqual([
      ['ws@8.18.3', 'server'],
      ['ws@8.18.3', 'client'],
    ]);
    expect(both.history.map((h) => h.role)).toEqual(['server', 'client']);
    const alone = await loadResultFolder(path.join(root, CLIENTS_FOLDER));
    expect(alone.columns.map((c) => [c.key, c.role])).toEqual([['ws@8.18.3', 'client']]);
    expect(alone.history.map((h) => [h.role, h.verdicts])).toEqual([['client', { '1.1.1': 'FAILED' }]]);
    const release = await loadResultFolder(path.join(root, CLIENTS_FOLDER, 'ws', '8.18.3'));
    expect(release.columns.map((c) => c.role)).toEqual(['client']);
  });

  it('wsmatrix report builds both parts from a reports/ folder, case pages and records per part', async () => {
    const dir = await autobahnReports();
    const out = path.join(dir, 'html');
    const r = await runMain(['report', path.join(dir, 'reports'), '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^mine: 1 cases\nundici \(client\): 2 cases\n/);
    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(index).toContain('<section class="part" id="clients" data-role="client">');
    expect(index).toContain('<title>wsmatrix: WebSocket servers and clients side by side');
    expect(await readdir(path.join(out, 'client-cases'))).toEqual(['0.7.1.html', '1.1.1.html']);
    expect(await readdir(path.join(out, 'clients'))).toContain('undici_cases.json.gz');
    const bad = await runMain(['report', path.join(dir, 'reports'), '--role', 'both', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^wsmatrix: unknown value for --role "both" \(expected one of: server, client\)\n$/);
  });
});

describe('wsmatrix diff with client results', () => {
  async function stored(): Promise<string> {
    const root = await tempDir('clients-diff');
    await saveRun(root, info(undefined, '2026-01-01T00:00:00.000Z'), 'ws', results({ '1.1.1': 'OK', '2.1': 'OK' }));
    await saveRun(root, info('client', '2026-01-02T00:00:00.000Z'), 'ws', results({ '1.1.1': 'OK', '2.1': 'FAILED' }));
    const newer = { ...info('client', '2026-01-03T00:00:00.000Z'), version: '8.19.0' };
    await saveRun(root, newer, 'ws', results({ '1.1.1': 'FAILED', '2.1': 'OK' }));
    return root;
  }

  it('between two client releases: the lines and the JSON say they are clients', async () => {
    const root = await stored();
    const a = path.join(root, CLIENTS_FOLDER, 'ws', '8.18.3');
    const b = path.join(root, CLIENTS_FOLDER, 'ws', '8.19.0');
    const text = await runMain(['diff', a, b]);
    expect(text.code).toBe(1);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^ws client \(.*8\.18\.3\) → ws client \(.*8\.19\.0\): 1 regressed, 1 fixed/);
    const json = await runMain(['diff', a, b, '--json']);
    const parsed = JSON.parse(json.stdout) as { beforeRole: string; afterRole: string; regressions: unknown[] };
    expect([parsed.beforeRole, parsed.afterRole]).toEqual(['client', 'client']);
    expect(parsed.regressions).toEqual([{ caseId: '1.1.1', before: 'OK', after: 'FAILED' }]);
  });

  it('a server against a client is said on stderr, each side named with its role', async () => {
    const root = await stored();
    const r = await runMain(['diff', path.join(root, 'ws', '8.18.3'), path.join(root, CLIENTS_FOLDER, 'ws', '8.18.3')]);
    expect(r.stderr).toMatch(/^wsmatrix: diff compares a server's verdicts \(.*\) with a client's \(.*\): /);
    expect(r.stdout).toMatch(/^ws server \(.*\) → ws client \(.*\): 1 regressed/);
    expect(r.code).toBe(1);
  });

  it("Autobahn's reports/clients index is a client's", async () => {
    const dir = await tempDir('clients-diff-autobahn');
    const clients = path.join(dir, 'reports', 'clients');
    await mkdir(clients, { recursive: true });
    await writeReportFiles(clients, new Map([['undici', results({ '1.1.1': 'OK' })]]), 'autobahn');
    expect((await loadVerdicts(clients)).role).toBe('client');
    expect((await loadVerdicts(path.join(clients, 'index.json'))).role).toBe('client');
    const copy = path.join(dir, 'copy');
    await cp(clients, copy, { recursive: true });
    expect((await loadVerdicts(copy)).role).toBe('server');
  });
});
