/** Autobahn-compatible outputs: index.json's shape, report file names, and the per-case record. */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseDef } from '@wsmatrix/cases/testing';
import { gunzipSync } from 'node:zlib';
import {
  buildIndex,
  caseBundleFilename,
  caseReportFilename,
  summarize,
  writeCaseBundles,
} from '../src/report-files.js';
import { runSuite } from '../src/suite.js';
import type { CaseResult } from '../src/result.js';
import { caseResult, cleanCloseByRunner } from '../testing/index.js';
import { startFaultyServer, type FaultyServer } from './fixtures/faulty-server.js';

let server: FaultyServer;
let dir: string;
const IDS = ['1.1.1', '2.10', '3.1', '6.4.3', '7.7.1'];

beforeAll(async () => {
  server = await startFaultyServer();
  dir = await mkdtemp(path.join(tmpdir(), 'wsmatrix-reports-'));
  await runSuite({ url: server.url, agent: 'Our Core 1.0', cases: IDS.map(caseDef), outDir: dir });
  // A second agent merges into the same index.json, as Autobahn's index holds every agent of a run.
  await runSuite({ url: server.url, agent: 'second', cases: [caseDef('1.1.1')], outDir: dir });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('report files', () => {
  it('names reports as Autobahn does', () => {
    expect(caseReportFilename('Our Core 1.0', '6.4.3')).toBe('our_core_1_0_case_6_4_3.json');
    expect(caseReportFilename('AutobahnPython/0.10.9', '1.1.1')).toBe('autobahnpython_0_10_9_case_1_1_1.json');
  });

  it('writes index.json in the shape of reports/servers/index.json, with every agent', async () => {
    const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'));
    expect(Object.keys(index).sort()).toEqual(['Our Core 1.0', 'second']);
    expect(Object.keys(index['Our Core 1.0'])).toEqual(IDS);
    for (const entry of Object.values(index['Our Core 1.0']) as Array<Record<string, unknown>>) {
      expect(Object.keys(entry).sort()).toEqual([
        'behavior',
        'behaviorClose',
        'duration',
        'remoteCloseCode',
        'reportfile',
      ]);
    }
    expect(index['Our Core 1.0']['7.7.1']).toMatchObject({
      behavior: 'OK',
      behaviorClose: 'OK',
      remoteCloseCode: 1000,
      reportfile: 'our_core_1_0_case_7_7_1.json',
    });
    expect(index['Our Core 1.0']['3.1'].remoteCloseCode).toBe(1002);
    const files = await readdir(dir);
    for (const id of IDS) expect(files).toContain(caseReportFilename('Our Core 1.0', id));
  });

  it(
    'writes compact per-case files, ' +
      'and a bundled folder holds the same records gzip-compressed, one file per agent',
    async () => {
      const text = await readFile(path.join(dir, 'our_core_1_0_case_2_10.json'), 'utf8');
      expect(text.trimEnd()).not.toContain('\n');
      const record = JSON.parse(text) as CaseResult;
      const bundled = path.join(dir, 'bundled');
      const index = await writeCaseBundles(bundled, new Map([['Our Core 1.0', [record]]]));
      // Every reportfile of a bundled index names a file that is there: the agent's bundle.
      expect(index['Our Core 1.0']!['2.10']!.reportfile).toBe('our_core_1_0_cases.json.gz');
      const stored = JSON.parse(await readFile(path.join(bundled, 'index.json'), 'utf8')) as typeof index;
      expect(stored['Our Core 1.0']!['2.10']!.reportfile).toBe('our_core_1_0_cases.json.gz');
      expect((await readdir(bundled)).sort()).toEqual(['index.json', caseBundleFilename('Our Core 1.0')]);
      expect(caseBundleFilename('Our Core 1.0')).toBe('our_core_1_0_cases.json.gz');
      const bundle = JSON.parse(
        gunzipSync(await readFile(path.join(bundled, 'our_core_1_0_cases.json.gz'))).toString('utf8'),
      ) as Record<string, CaseResult>;
      expect(bundle).toEqual({ '2.10': record });
    },
  );

  it('writes one report per case with the closing record, statistics, wire log and handshake', async () => {
    const r = JSON.parse(await readFile(path.join(dir, 'our_core_1_0_case_2_10.json'), 'utf8')) as CaseResult;
    expect(r).toMatchObject({
      id: '2.10',
      case: 26,
      agent: 'Our Core 1.0',
      behavior: 'OK',
      behaviorClose: 'OK',
      ...cleanCloseByRunner(),
    });
    expect(r.received).toHaveLength(10);
    expect(r.received[0]).toEqual(['pong', 'payload-0']);
    expect(r.txFrameStats[9]).toBe(10);
    expect(r.rxFrameStats[10]).toBe(10);
    expect(Object.keys(r.txOctetStats).length).toBeGreaterThan(0);
    expect(r.httpRequest).toMatch(/^GET \/ HTTP\/1\.1\r\n/);
    expect(r.httpRequest).toMatch(/User-Agent: wsmatrix-runner\/\d+\.\d+\.\d+/i);
    expect(r.httpResponse).toMatch(/^HTTP\/1\.1 101 /);
    const kinds = new Set(r.wirelog.map((e) => e[0]));
    for (const k of ['TO', 'RO', 'TF', 'RF', 'TI']) expect(kinds).toContain(k);
    expect(r.wirelogTimes).toHaveLength(r.wirelog.length);
  });

  it('records the 6.4.3 markers and the server-side close', async () => {
    const r = JSON.parse(await readFile(path.join(dir, 'our_core_1_0_case_6_4_3.json'), 'utf8')) as CaseResult;
    expect(r.received).toEqual([['timeout', 'A']]);
    expect(r).toMatchObject({
      behavior: 'OK',
      behaviorClose: 'OK',
      closedByMe: false,
      remoteCloseCode: 1007,
      localCloseCode: 1000,
    });
    expect(r.duration).toBeGreaterThanOrEqual(1000);
  });
});

describe('index and totals from results', () => {
  it("buildIndex lists each agent's cases in catalogue order with Autobahn's entry fields", () => {
    const results = new Map([
      [
        'agent',
        [
          caseResult('2.10'),
          caseResult('2.2', { behavior: 'FAILED', remoteCloseCode: 1002, duration: 7 }),
          caseResult('10.1.1'),
        ],
      ],
    ]);
    const index = buildIndex(results);
    expect(Object.keys(index.agent!)).toEqual(['2.2', '2.10', '10.1.1']);
    expect(index.agent!['2.2']).toEqual({
      behavior: 'FAILED',
      behaviorClose: 'OK',
      duration: 7,
      remoteCloseCode: 1002,
      reportfile: 'agent_case_2_2.json',
    });
  });

  it('summarize counts each behavior and behaviorClose', () => {
    const results = [
      caseResult('1.1.1'),
      caseResult('1.1.2', { behavior: 'NON-STRICT' }),
      caseResult('3.1', { behavior: 'FAILED', behaviorClose: 'UNCLEAN' }),
    ];
    expect(summarize(results)).toEqual({
      behavior: { OK: 1, 'NON-STRICT': 1, FAILED: 1 },
      behaviorClose: { OK: 2, UNCLEAN: 1 },
      total: 3,
    });
  });
});
