import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { caseBundleFilename, type CaseResult, type WireLogEntry } from '@wsmatrix/runner';
import { caseResult } from '@wsmatrix/runner/testing';
import { describe, expect, it } from 'vitest';
import {
  compareVerdictMaps,
  verdictMap,
  verdictRank,
  verdictString,
  writeReport,
  type HistoryPoint,
  type ReportColumn,
  type ReportInput,
} from '../src/report/index.js';
import { CASE_PAGE_SECTIONS } from '../src/report/case-page.js';
import { statusText } from '../src/report/grid.js';
import { compareVersions, historySteps } from '../src/report/history.js';
import {
  HEX_PREVIEW_OCTETS,
  WIRELOG_HEAD_ROWS,
  WIRELOG_TAIL_ROWS,
  renderWireLog,
} from '../src/report/wirelog-render.js';
import { tempDir } from './temp-dir.js';

/** A wire log in the runner's tuple shapes, with a 300-octet transmit that must be cut. */
const WIRELOG: WireLogEntry[] = [
  ['TO', [240, '474554202f20485454502f312e31 ...'], false],
  ['RO', [206, '485454502f312e3120313031'], false],
  ['TF', [13, 'Hello, world!'], 1, true, 0, 'a1b2c3d4', null, null, false],
  ['TO', [300, `${'ab'.repeat(64)} ...`], false],
  ['RF', [13, 'Hello, world!'], 1, true, 0, false, null],
  ['RO', [15, '810d48656c6c6f2c20776f726c6421']],
  ['KL', 1],
  ['RF', [2, '0x03e8'], 8, true, 4, false, null],
];

const CASE_IDS = ['1.1.1', '1.1.2', '2.1', '6.4.1'];

function reportInput(): ReportInput {
  const core = CASE_IDS.map((id, i) =>
    caseResult(id, {
      duration: 10 + i,
      wirelog: id === '1.1.1' ? WIRELOG : [],
      wirelogTimes: id === '1.1.1' ? WIRELOG.map((_, j) => j * 1.5) : [],
      ...(id === '6.4.1' ? { behavior: 'NON-STRICT', behaviorClose: 'OK' } : {}),
      ...(id === '2.1' ? { description: '<img src=x onerror=alert(1)>' } : {}),
    }),
  );
  const ws8 = CASE_IDS.map((id) =>
    caseResult(id, {
      ...(id === '1.1.2' ? { behavior: 'FAILED', behaviorClose: 'UNCLEAN', result: 'Frame <b>bad</b>' } : {}),
      ...(id === '2.1'
        ? {
            behaviorClose: 'WRONG CODE',
            remoteCloseCode: 1002,
            remoteCloseReason: '<script>alert("close")</script>',
          }
        : {}),
    }),
  );
  const columns: ReportColumn[] = [
    { key: 'core', label: 'core 0.1.0', implementation: 'core', version: '0.1.0', status: 'ok', results: core },
    { key: 'ws@8', label: 'ws 8.23.0', implementation: 'ws', version: '8.23.0', status: 'ok', results: ws8 },
    {
      key: 'wslay',
      label: 'wslay 1.1.1',
      implementation: 'wslay',
      version: '1.1.1',
      status: 'unavailable',
      reason: 'libwslay-dev missing <script>alert(1)</script>',
      results: [],
    },
  ];
  const history: HistoryPoint[] = [
    {
      implementation: 'ws',
      version: '8.23.0',
      runAt: '2025-02-01T00:00:00Z',
      verdicts: { '1.1.1': 'OK', '1.1.2': 'FAILED/UNCLEAN', '2.1': 'OK' },
    },
    {
      implementation: 'ws',
      version: '7.5.10',
      runAt: '2025-01-01T00:00:00Z',
      verdicts: { '1.1.1': 'OK', '1.1.2': 'OK', '2.1': 'FAILED' },
    },
    { implementation: 'core', version: '0.1.0', runAt: '2025-01-01T00:00:00Z', verdicts: { '1.1.1': 'OK' } },
  ];
  return {
    title: 'wsmatrix <test>',
    generatedAt: '2025-03-01T12:00:00Z',
    columns,
    history,
    benchmarkHtml: '<p id="bench-body">bench</p>',
  };
}

async function buildReport(): Promise<{ dir: string; pages: number; index: string }> {
  const dir = await tempDir('report');
  const { pages } = await writeReport(dir, reportInput());
  return { dir, pages, index: await readFile(path.join(dir, 'index.html'), 'utf8') };
}

/** The `<tr data-case=...>` rows of the grid, each with its cells. */
function gridRows(html: string): { id: string; row: string; cells: string[] }[] {
  const grid = html.slice(html.indexOf('<table class="grid"'));
  return [...grid.matchAll(/<tr data-case="([^"]+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => ({
    id: m[1]!,
    row: m[2]!,
    cells: [...m[2]!.matchAll(/<td class="cell[^"]*"[^>]*>[\s\S]*?<\/td>/g)].map((c) => c[0]),
  }));
}

describe('writeReport', () => {
  it('writes index, history, releases, glossary, bench, style and one page per case', async () => {
    const { dir, pages, index } = await buildReport();
    // releases.html and the page of ws, stored at two releases.
    expect(pages).toBe(6 + CASE_IDS.length);
    expect(existsSync(path.join(dir, 'releases', 'server-ws.html'))).toBe(true);
    expect(existsSync(path.join(dir, 'glossary.html'))).toBe(true);
    expect(existsSync(path.join(dir, 'style.css'))).toBe(true);
    expect((await readdir(path.join(dir, 'cases'))).sort()).toEqual(CASE_IDS.map((id) => `${id}.html`).sort());
    expect(index).toContain('href="bench.html"');
    expect(await readFile(path.join(dir, 'bench.html'), 'utf8')).toContain('<p id="bench-body">bench</p>');
    // Opens from disk: no absolute or remote links, no scripts.
    expect(index).not.toMatch(/(href|src)="(\/|https?:)/);
    expect(index).not.toContain('<script');
  });

  it('has one grid row per case and one column per implementation, under group headings', async () => {
    const { index } = await buildReport();
    const rows = gridRows(index);
    expect(rows.map((r) => r.id)).toEqual(CASE_IDS);
    const headers = [...index.matchAll(/<th data-column="([^"]+)"/g)].map((m) => m[1]);
    expect(headers).toEqual(['core', 'ws@8', 'wslay']);
    for (const r of rows) expect(r.cells).toHaveLength(3);
    for (const g of ['1', '1.1', '2', '6', '6.4'])
      expect(index).toContain(`<tr class="group level-${g.includes('.') ? 2 : 1}" data-group="${g}">`);
    expect(index).toMatch(/data-group="1"><th class="case">1 Framing<\/th>/);
    expect(index).toMatch(/data-group="6.4"><th class="case">6.4 Fail-fast on invalid UTF-8<\/th>/);
  });

  it(
    'colours cells by how they count, marks the close verdict, ' + 'shows the case time, links to existing case pages',
    async () => {
      const { dir, index } = await buildReport();
      const rows = new Map(gridRows(index).map((r) => [r.id, r.cells]));
      expect(rows.get('1.1.1')![0]).toMatch(
        /class="cell o-ok c-ok" data-outcome="ok" data-behavior="OK" data-behavior-close="OK"/,
      );
      expect(rows.get('1.1.1')![0]).toContain('10 ms');
      expect(rows.get('1.1.1')![0]).toContain('case time 10 ms');
      expect(rows.get('6.4.1')![0]).toMatch(
        /class="cell o-non-strict c-ok" data-outcome="non-strict" data-behavior="NON-STRICT"/,
      );
      expect(rows.get('1.1.2')![1]).toMatch(
        /class="cell o-failed c-unclean" data-outcome="failed" data-behavior="FAILED" data-behavior-close="UNCLEAN"/,
      );
      expect(rows.get('1.1.2')![1]).toContain('<span class="close-mark">unclean</span>');
      // behavior OK with a wrong close code fails by the pass rule, so the cell is red and says why.
      expect(rows.get('2.1')![1]).toMatch(
        /class="cell o-failed c-wrong-code" data-outcome="failed" data-behavior="OK"/,
      );
      let links = 0;
      for (const cells of rows.values()) {
        for (const cell of cells) {
          const href = /<a href="([^"]+)"/.exec(cell)?.[1];
          expect(href).toBeDefined();
          const [file, anchor] = href!.split('#');
          if (file) {
            // The case page exists and holds the anchor of the cell's column.
            expect(existsSync(path.join(dir, file)), href).toBe(true);
            expect(await readFile(path.join(dir, file), 'utf8'), href).toContain(`<th id="${anchor}" `);
          }
          links++;
        }
      }
      expect(links).toBe(CASE_IDS.length * 3);
      expect(index).toContain('href="cases/1.1.2.html#ws_8"');
    },
  );

  it('shows an unavailable column with its reason, escaped', async () => {
    const { index } = await buildReport();
    expect(index).toContain('libwslay-dev missing &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(index).not.toContain('<script>alert(1)');
    const wslayCells = gridRows(index).map((r) => r.cells[2]!);
    for (const cell of wslayCells)
      expect(cell).toMatch(
        /class="cell not-run" data-behavior="UNAVAILABLE"[^>]*title="unavailable: libwslay-dev missing &lt;script&gt;/,
      );
    expect(index).toMatch(
      new RegExp(
        /<th data-column="wslay"[^>]*class="col unavailable"[^>]*>/.source +
          /wslay 1\.1\.1<small>unavailable: libwslay-dev missing &lt;script&gt;/.source,
      ),
    );
  });

  it('says a reason that already names the status once ("unavailable on Node 26 (…)"), others after it', () => {
    const column = (status: 'unavailable' | 'down', reason: string) => ({
      column: { key: 'uws', label: 'uws', implementation: 'uws', version: 'unavailable', status, reason, results: [] },
      folder: 'uws',
      byId: new Map(),
      ids: [],
    });
    const node26 = 'unavailable on Node 26 (no native build for ABI 147)';
    expect(statusText(column('unavailable', node26))).toBe(node26);
    expect(statusText(column('unavailable', 'libwslay-dev missing'))).toBe('unavailable: libwslay-dev missing');
    expect(statusText(column('down', 'connect ECONNREFUSED'))).toBe('target down: connect ECONNREFUSED');
  });

  it('shows the partial results of a column that went down, and the reason in its other cells', async () => {
    const dir = await tempDir('report');
    const columns: ReportColumn[] = [
      {
        key: 'core',
        label: 'core',
        implementation: 'core',
        version: '0.1.0',
        status: 'ok',
        results: CASE_IDS.map((id) => caseResult(id)),
      },
      {
        key: 'uws',
        label: 'uWS',
        implementation: 'uws',
        version: '20',
        status: 'down',
        reason: 'stopped answering',
        results: [caseResult('1.1.1')],
      },
    ];
    const { pages } = await writeReport(dir, { title: 't', generatedAt: 'now', history: [], columns });
    expect(pages).toBe(4 + CASE_IDS.length);
    const cells = gridRows(await readFile(path.join(dir, 'index.html'), 'utf8')).map((r) => r.cells[1]!);
    expect(cells[0]).toContain('href="cases/1.1.1.html#uws"');
    for (const cell of cells.slice(1))
      expect(cell).toMatch(
        /data-behavior="DOWN" title="target down: stopped answering"><a href="#column-uws">target down<\/a>/,
      );
  });

  it('counts verdicts per implementation in a fold-out above the grid, summed case time labelled as such', async () => {
    const { index } = await buildReport();
    const totals = index.slice(index.indexOf('id="totals-implementations"'));
    expect(index).toMatch(
      new RegExp(
        /<details id="counts" class="counts"><summary>Verdict counts per implementation<\/summary>/.source +
          /<div class="wide"><table class="totals" id="totals-implementations">/.source,
      ),
    );
    expect(index.indexOf('id="totals-implementations"')).toBeLessThan(index.indexOf('id="grid"'));
    expect(totals).toMatch(
      />OK<\/span><\/th><td class="num">3<\/td><td class="num">3<\/td><td class="num not-run">—<\/td>/,
    );
    expect(totals).toMatch(
      new RegExp(
        /<th class="outcome failed">counted as <span class="v o-failed">FAILED<\/span><\/th>/.source +
          /<td class="num">0<\/td><td class="num">2<\/td>/.source,
      ),
    );
    expect(totals).toMatch(/<th class="case-time">Summed case time<\/th><td class="num">0\.0 s<\/td>/);
    expect(index).not.toMatch(/[Tt]otal duration|>Duration</);
  });

  it('escapes strings from results on case pages', async () => {
    const { dir } = await buildReport();
    const html = await readFile(path.join(dir, 'cases/2.1.html'), 'utf8');
    expect(html).toContain(
      '<tr><th>remoteCloseReason</th><td>null</td>' +
        '<td>&quot;&lt;script&gt;alert(\\&quot;close\\&quot;)&lt;/script&gt;&quot;</td></tr>',
    );
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    const failed = await readFile(path.join(dir, 'cases/1.1.2.html'), 'utf8');
    expect(failed).toContain('Frame &lt;b&gt;bad&lt;/b&gt;');
  });

  it(
    'gives every case page all sections, every implementation side by side: ' +
      'outcome, events, closing, handshake, statistics',
    async () => {
      const { dir } = await buildReport();
      const html = await readFile(path.join(dir, 'cases/1.1.2.html'), 'utf8');
      for (const s of CASE_PAGE_SECTIONS) expect(html).toContain(`<h2 id="${s.id}">`);
      expect(CASE_PAGE_SECTIONS.map((s) => s.id)).toEqual([
        'case-description',
        'case-expectation',
        'case-outcome',
        'expected-observed',
        'closing-behaviour',
        'opening-handshake',
        'wire-statistics',
        'wire-log',
      ]);
      expect(html).toContain('href="../style.css"');
      // The case's own parts once; the unavailable wslay column has nothing on the page.
      expect([...html.matchAll(/Send text message for case 1\.1\.2\./g)]).toHaveLength(1);
      expect([...html.matchAll(/<table class="events expected"/g)]).toHaveLength(1);
      expect(html).toContain('matched by core 0.1.0</span>');
      expect(html).not.toContain('wslay');
      // One column per implementation, its header the anchor a grid cell links to.
      const outcomes = /<table class="outcomes" id="outcomes">[\s\S]*?<\/table>/.exec(html)![0];
      expect(outcomes).toContain(
        '<thead><tr><th></th><th id="core" data-column="core">core 0.1.0</th>' +
          '<th id="ws_8" data-column="ws@8">ws 8.23.0</th></tr></thead>',
      );
      const row = (label: string) => new RegExp(`<tr><th>${label}</th>(.*)</tr>`).exec(outcomes)![1];
      expect(row('Counts as')).toBe(
        '<td><span class="v o-ok" data-outcome>passed: OK</span></td>' +
          '<td><span class="v o-failed" data-outcome>FAILED</span></td>',
      );
      expect(row('Behavior')).toBe(
        '<td><span class="v b-ok" data-behavior>OK</span></td>' +
          '<td><span class="v b-failed" data-behavior>FAILED</span></td>',
      );
      expect(row('Close behavior')).toContain('<span class="v c-unclean" data-behavior-close>UNCLEAN</span>');
      expect(html).toContain(
        '<tr><th><a href="../glossary.html#times">Case time</a></th><td>11 ms</td><td>3 ms</td></tr>',
      );
      expect(html).toContain('Received messages match the expected ones.');
      // Both observed the same events: one table under a heading naming both.
      expect(html).toContain(
        '<h3 class="impl">core 0.1.0 · ws 8.23.0</h3>\n' +
          '<div class="impl-part" data-section="observed" data-column="core ws@8">',
      );
      expect(html).toMatch(/<table class="events observed" data-column="core ws@8">[\s\S]*Hello, world!/);
      // Closing records side by side, values as JSON: null, booleans and numbers bare, strings quoted.
      for (const field of [
        'isServer',
        'closedByMe',
        'wasNotCleanReason',
        'wasServerConnectionDropTimeout',
        'remoteCloseReason',
      ]) {
        expect(html).toContain(`<tr><th>${field}</th><td`);
      }
      // A value every implementation shares is shown once across the columns; differing values one per column.
      expect(html).toContain('<tr><th>wasNotCleanReason</th><td colspan="2" class="all">null</td></tr>');
      expect(html).toContain('<tr><th>closedByMe</th><td colspan="2" class="all">true</td></tr>');
      expect(html).toContain('<tr><th>closeCode</th><td>[1000]</td></tr>');
      expect(html).toMatch(/<pre class="http-request">GET \/ HTTP\/1\.1/);
      expect(html).toMatch(/<pre class="http-response">HTTP\/1\.1 101 Switching Protocols/);
      expect(html).toContain(
        '<tr><th>Octets received (chop size × count)</th><td colspan="2" class="all">' +
          '2 × 1 · 206 × 1 <small>(208 octets in 2 pieces)</small></td>',
      );
      expect(html).toContain(
        '<tr><th>Frames transmitted (opcode × count)</th><td colspan="2" class="all">' +
          'TEXT × 1 · CLOSE × 1 <small>(2 frames)</small></td>',
      );
      // The closing fields are explained once, in the glossary, not on every page.
      expect(html).toContain('href="../glossary.html#closing"');
      expect(html).not.toContain('True when the fuzzer started the closing handshake');
      expect(await readFile(path.join(dir, 'glossary.html'), 'utf8')).toContain(
        'True when the fuzzer started the closing handshake',
      );
      // Relative links to the neighbouring cases and back to the grid.
      expect(html).toContain('href="../index.html#case-1.1.2"');
      expect(html).toContain('<a rel="prev" href="1.1.1.html">');
      expect(html).toContain('<a rel="next" href="2.1.html">');
    },
  );

  it('renders the wire log: one row per entry in order, with times, hex and decoded frames', async () => {
    const { dir } = await buildReport();
    const html = await readFile(path.join(dir, 'cases/1.1.1.html'), 'utf8');
    const core = /<div class="impl-part" data-section="wire-log" data-column="core">([\s\S]*?)<\/div>/.exec(html)![1]!;
    const tbody = /<table class="wirelog">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(core)![1]!;
    // One line per row; end tags are optional in HTML and left out.
    const rows = [...tbody.matchAll(/^<tr data-kind="([^"]+)">(.*)$/gm)].map((m) => ({
      kind: m[1],
      cells: m[2]!.split('<td>').slice(1),
    }));
    expect(rows.map((r) => Number(r.cells[0]))).toEqual(WIRELOG.map((_, i) => i + 1));
    expect(rows.map((r) => r.kind)).toEqual(WIRELOG.map((e) => e[0]));
    expect(rows.map((r) => r.cells[2])).toEqual(['TX', 'RX', 'TX', 'TX', 'RX', 'RX', '·', 'RX']);
    expect(rows[1]!.cells[1]).toBe('1.500');
    expect(rows[1]!.cells[3]).toBe('206 octets: <code>48 54 54 50 2f 31 2e 31 20 31 30 31</code> <i>…</i>');
    // Long octet runs show their first octets and the length, not every logged octet.
    expect(rows[3]!.cells[3]).toBe(
      `300 octets: <code>${Array(HEX_PREVIEW_OCTETS).fill('ab').join(' ')}</code> <i>…</i>`,
    );
    expect(rows[2]!.cells[3]).toMatch(/<b>TEXT<\/b> frame · FIN yes · RSV 0 · mask a1b2c3d4 · payload 13 octets/);
    expect(rows[4]!.cells[3]).toMatch(
      new RegExp(
        /<b>TEXT<\/b> frame · FIN yes · RSV 0 · mask no · payload 13 octets/.source +
          /<br><code class="text">&quot;Hello, world!&quot;<\/code>/.source,
      ),
    );
    expect(rows[7]!.cells[3]).toMatch(
      /<b>CLOSE<\/b> frame · FIN yes · RSV 4 \(RSV1\) · mask no · payload 2 octets<br><code>03 e8<\/code>/,
    );
    expect(rows[6]!.cells[3]).toBe('kill connection after 1 s');
  });

  it('survives odd wire log entries and missing fields without throwing', async () => {
    const dir = await tempDir('report');
    const odd = caseResult('1.1.1', {
      wirelog: [
        ['XX', { a: 1 }],
        'junk' as unknown as WireLogEntry,
        ['TO', 'not a tuple'],
        ['RF', [5, '0xzz'], 99, 'x', 'y'],
      ],
      wirelogTimes: [0],
      expected: undefined as unknown as CaseResult['expected'],
      received: undefined as unknown as CaseResult['received'],
      rxOctetStats: undefined as unknown as CaseResult['rxOctetStats'],
    });
    await writeReport(dir, {
      title: 't',
      generatedAt: 'now',
      history: [],
      columns: [{ key: '"><b>', label: 'e', implementation: 'e', version: '1', status: 'ok', results: [odd] }],
    });
    expect(await readdir(path.join(dir, 'cases'))).toEqual(['1.1.1.html']);
    const html = await readFile(path.join(dir, 'cases', '1.1.1.html'), 'utf8');
    expect(html).not.toContain('"><b>'); // the column key only ever appears escaped or sanitised
    expect([...html.matchAll(/<tr data-kind="/g)]).toHaveLength(4);
    expect(html).toContain('RESERVED 99');
  });

  it('observed events: implementations that saw the same events share one table, others keep their own', async () => {
    const dir = await tempDir('report');
    const column = (key: string, received: CaseResult['received']): ReportColumn => ({
      key,
      label: `${key} 1`,
      implementation: key,
      version: '1',
      status: 'ok',
      results: [caseResult('1.1.1', { received })],
    });
    const same: CaseResult['received'] = [['message', 'Hello, world!', false]];
    const other: CaseResult['received'] = [['message', 'Goodbye', false]];
    await writeReport(dir, {
      title: 't',
      generatedAt: 'now',
      history: [],
      columns: [column('a', same), column('b', other), column('c', same)],
    });
    const html = await readFile(path.join(dir, 'cases', '1.1.1.html'), 'utf8');
    const tables = [...html.matchAll(/<table class="events observed" data-column="([^"]+)">([\s\S]*?)<\/table>/g)].map(
      (m) => [m[1], m[2]!.includes('Goodbye') ? 'other' : 'same'],
    );
    expect(tables).toEqual([
      ['a c', 'same'],
      ['b', 'other'],
    ]);
  });

  it(
    'cuts a long wire log to its first and last rows with a note that counts the rest ' +
      'and links to the full log; a short one is whole',
    async () => {
      // Each entry says which one it is, so the rows shown can be checked one by one.
      const log = (n: number): WireLogEntry[] => Array.from({ length: n }, (_, i) => ['KL', i + 1]);
      const rowNumbers = (html: string) =>
        [...html.matchAll(/^<tr data-kind="KL"><td>(\d+)<td>[^<]*<td>·<td>kill connection after (\d+) s$/gm)].map(
          (m) => [Number(m[1]), Number(m[2])],
        );
      const full = { href: '../servers/x_cases.json.gz', text: 'servers/x_cases.json.gz' };
      const limit = WIRELOG_HEAD_ROWS + WIRELOG_TAIL_ROWS;

      const whole = renderWireLog(log(limit), [], full);
      expect(rowNumbers(whole).map(([n]) => n)).toEqual(Array.from({ length: limit }, (_, i) => i + 1));
      expect(whole).not.toContain('not shown');

      const total = limit + 37;
      const cut = renderWireLog(log(total), [], full);
      const shown = rowNumbers(cut);
      expect(shown.every(([n, entry]) => n === entry)).toBe(true);
      expect(shown.map(([n]) => n)).toEqual([
        ...Array.from({ length: WIRELOG_HEAD_ROWS }, (_, i) => i + 1),
        ...Array.from({ length: WIRELOG_TAIL_ROWS }, (_, i) => total - WIRELOG_TAIL_ROWS + i + 1),
      ]);
      const note = /^<tr class="cut" data-hidden-rows="(\d+)"><td colspan="4">(.*)$/m.exec(cut)!;
      expect(note[1]).toBe('37');
      expect(note[2]).toBe(
        '37 rows not shown — the full wire log is in <a href="../servers/x_cases.json.gz">servers/x_cases.json.gz</a>',
      );
      // The note sits between the first rows and the last ones.
      const lines = cut.split('\n');
      expect(lines.findIndex((l) => l.startsWith('<tr class="cut"'))).toBe(
        lines.findIndex((l) => l.startsWith(`<tr data-kind="KL"><td>${WIRELOG_HEAD_ROWS}<td>`)) + 1,
      );

      // On a case page the note links to the column's bundle of case reports that the matrix command writes under
      // servers/.
      const dir = await tempDir('report');
      const long = caseResult('1.1.1', { wirelog: log(total), wirelogTimes: [] });
      await writeReport(dir, {
        title: 't',
        generatedAt: 'now',
        history: [],
        columns: [{ key: 'ws@8', label: 'ws 8', implementation: 'ws', version: '8', status: 'ok', results: [long] }],
      });
      const html = await readFile(path.join(dir, 'cases', '1.1.1.html'), 'utf8');
      expect(html).toContain(
        `37 rows not shown — the full wire log is in <a href="../servers/${caseBundleFilename('ws@8')}">` +
          `servers/${caseBundleFilename('ws@8')} (gzip-compressed JSON, ` +
          `key &quot;1.1.1&quot;, field &quot;wirelog&quot;)</a>`,
      );
    },
  );
});

describe('verdicts', () => {
  it('ranks OK > NON-STRICT > INFORMATIONAL > UNIMPLEMENTED > FAILED, then by close verdict', () => {
    const order = [
      'OK',
      'OK/INFORMATIONAL',
      'OK/WRONG CODE',
      'OK/UNCLEAN',
      'NON-STRICT',
      'INFORMATIONAL',
      'UNIMPLEMENTED',
      'FAILED',
      'FAILED/UNCLEAN',
      'FAILED/FAILED',
    ];
    const ranks = order.map(verdictRank);
    for (let i = 1; i < ranks.length; i++)
      expect(ranks[i - 1]!, `${order[i - 1]} > ${order[i]}`).toBeGreaterThan(ranks[i]!);
    expect(verdictString({ behavior: 'OK', behaviorClose: 'OK' })).toBe('OK');
    expect(verdictString({ behavior: 'OK', behaviorClose: 'UNCLEAN' })).toBe('OK/UNCLEAN');
    expect(verdictMap([caseResult('2.1', { behavior: 'FAILED', behaviorClose: 'WRONG CODE' })])).toEqual({
      '2.1': 'FAILED/WRONG CODE',
    });
  });

  it('compareVerdictMaps finds regressions, fixes and other changes in case order', () => {
    const before = {
      '1.1.1': 'OK',
      '1.1.2': 'FAILED',
      '2.1': 'OK',
      '10.1.1': 'OK',
      '3.1': 'NON-STRICT',
      '4.1.1': 'OK',
    };
    const after = { '1.1.1': 'OK', '1.1.2': 'OK', '2.1': 'OK/UNCLEAN', '10.1.1': 'FAILED', '3.1': 'OK', '5.1': 'OK' };
    const cmp = compareVerdictMaps(before, after);
    expect(cmp.regressions).toEqual([
      { caseId: '2.1', before: 'OK', after: 'OK/UNCLEAN' },
      { caseId: '10.1.1', before: 'OK', after: 'FAILED' },
    ]);
    expect(cmp.fixes).toEqual([
      { caseId: '1.1.2', before: 'FAILED', after: 'OK' },
      { caseId: '3.1', before: 'NON-STRICT', after: 'OK' },
    ]);
    expect(cmp.changed.map((c) => c.caseId)).toEqual(['1.1.2', '2.1', '3.1', '4.1.1', '5.1', '10.1.1']);
    expect(cmp.changed.find((c) => c.caseId === '4.1.1')).toEqual({ caseId: '4.1.1', before: 'OK', after: null });
    expect(compareVerdictMaps(before, before)).toEqual({ regressions: [], fixes: [], changed: [] });
  });

  it('orders versions numerically, pre-releases first', () => {
    const versions = ['8.23.0', '7.5.10', '20.30.0-unofficial.0', '7.5.9', '20.30.0', '8.3.0'];
    expect([...versions].sort(compareVersions)).toEqual([
      '7.5.9',
      '7.5.10',
      '8.3.0',
      '8.23.0',
      '20.30.0-unofficial.0',
      '20.30.0',
    ]);
  });
});

describe('history.html', () => {
  it('lists runs per implementation in version order and marks regressions red and fixes green', async () => {
    const { dir } = await buildReport();
    const html = await readFile(path.join(dir, 'history.html'), 'utf8');
    const ws = html.slice(html.indexOf('data-implementation="ws"'), html.indexOf('data-implementation="core"'));
    // 7.5.10 (stored second) comes first.
    expect(ws.indexOf('7.5.10')).toBeLessThan(ws.indexOf('8.23.0'));
    expect(ws).toMatch(
      new RegExp(
        /<tr class="regression" data-case="1.1.2" data-change="regression">[\s\S]*?/.source +
          /<td class="before"><span class="v b-ok">OK<\/span><\/td>/.source +
          /<td class="after"><span class="v b-failed c-unclean">FAILED\/UNCLEAN<\/span>/.source,
      ),
    );
    expect(ws).toMatch(
      new RegExp(
        /<tr class="fix" data-case="2.1" data-change="fix">[\s\S]*?/.source +
          /<td class="before"><span class="v b-failed">FAILED<\/span><\/td>/.source +
          /<td class="after"><span class="v b-ok">OK<\/span>/.source,
      ),
    );
    expect(ws).not.toContain('data-case="1.1.1"');
    expect(html).toContain('Only one stored run');
    const css = await readFile(path.join(dir, 'style.css'), 'utf8');
    expect(css).toMatch(/tr\.regression td \{ background: #f8d3d3/);
    expect(css).toMatch(/tr\.fix td \{ background: #d5f0d9/);
  });
});

/** Writes a report of the given columns and returns its index.html. */
async function indexOf(columns: ReportColumn[], history: HistoryPoint[] = []): Promise<{ dir: string; index: string }> {
  const dir = await tempDir('report');
  await writeReport(dir, { title: 't', generatedAt: 'now', history, columns });
  return { dir, index: await readFile(path.join(dir, 'index.html'), 'utf8') };
}

const column = (key: string, results: CaseResult[], extra: Partial<ReportColumn> = {}): ReportColumn => ({
  key,
  label: key,
  implementation: key,
  version: '1',
  status: 'ok',
  results,
  ...extra,
});

/** The group row of `group` in the grid: its per-column total cells. */
function groupCells(index: string, group: string): string[] {
  const row = new RegExp(
    `<tr class="group level-\\d" data-group="${group.replace(/\./g, '\\.')}">([\\s\\S]*?)</tr>`,
  ).exec(index);
  expect(row, `group row ${group}`).not.toBeNull();
  return [...row![1]!.matchAll(/<td class="gt[^"]*"[^>]*>[^<]*<\/td>/g)].map((m) => m[0]);
}

describe('colours follow the verdict rules', () => {
  it(
    'a group is red only when a case in it failed: ' + 'INFORMATIONAL, NON-STRICT and UNIMPLEMENTED groups are not',
    async () => {
      const info = ['7.13.1', '7.13.2'].map((id) =>
        caseResult(id, { behavior: 'INFORMATIONAL', behaviorClose: 'INFORMATIONAL' }),
      );
      const nonStrict = ['0.3.1', '0.3.2'].map((id) => caseResult(id, { behavior: 'NON-STRICT' }));
      const unimplemented = ['12.1.1', '12.1.2'].map((id) => caseResult(id, { behavior: 'UNIMPLEMENTED' }));
      const oneFailed = [caseResult('1.1.1'), caseResult('1.1.2', { behavior: 'FAILED' })];
      const uncleanClose = [caseResult('3.1', { behaviorClose: 'UNCLEAN' })];
      const { index } = await indexOf([
        column('x', [...info, ...nonStrict, ...unimplemented, ...oneFailed, ...uncleanClose]),
      ]);
      expect(groupCells(index, '7.13')).toEqual([
        '<td class="gt s-passed" data-failed="0" title="2 INFORMATIONAL">2/2</td>',
      ]);
      expect(groupCells(index, '7')[0]).toContain('class="gt s-passed"');
      expect(groupCells(index, '0.3')).toEqual([
        '<td class="gt s-passed" data-failed="0" title="2 NON-STRICT">2/2</td>',
      ]);
      expect(groupCells(index, '12.1')).toEqual([
        '<td class="gt s-unimplemented" data-failed="0" title="2 UNIMPLEMENTED">UNIMPL</td>',
      ]);
      expect(groupCells(index, '1.1')).toEqual([
        '<td class="gt s-failed" data-failed="1" title="1 OK · 1 FAILED">1/2</td>',
      ]);
      expect(groupCells(index, '1')[0]).toContain('class="gt s-failed" data-failed="1"');
      // OK behavior with an unclean close fails the case, so its group is red too.
      expect(groupCells(index, '3')).toEqual(['<td class="gt s-failed" data-failed="1" title="1 FAILED">0/1</td>']);
      // The cells: three shades of pass, UNIMPLEMENTED its own, FAILED red; the stylesheet gives each its colour.
      const cells = new Map(gridRows(index).map((r) => [r.id, r.cells[0]!]));
      expect(cells.get('7.13.1')).toContain('class="cell o-informational c-informational"');
      expect(cells.get('0.3.1')).toContain('class="cell o-non-strict c-ok"');
      expect(cells.get('12.1.1')).toContain('class="cell o-unimplemented c-ok"');
      expect(cells.get('1.1.2')).toContain('class="cell o-failed c-ok"');
      const css = await readFile(path.join((await indexOf([])).dir, 'style.css'), 'utf8');
      const colour = (cls: string) =>
        new RegExp(`\\.${cls}(?:, [^{]+)? \\{ background: var\\(--([a-z-]+)\\)`).exec(css)?.[1];
      expect(['o-ok', 'o-non-strict', 'o-informational', 'o-unimplemented', 'o-failed'].map(colour)).toEqual([
        'ok',
        'non-strict',
        'informational',
        'unimplemented',
        'failed',
      ]);
      expect(css).toMatch(/td\.gt\.s-passed \{ background: var\(--non-strict\)/);
      expect(css).toMatch(/td\.gt\.s-failed \{ background: var\(--failed\)/);
    },
  );

  it(
    'a case whose connection never opened is FAILED whatever its behavior field says; ' +
      'a refused one says target down',
    async () => {
      const neverOpened = caseResult('5.1', {
        behavior: 'OK',
        behaviorClose: 'FAILED',
        connectFailure: { kind: 'handshake-timeout', message: 'no 101 within 5000 ms' },
      });
      const refused = caseResult('5.2', {
        behavior: 'FAILED',
        behaviorClose: 'FAILED',
        connectFailure: { kind: 'refused', message: 'connect ECONNREFUSED 127.0.0.1:9' },
      });
      const { dir, index } = await indexOf([column('x', [caseResult('1.1.1'), neverOpened, refused])]);
      const cells = new Map(gridRows(index).map((r) => [r.id, r.cells[0]!]));
      expect(cells.get('5.1')).toMatch(
        new RegExp(
          /class="cell o-failed c-failed" data-outcome="failed" data-behavior="OK"[^>]*/.source +
            /title="FAILED: the connection never opened \(handshake-timeout: no 101 within 5000 ms\)">/.source +
            /<a href="cases\/5\.1\.html#x">NOT OPENED<\/a>/.source,
        ),
      );
      expect(cells.get('5.2')).toMatch(
        /class="cell o-target-down" data-outcome="target-down"[^>]*><a href="#column-x">target down<\/a>/,
      );
      // Not counted as passed: the 5.x group has no pass, one failure, and is not red for the down case alone.
      expect(groupCells(index, '5')).toEqual([
        '<td class="gt s-failed" data-failed="1" title="1 FAILED · 1 target down">0/1</td>',
      ]);
      const summary = /<tr data-summary="x"[\s\S]*?<\/tr>/.exec(index)![0];
      expect(summary).toContain('data-passed="1"');
      expect(summary).toContain('1 target down');
      expect(summary).toContain('<strong class="failed-count">1 FAILED</strong>');
      // A case not played keeps no page; the one that never opened has one that says so.
      expect(existsSync(path.join(dir, 'cases/5.2.html'))).toBe(false);
      const page = await readFile(path.join(dir, 'cases/5.1.html'), 'utf8');
      expect(page).toContain(
        '<span class="v o-failed" data-outcome>FAILED: the connection never opened (handshake-timeout)</span>',
      );
      expect(page).toContain('x: connection failure <code>handshake-timeout</code> no 101 within 5000 ms');
      expect(page).not.toContain('5.2.html');
    },
  );

  it('a down column says target down in its rows and its summary line', async () => {
    const { index } = await indexOf([
      column('core', [caseResult('1.1.1')]),
      column('wslay', [], { status: 'down', reason: 'did not start: exit 1' }),
    ]);
    expect(gridRows(index)[0]!.cells[1]).toContain('>target down</a>');
    expect(index).toMatch(
      new RegExp(
        /<tr data-summary="wslay" class="down"><th>[\s\S]*?/.source +
          /<td colspan="7" class="part s-not-run">target down: did not start: exit 1<\/td>/.source,
      ),
    );
  });
});

describe('summary lines above the grid', () => {
  it(
    'count Autobahn cases (with and without NON-STRICT) ' +
      'apart from our handshake group 0, so a FAILED says where it comes from',
    async () => {
      const results = [
        caseResult('1.1.1'),
        caseResult('1.1.2', { behavior: 'NON-STRICT' }),
        caseResult('7.13.1', { behavior: 'INFORMATIONAL', behaviorClose: 'INFORMATIONAL' }),
        caseResult('12.1.1', { behavior: 'UNIMPLEMENTED' }),
        caseResult('0.1.1'),
        caseResult('0.1.2', { behavior: 'FAILED' }),
        caseResult('0.1.3', { behavior: 'FAILED' }),
      ];
      const { index } = await indexOf([column('uws', results)]);
      const row = /<tr data-summary="uws"[\s\S]*?<\/tr>/.exec(index)![0];
      const part = (name: string) =>
        new RegExp(`<td class="[^"]*" data-part="${name}"[^>]*>([\\s\\S]*?)</td>`).exec(row)![0];
      expect(part('autobahn')).toContain('class="part s-passed"');
      expect(part('autobahn')).toContain('3/3 passed');
      expect(part('autobahn')).toContain('(2 without NON-STRICT)');
      expect(part('autobahn')).toContain('1 UNIMPLEMENTED');
      expect(part('autobahn-failed')).toContain('>0 FAILED<');
      expect(part('handshake')).toContain('class="part s-failed"');
      expect(part('handshake')).toContain('1/3 passed');
      expect(part('handshake-failed')).toContain('<strong class="failed-count">2 FAILED</strong>');
      expect(index).toContain('Handshake group 0 (wsmatrix’s own)');
      // The summary comes before the grid.
      expect(index.indexOf('id="summary"')).toBeLessThan(index.indexOf('id="grid"'));
      expect(index).toMatch(/<th title="[^"]*more than the wall time[^"]*">Summed case time<\/th>/);
    },
  );
});

describe('history lists verdict changes only', () => {
  const point = (version: string, runAt: string, verdicts: Record<string, string>): HistoryPoint => ({
    implementation: 'ws',
    version,
    runAt,
    verdicts,
  });

  it(
    'a case seen for the first time, or left out of a run, is not a change; ' +
      'a run is compared with each case as last seen',
    () => {
      const steps = historySteps([
        point('8.0.0', '2025-01-01', { '1.1.1': 'OK', '3.4': 'OK' }),
        // A partial run: 3.4 flips, 1.1.1 is not in it.
        point('8.0.0', '2025-01-02', { '3.4': 'NON-STRICT' }),
        // 1.1.1 compared with its verdict of the first run; 2.1 and 9.1.1 seen for the first time.
        point('8.0.0', '2025-01-03', { '1.1.1': 'FAILED', '2.1': 'OK', '3.4': 'NON-STRICT', '9.1.1': 'OK' }),
        point('8.1.0', '2025-02-01', { '1.1.1': 'OK', '2.1': 'OK', '3.4': 'OK', '9.1.1': 'OK' }),
      ]);
      expect(steps.map((s) => s.step)).toEqual(['first', 'run', 'run', 'release']);
      expect(steps.map((s) => [s.regressions, s.fixes, s.other])).toEqual([
        [[], [], []],
        [[{ caseId: '3.4', before: 'OK', after: 'NON-STRICT' }], [], []],
        [[{ caseId: '1.1.1', before: 'OK', after: 'FAILED' }], [], []],
        [
          [],
          [
            { caseId: '1.1.1', before: 'FAILED', after: 'OK' },
            { caseId: '3.4', before: 'NON-STRICT', after: 'OK' },
          ],
          [],
        ],
      ]);
    },
  );

  it('history.html shows no "(not run)" rows and no table for a run without changes', async () => {
    const dir = await tempDir('report');
    const all = Object.fromEntries(CASE_IDS.map((id) => [id, 'OK']));
    const history = [
      point('8.0.0', '2025-01-01', { '1.1.1': 'OK' }),
      point('8.0.0', '2025-01-02', all),
      point('8.0.0', '2025-01-03', { ...all, '2.1': 'FAILED' }),
    ];
    await writeReport(dir, { title: 't', generatedAt: 'now', history, columns: [] });
    const html = await readFile(path.join(dir, 'history.html'), 'utf8');
    expect(html).not.toContain('(not run)');
    expect([...html.matchAll(/<table class="changes">/g)]).toHaveLength(1);
    expect([...html.matchAll(/<tr class="(regression|fix|changed)"/g)].map((m) => m[0])).toEqual([
      '<tr class="regression"',
    ]);
    expect(html).toContain('data-case="2.1" data-change="regression"');
    expect(html).toMatch(/<tr data-run="2">.*?<span class="note">no change<\/span>/);
  });
});

describe('the report folder', () => {
  it('holds one report: case pages of an earlier, larger run are removed', async () => {
    const dir = await tempDir('report');
    await writeReport(dir, { ...reportInput() });
    expect(existsSync(path.join(dir, 'cases/2.1.html'))).toBe(true);
    await writeReport(dir, {
      title: 't',
      generatedAt: 'now',
      history: [],
      columns: [column('core', [caseResult('1.1.1')])],
    });
    expect(await readdir(path.join(dir, 'cases'))).toEqual(['1.1.1.html']);
    expect(existsSync(path.join(dir, 'bench.html'))).toBe(false);
  });
});
