/**
 * Drivers written the way ws's, undici's and Bun's own Autobahn scripts are written, run against the
 * fuzzingserver over its real HTTP endpoints with the real case engine, at the same time (three agents,
 * concurrent /runCase connections). Checks what /updateReports wrote (Autobahn's index.json shape and
 * file names, the per-case files and their verdicts) and what /getCaseInfo and /getCaseStatus answered.
 */
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { caseById, selectCaseIds, autobahnCaseIds, type CaseDef } from '@wsmatrix/cases';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FuzzingServer } from '../src/fuzzing-server/index.js';
import { prettyDescription } from '../src/fuzzing-server/server.js';
import { bunStyleWebSocket, driveLikeBun, type BunStyleRun } from './drivers/bun-style.js';
import { driveLikeUndici, undiciUnavailableReason, type UndiciStyleRun } from './drivers/undici-style.js';
import { driveLikeWs, type WsStyleRun } from './drivers/ws-style.js';

const IDS = selectCaseIds(autobahnCaseIds, ['1.*', '2.*', '5.1', '7.1.*', '12.1.1'], []);
const SELECTED: CaseDef[] = IDS.map((id) => caseById(id)!);
const WS_VERSION = (createRequire(import.meta.url)('ws/package.json') as { version: string }).version;
const WS_AGENT = `ws@${WS_VERSION}`;
const BUN_AGENT = 'bun/1.0.0';
const UNDICI_AGENT = 'undici';
/** Verdicts a conforming client gets (Autobahn's passing set). */
const PASSING = ['OK', 'NON-STRICT', 'INFORMATIONAL'];

interface IndexEntry {
  behavior: string;
  behaviorClose: string;
  duration: number;
  remoteCloseCode: number | null;
  reportfile: string;
}

let root: string;
let outdir: string;
let server: FuzzingServer;
let url: string;
/** Read before the tests are collected: whether the undici-style tests run depends on it. */
const undiciMissing = await undiciUnavailableReason();
let wsRun: WsStyleRun;
let bunRun: BunStyleRun;
let undiciRun: UndiciStyleRun | undefined;
let index: Record<string, Record<string, IndexEntry>>;
const finished: string[] = [];
const bun = bunStyleWebSocket();

function updateReports(agent: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/updateReports?agent=${encodeURIComponent(agent)}`);
    ws.on('close', (code) => resolve(code));
    ws.on('error', reject);
  });
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'wsmatrix-fuzzingserver-drivers-'));
  outdir = path.join(root, 'reports', 'clients');
  server = new FuzzingServer({
    cases: SELECTED,
    outdir,
    port: 0,
    onCaseFinished: (r) => finished.push(`${r.agent} ${r.id}`),
  });
  url = await server.listen();
  const runs = await Promise.all([
    driveLikeWs(url, WS_AGENT),
    driveLikeBun(url, BUN_AGENT, bun.WebSocket),
    undiciMissing === null ? driveLikeUndici(url, UNDICI_AGENT, outdir) : Promise.resolve(undefined),
  ]);
  [wsRun, bunRun, undiciRun] = runs;
  // Bun's script never asks for the reports; ask once more so index.json holds every agent.
  expect(await updateReports(BUN_AGENT)).toBe(1000);
  index = JSON.parse(await readFile(path.join(outdir, 'index.json'), 'utf8'));
}, 240_000);

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

/** Autobahn's report file name, spelled out for the agents used here. */
const fileOf = (prefix: string, id: string) => `${prefix}_case_${id.replace(/\./g, '_')}.json`;

describe('the drivers ran every selected case', () => {
  it('/getCaseCount gave the selection size to every driver', () => {
    expect(IDS.length).toBe(16 + 11 + 1 + 6 + 1);
    expect(wsRun.caseCount).toBe(IDS.length);
    expect(bunRun.caseCount).toBe(IDS.length);
    if (undiciRun) expect(undiciRun.caseCount).toBe(IDS.length);
  });

  it('each finished case was reported once per agent', () => {
    const agents = [WS_AGENT, BUN_AGENT, ...(undiciRun ? [UNDICI_AGENT] : [])];
    const expected = agents.flatMap((a) => IDS.map((id) => `${a} ${id}`)).sort();
    expect([...finished].sort()).toEqual(expected);
  });
});

describe('index.json as Autobahn writes it', () => {
  it('holds every agent that ran, each with every selected case and exactly Autobahn entry keys', () => {
    expect(Object.keys(index).sort()).toEqual([BUN_AGENT, ...(undiciRun ? [UNDICI_AGENT] : []), WS_AGENT].sort());
    for (const cases of Object.values(index)) {
      expect(Object.keys(cases).sort()).toEqual([...IDS].sort());
      for (const entry of Object.values(cases)) {
        expect(Object.keys(entry)).toEqual(['behavior', 'behaviorClose', 'duration', 'remoteCloseCode', 'reportfile']);
      }
    }
  });

  it('names the case files as Autobahn does: agent cleaned to [a-z0-9_], "_case_", the id with "_"', () => {
    const semver = WS_VERSION.replace(/\./g, '_');
    expect(index[WS_AGENT]!['1.1.1']!.reportfile).toBe(`ws_${semver}_case_1_1_1.json`);
    expect(index[WS_AGENT]!['12.1.1']!.reportfile).toBe(`ws_${semver}_case_12_1_1.json`);
    expect(index[BUN_AGENT]!['7.1.6']!.reportfile).toBe('bun_1_0_0_case_7_1_6.json');
    if (undiciRun) expect(index[UNDICI_AGENT]!['2.10']!.reportfile).toBe('undici_case_2_10.json');
  });

  it('is formatted as AutobahnPython formats it (sorted keys, indent 3)', async () => {
    const text = await readFile(path.join(outdir, 'index.json'), 'utf8');
    expect(text.startsWith(`{\n   "${BUN_AGENT}": {\n      "1.1.1": {\n         "behavior": "`)).toBe(true);
    // String order, as Python's sort_keys: 12.1.1 sorts before 2.1.
    const ids = Object.keys(JSON.parse(text)[BUN_AGENT]);
    expect(ids.indexOf('12.1.1')).toBeLessThan(ids.indexOf('2.1'));
  });
});

describe('the per-case files', () => {
  it('exist for every entry and hold the same verdicts, the agent, the id and the selection number', async () => {
    for (const [agent, cases] of Object.entries(index)) {
      for (const [id, entry] of Object.entries(cases)) {
        const record = JSON.parse(await readFile(path.join(outdir, entry.reportfile), 'utf8'));
        expect(record).toMatchObject({
          agent,
          id,
          case: IDS.indexOf(id) + 1,
          behavior: entry.behavior,
          behaviorClose: entry.behaviorClose,
          remoteCloseCode: entry.remoteCloseCode,
          duration: entry.duration,
          isServer: true,
        });
        expect(record.httpRequest).toMatch(new RegExp(`^GET /runCase\\?case=${IDS.indexOf(id) + 1}&agent=`));
        expect(record.httpResponse).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
      }
    }
  });

  it('give a conforming client passing verdicts on every case', () => {
    for (const [agent, cases] of Object.entries(index)) {
      const failing = Object.entries(cases)
        .filter(([, e]) => !PASSING.includes(e.behavior) || !PASSING.includes(e.behaviorClose))
        .map(([id, e]) => `${agent} ${id}: ${e.behavior}/${e.behaviorClose}`);
      expect(failing).toEqual([]);
    }
  });

  it('5.1 (a fragmented Ping) is failed by the ws client with a Close 1002, as in its published report', () => {
    expect(index[WS_AGENT]!['5.1']!.remoteCloseCode).toBe(1002);
  });
});

describe('the Bun-style driver', () => {
  it(`(with ${bun.name}) got {id, description} for every case number from /getCaseInfo`, () => {
    expect(bunRun.infos).toEqual(SELECTED.map((def) => ({ id: def.id, description: prettyDescription(def) })));
  });

  it('got from /getCaseStatus the behavior that index.json holds for each case', () => {
    expect(bunRun.statuses).toEqual(IDS.map((id) => ({ behavior: index[BUN_AGENT]![id]!.behavior })));
  });
});

describe('the undici-style driver', () => {
  const skipped = undiciMissing === null ? '' : ` (skipped: ${undiciMissing.split('\n')[0]})`;
  it.skipIf(undiciMissing !== null)(
    `read its results from index.json as soon as /updateReports closed${skipped}`,
    () => {
      const own = undiciRun!.index[UNDICI_AGENT]!;
      expect(Object.keys(own).sort()).toEqual([...IDS].sort());
      expect(Object.values(own).map((e) => e.behavior)).toEqual(
        Object.keys(own).map((id) => index[UNDICI_AGENT]![id]!.behavior),
      );
    },
  );

  it.runIf(undiciMissing !== null)('is skipped where undici cannot load, saying why', () => {
    expect(undiciMissing).toMatch(/^undici cannot load on Node v\d+/);
  });
});

describe('file names of other agents', () => {
  it.each([
    ['ws@8.18.3', 'ws_8_18_3'],
    ['  Undici 6.18.2 (Node) ', 'undici_6_18_2__node'],
    ['AutobahnPython/0.10.9', 'autobahnpython_0_10_9'],
  ])('%j → %s_case_1_1_1.json', async (agent, prefix) => {
    const { caseReportFilename } = await import('../src/report-files.js');
    expect(caseReportFilename(agent, '1.1.1')).toBe(fileOf(prefix, '1.1.1'));
  });
});
