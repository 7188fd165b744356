/**
 * The Releases view, from a results tree written in the test's temp dir by the store itself: three releases of a
 * fake "ws" server (one of them 10.0.0, so text order would be wrong), its +deflate variant in two of them, two
 * releases of a "ws" client, and a server with one release. The report is built by `wsmatrix report`; every
 * changed-cell mark and count is checked against what the fixture's verdicts say.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CaseResult, RepeatCounts } from '@wsmatrix/runner';
import { caseResult } from '@wsmatrix/runner/testing';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitVerdict, verdictRank, writeReport } from '../src/report/index.js';
import { releaseDir, saveRun } from '../src/results-store.js';
import { runMain } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

type Verdicts = Record<string, string>;
interface FixtureRelease {
  role?: 'client';
  implementation: string;
  version: string;
  verdicts: Verdicts;
  /** Cases played repeatedly: the counts of each verdict seen (the stored verdict is the worst). */
  repeats?: Record<string, RepeatCounts>;
}

const WS: FixtureRelease[] = [
  {
    implementation: 'ws',
    version: '1.0.0',
    verdicts: { '1.1.1': 'OK', '1.1.2': 'OK', '1.1.3': 'OK', '2.1': 'FAILED', '2.2': 'OK', '3.1': 'OK', '5.1': 'OK' },
  },
  {
    implementation: 'ws',
    version: '10.0.0',
    verdicts: {
      '1.1.1': 'OK',
      '1.1.2': 'OK',
      '1.1.3': 'OK',
      '2.1': 'OK',
      '3.1': 'OK',
      '5.1': 'OK',
      '7.1.1': 'INFORMATIONAL',
    },
  },
  {
    implementation: 'ws',
    version: '2.0.0',
    verdicts: {
      '1.1.1': 'OK',
      '1.1.2': 'FAILED',
      '1.1.3': 'NON-STRICT',
      '2.1': 'OK',
      '2.2': 'OK',
      '3.1': 'OK',
      '5.1': 'OK/UNCLEAN',
      '7.1.1': 'OK',
    },
    // Its repeats saw OK too: 1.1.3 differs from 1.0.0's and 10.0.0's OK only as the repeats did.
    repeats: { '1.1.3': { runs: 3, verdicts: { OK: 2, 'NON-STRICT': 1 } } },
  },
  { implementation: 'ws+deflate', version: '2.0.0', verdicts: { '1.1.1': 'OK', '1.1.2': 'OK', '2.1': 'FAILED' } },
  {
    implementation: 'ws+deflate',
    version: '10.0.0',
    verdicts: { '1.1.1': 'NON-STRICT', '1.1.2': 'FAILED', '2.1': 'FAILED' },
  },
];
const CLIENT_WS: FixtureRelease[] = [
  { role: 'client', implementation: 'ws', version: '1.0.0', verdicts: { '1.1.1': 'OK', '1.1.2': 'OK' } },
  { role: 'client', implementation: 'ws', version: '2.0.0', verdicts: { '1.1.1': 'FAILED', '1.1.2': 'OK' } },
];
const SOLO: FixtureRelease[] = [
  { implementation: 'solo', version: '1.0.0', verdicts: { '1.1.1': 'OK' } },
  { implementation: 'solo+deflate', version: '1.0.0', verdicts: { '1.1.1': 'FAILED' } },
];
/** A verdict a run of ws 10.0.0 stored that its index.json no longer holds (as for a case since not applicable). */
const PRUNED = { caseId: '2.2', verdict: 'FAILED' };

function results(r: FixtureRelease): CaseResult[] {
  return Object.entries(r.verdicts).map(([id, v]) => {
    const { behavior, close } = splitVerdict(v);
    return caseResult(id, {
      agent: r.implementation,
      behavior: behavior as CaseResult['behavior'],
      behaviorClose: close as CaseResult['behaviorClose'],
      ...(r.repeats?.[id] ? { repeats: r.repeats[id] } : {}),
    });
  });
}

async function store(root: string, r: FixtureRelease, runAt: string): Promise<void> {
  const info = {
    target: r.implementation,
    ...(r.role ? { role: r.role } : {}),
    implementation: r.implementation,
    version: r.version,
    options: {},
    runAt,
    wsmatrixVersion: '0.1.0',
    durationMs: 1,
  };
  await saveRun(root, info, r.implementation, results(r));
}

/** The fixture's own answer: the same variant's previous release (by version), and which verdicts changed. */
function expectedChanges(all: readonly FixtureRelease[], r: FixtureRelease): { previous?: string; changed: Verdicts } {
  const numeric = (v: string) => v.split('.').map(Number);
  const older = all
    .filter((o) => o.implementation === r.implementation && o.role === r.role)
    .filter((o) => {
      const [a, b] = [numeric(o.version), numeric(r.version)];
      const d = a.findIndex((n, i) => n !== b[i]);
      return d >= 0 && a[d]! < b[d]!;
    })
    .sort((x, y) => {
      const [a, b] = [numeric(x.version), numeric(y.version)];
      const d = a.findIndex((n, i) => n !== b[i]);
      return d < 0 ? 0 : a[d]! - b[d]!;
    });
  const previous = older.at(-1);
  if (!previous) return { changed: {} };
  const seen = (o: FixtureRelease, id: string) => Object.keys(o.repeats?.[id]?.verdicts ?? { [o.verdicts[id]!]: 1 });
  const changed: Verdicts = {};
  for (const [id, now] of Object.entries(r.verdicts)) {
    const was = previous.verdicts[id];
    if (was === undefined || was === now) continue;
    const within = (s: string[]) => s.includes(was) && s.includes(now);
    if (within(seen(previous, id)) || within(seen(r, id))) continue;
    changed[id] = was;
  }
  return { previous: previous.version, changed };
}

interface Cell {
  classes: string[];
  verdict?: string;
  change?: string;
  before?: string;
  href?: string;
}

/** The page's columns (data-release, data-changed) and per case row its class and cells. */
function parsePage(html: string) {
  const columns = [...html.matchAll(/<th class="col rel[^"]*" data-release="([^"]+)" data-changed="(\d*)"/g)].map(
    (m) => ({ release: m[1]!, changed: m[2] === '' ? null : Number(m[2]) }),
  );
  const rows = new Map<string, { changed: boolean; cells: Cell[] }>();
  for (const m of html.matchAll(/<tr data-case="([^"]+)"[^>]*?( class="changed")?>([\s\S]*?)<\/tr>/g)) {
    const cells = [...m[3]!.matchAll(/<td class="([^"]*)"([^>]*)>([\s\S]*?)<\/td>/g)].map((c) => {
      const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(c[2]!)?.[1];
      return {
        classes: c[1]!.split(' '),
        verdict: attr('data-verdict'),
        change: attr('data-change'),
        before: attr('data-before'),
        href: /<a href="([^"]+)"/.exec(c[3]!)?.[1],
      };
    });
    rows.set(m[1]!, { changed: m[2] !== undefined, cells });
  }
  return { columns, rows };
}

describe('the Releases view of stored results', () => {
  let root: string;
  let out: string;
  let wsPage: string;

  beforeAll(async () => {
    const dir = await tempDir('releases');
    root = path.join(dir, 'results');
    out = path.join(dir, 'report');
    const all = [...WS, ...CLIENT_WS, ...SOLO];
    for (const [i, r] of all.entries()) await store(root, r, `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`);
    // A run of ws 10.0.0 that played PRUNED, whose verdict the release's index.json then dropped.
    const ws10 = WS.find((r) => r.implementation === 'ws' && r.version === '10.0.0')!;
    await store(
      root,
      { ...ws10, verdicts: { ...ws10.verdicts, [PRUNED.caseId]: PRUNED.verdict } },
      '2026-01-02T00:00:00.000Z',
    );
    const indexFile = path.join(releaseDir(root, 'ws', '10.0.0'), 'index.json');
    const index = JSON.parse(await readFile(indexFile, 'utf8')) as Record<string, Record<string, unknown>>;
    delete index.ws![PRUNED.caseId];
    await writeFile(indexFile, JSON.stringify(index));

    const run = await runMain(['report', root, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    wsPage = await readFile(path.join(out, 'releases', 'server-ws.html'), 'utf8');
  }, 60_000);

  it('is linked from the index; lists each implementation of several releases, servers and clients apart', async () => {
    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(index).toContain('<a href="releases.html">Releases</a>');
    const list = await readFile(path.join(out, 'releases.html'), 'utf8');
    const families = [...list.matchAll(/<tr data-family="([^"]+)" data-role="([^"]+)">[\s\S]*?<a href="([^"]+)"/g)];
    expect(families.map((m) => [m[1], m[2], m[3]])).toEqual([
      ['ws', 'server', 'releases/server-ws.html'],
      ['ws', 'client', 'releases/client-ws.html'],
    ]);
    // "solo" and its variant are one release: nothing to compare.
    expect(list).not.toContain('data-family="solo"');
    expect(existsSync(path.join(out, 'releases', 'client-ws.html'))).toBe(true);
  });

  it('has a column per release in version order, each variant beside its release, with its count of changes', () => {
    const { columns } = parsePage(wsPage);
    expect(columns.map((c) => c.release)).toEqual([
      'ws 1.0.0',
      'ws 2.0.0',
      'ws+deflate 2.0.0',
      'ws 10.0.0',
      'ws+deflate 10.0.0',
    ]);
    for (const c of columns) {
      const [implementation, version] = c.release.split(' ');
      const release = WS.find((r) => r.implementation === implementation && r.version === version)!;
      const { previous, changed } = expectedChanges(WS, release);
      expect(c.changed, c.release).toBe(previous === undefined ? null : Object.keys(changed).length);
      if (previous !== undefined) expect(wsPage).toContain(`${Object.keys(changed).length} changed since ${previous}`);
    }
    // What the fixture was built to hold, spelled out once.
    expect(columns.map((c) => c.changed)).toEqual([null, 3, null, 3, 2]);
  });

  it('marks exactly the cells whose verdict differs from the variant’s previous release, with the earlier one', () => {
    const { columns, rows } = parsePage(wsPage);
    let marked = 0;
    for (const [caseId, row] of rows) {
      let rowChanged = false;
      columns.forEach((c, i) => {
        const [implementation, version] = c.release.split(' ');
        const release = WS.find((r) => r.implementation === implementation && r.version === version)!;
        const cell = row.cells[i]!;
        const stored = release.verdicts[caseId];
        const was = expectedChanges(WS, release).changed[caseId];
        expect(cell.verdict, `${c.release} ${caseId}`).toBe(stored);
        if (was === undefined) {
          expect(cell.classes, `${c.release} ${caseId}`).not.toContain('changed');
          return;
        }
        marked++;
        rowChanged = true;
        expect(cell.classes).toContain('changed');
        expect(cell.before).toBe(was);
        const kind = verdictRank(stored!) < verdictRank(was) ? 'regression' : 'fix';
        expect(cell.change, `${c.release} ${caseId}`).toBe(kind);
        expect(cell.classes).toContain(`change-${kind}`);
      });
      expect(row.changed, caseId).toBe(rowChanged);
    }
    expect(marked).toBe(8);
    // A regression and a fix, as the fixture has them.
    expect(rows.get('1.1.2')!.cells.map((c) => c.change)).toEqual([
      undefined,
      'regression',
      undefined,
      'fix',
      'regression',
    ]);
    // 1.1.3: NON-STRICT in 2.0.0 whose repeats also saw OK: timing-dependent, not a change, on either side.
    const timing = rows.get('1.1.3')!;
    expect(timing.changed).toBe(false);
    expect(timing.cells.map((c) => c.change)).toEqual([undefined, 'timing', undefined, 'timing', undefined]);
  });

  it('shows the verdicts of the release’s index.json: a verdict only a run still holds is not shown', () => {
    const { columns, rows } = parsePage(wsPage);
    const ws10 = columns.findIndex((c) => c.release === 'ws 10.0.0');
    const cell = rows.get(PRUNED.caseId)!.cells[ws10]!;
    expect(cell.classes).toContain('not-run');
    expect(cell.verdict).toBeUndefined();
  });

  it('links each cell to the case page, at the release’s own column', async () => {
    const { rows } = parsePage(wsPage);
    const cell = rows.get('1.1.2')!.cells[1]!;
    const [file, anchor] = cell.href!.split('#');
    expect(file).toBe('../cases/1.1.2.html');
    const casePage = await readFile(path.join(out, 'releases', file!), 'utf8');
    expect(casePage).toContain(`id="${anchor}"`);
    expect(casePage).toContain('ws 2.0.0');
  });

  it('compares a client’s releases apart from the server’s', async () => {
    const html = await readFile(path.join(out, 'releases', 'client-ws.html'), 'utf8');
    const { columns, rows } = parsePage(html);
    expect(columns).toEqual([
      { release: 'ws 1.0.0', changed: null },
      { release: 'ws 2.0.0', changed: 1 },
    ]);
    expect(rows.get('1.1.1')!.cells[1]).toMatchObject({ change: 'regression', before: 'OK' });
    expect(rows.get('1.1.1')!.cells[1]!.href).toMatch(/^\.\.\/client-cases\/1\.1\.1\.html#/);
  });

  it('has group rows that count the changes of their cases, and no scripts or outside links', () => {
    const group = /<tr class="group level-2 has-change" data-group="1\.1">([\s\S]*?)<\/tr>/.exec(wsPage);
    expect(group).not.toBeNull();
    expect([...group![1]!.matchAll(/data-changed="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([0, 1, 0, 1, 2]);
    // The list above the grid: per column, what changed and where.
    const item = /<li data-release="ws 2\.0\.0">(.*?)<\/li>/.exec(wsPage)?.[1]?.replace(/<[^>]+>/g, '');
    expect(item).toBe('ws 2.0.0 since 1.0.0: 3 verdicts changed (2 worse, 1 better), in groups 1 (1), 2 (1), 5 (1)');
    expect(wsPage).not.toContain('<li data-release="ws+deflate 2.0.0">');
    // Group 3's one case never changed.
    expect(wsPage).toMatch(/<tr class="group level-1" data-group="3">/);
    expect(wsPage).not.toContain('<script');
    expect(wsPage).not.toMatch(/(href|src)="(\/|https?:)/);
  });
});

describe('the Releases view without stored releases', () => {
  it('merges each release’s runs from the history; an implementation with one release has no page', async () => {
    const dir = await tempDir('releases-history');
    await writeReport(dir, {
      title: 't',
      generatedAt: 'now',
      columns: [],
      history: [
        { implementation: 'x', version: '0.9.0', runAt: '2026-01-01T00:00:00Z', verdicts: { '1.1.1': 'OK' } },
        // Two runs of 1.0.0: the newer one's verdict stands.
        { implementation: 'x', version: '1.0.0', runAt: '2026-01-02T00:00:00Z', verdicts: { '1.1.1': 'FAILED' } },
        { implementation: 'x', version: '1.0.0', runAt: '2026-01-03T00:00:00Z', verdicts: { '1.1.1': 'OK' } },
        { implementation: 'y', version: '1.0.0', runAt: '2026-01-03T00:00:00Z', verdicts: { '1.1.1': 'OK' } },
      ],
    });
    const { columns, rows } = parsePage(await readFile(path.join(dir, 'releases', 'server-x.html'), 'utf8'));
    expect(columns).toEqual([
      { release: 'x 0.9.0', changed: null },
      { release: 'x 1.0.0', changed: 0 },
    ]);
    expect(rows.get('1.1.1')!.cells[1]).toMatchObject({
      verdict: 'OK',
      classes: expect.not.arrayContaining(['changed']),
    });
    expect(existsSync(path.join(dir, 'releases', 'server-y.html'))).toBe(false);
  });
});

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe.runIf(existsSync(CHROMIUM) || process.env.CI)('the Releases view in headless Chromium', () => {
  it('its checkbox keeps only the cases whose verdict changed, and the group rows above them', async () => {
    const dir = await tempDir('releases-browser');
    const root = path.join(dir, 'results');
    for (const [i, r] of WS.entries()) await store(root, r, `2026-01-01T00:00:0${i}.000Z`);
    const out = path.join(dir, 'report');
    expect((await runMain(['report', root, '--out', out])).code).toBe(0);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(path.join(out, 'releases', 'server-ws.html')).href);
      const shown = (selector: string) =>
        page.evaluate(
          `[...document.querySelectorAll(${JSON.stringify(selector)})]` +
            '.filter((e) => getComputedStyle(e).display !== "none").map((e) => e.dataset.case ?? e.dataset.group)',
        ) as Promise<string[]>;
      expect(await shown('table.releases tr[data-case]')).toHaveLength(8);
      await page.check('#only-changed');
      // 1.1.2, 2.1, 5.1, 7.1.1 (ws) and 1.1.1 (ws+deflate); not 1.1.3 (timing-dependent), 2.2 or 3.1.
      expect(await shown('table.releases tr[data-case]')).toEqual(['1.1.1', '1.1.2', '2.1', '5.1', '7.1.1']);
      expect(await shown('table.releases tr.group')).toEqual(['1', '1.1', '2', '5', '7', '7.1']);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
