/**
 * The benchmark page of the matrix report, as an HTML fragment: the ratio table, and per workload an
 * inline SVG bar chart (min–max whiskers over the runs) and a detail table. No scripts or stylesheet.
 */
import { formatPercent, formatRatio, formatValue } from './format.js';
import type { BenchCell, BenchResult, BenchTarget } from './result.js';
import { cellFlags, describeDeflate, describeTargetSettings, detailColumns, URL_SERVER_NOTE } from './table.js';

const PALETTE = ['#3d6fa5', '#d9731c', '#4c9a5b', '#9a4c8e', '#b0a33a', '#5aa3b0', '#a55a5a'];
/** Reference bars in grey: they are the yardsticks, not contestants. */
const REFERENCE_COLOURS: Record<string, string> = { tcp: '#9aa3ab' };

const CHART_WIDTH = 640;
const LABEL_WIDTH = 90;
const VALUE_WIDTH = 150;
const BAR_HEIGHT = 20;
const BAR_GAP = 8;

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A figure's table cell, right-aligned; `attributes` start with a space. */
const num = (text: string, attributes = ''): string => `<td class="num"${attributes}>${esc(text)}</td>`;
const numHead = (text: string): string => `<th class="num">${esc(text)}</th>`;

function colourOf(target: string, targets: readonly string[]): string {
  return REFERENCE_COLOURS[target] ?? PALETTE[targets.indexOf(target) % PALETTE.length]!;
}

function barChart(title: string, cells: readonly BenchCell[], targets: readonly string[]): string {
  const scaleMax = Math.max(0, ...cells.map((c) => c.max ?? 0));
  const plot = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const x = (v: number): number => LABEL_WIDTH + (scaleMax > 0 ? (v / scaleMax) * plot : 0);
  const height = cells.length * (BAR_HEIGHT + BAR_GAP) + BAR_GAP;
  const bars = cells.map((c, i) => {
    const y = BAR_GAP + i * (BAR_HEIGHT + BAR_GAP);
    const mid = y + BAR_HEIGHT / 2;
    const text = (at: number, content: string, attributes = ''): string =>
      `<text x="${at.toFixed(1)}" y="${mid}" dominant-baseline="middle"${attributes}>${esc(content)}</text>`;
    const label = text(LABEL_WIDTH - 8, c.target, ' text-anchor="end"');
    if (c.median === null) return label + text(LABEL_WIDTH + 4, 'failed', ' fill="#8b0000"');
    const whisker =
      c.min !== null && c.max !== null && c.max > c.min
        ? `<line x1="${x(c.min).toFixed(1)}" x2="${x(c.max).toFixed(1)}" y1="${mid}" y2="${mid}" ` +
          'stroke="#1d232a" stroke-width="1.5"/>'
        : '';
    const vsWs = c.ratioToWs !== null && c.target !== 'ws' ? `  ${formatRatio(c.ratioToWs)} ws` : '';
    const runs = c.runs.map((r) => formatValue(r.value)).join(', ');
    const wire = c.deflate
      ? `; permessage-deflate, replies ${formatPercent(c.deflate.wireRatio)} of their size on the wire`
      : '';
    const tip = `${c.target}: median ${formatValue(c.median)} ${c.unit}, runs ${runs}${wire}`;
    const width = Math.max(1, x(c.median) - LABEL_WIDTH).toFixed(1);
    const fill = colourOf(c.target, targets);
    return (
      `${label}<rect x="${LABEL_WIDTH}" y="${y}" width="${width}" height="${BAR_HEIGHT}" fill="${fill}">` +
      `<title>${esc(tip)}</title></rect>${whisker}` +
      text(x(c.max ?? c.median) + 6, `${formatValue(c.median)} ${c.unit}${vsWs}`)
    );
  });
  return (
    `<svg class="bench-chart" role="img" aria-label="${esc(title)}" width="${CHART_WIDTH}" height="${height}" ` +
    `viewBox="0 0 ${CHART_WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12" ` +
    'xmlns="http://www.w3.org/2000/svg">' +
    `<line x1="${LABEL_WIDTH}" x2="${LABEL_WIDTH}" y1="0" y2="${height}" stroke="#d0d4d9"/>${bars.join('')}</svg>`
  );
}

function ratioTable(result: BenchResult, targets: readonly string[]): string {
  // A target that could not run keeps its column, saying so once over every row (why: in the target list).
  const notMeasured = result.targets.filter((t) => t.error);
  const head = [
    ...targets.map((t) => `<th colspan="3">${esc(t)}</th>`),
    ...notMeasured.map((t) => `<th class="not-measured" title="${esc(t.error!)}">${esc(t.name)}</th>`),
  ].join('');
  const sub = [
    ...targets.map(() => ['median', 'vs ws', 'vs tcp'].map(numHead).join('')),
    ...notMeasured.map(() => '<th></th>'),
  ].join('');
  const rows = result.workloads.map((w, i) => {
    const missing =
      i === 0
        ? notMeasured.map(
            (t) =>
              `<td class="not-measured" rowspan="${result.workloads.length}">${esc(notMeasuredText(t.error!))}</td>`,
          )
        : [];
    const cells = targets.map((t) => {
      const c = result.cells.find((cell) => cell.workload === w.id && cell.target === t);
      if (!c || c.median === null) return num('–').repeat(3);
      const mark = c.clientBound ? ' title="client-bound: a lower bound for the server"' : '';
      const median = `${formatValue(c.median)}${c.clientBound ? '*' : ''}`;
      return num(median, mark) + num(formatRatio(c.ratioToWs)) + num(formatRatio(c.ratioToTcp));
    });
    return `<tr><th>${esc(w.title)} <small>(${esc(w.unit)})</small></th>${[...cells, ...missing].join('')}</tr>`;
  });
  return (
    `<table class="bench-ratios"><thead><tr><th rowspan="2">workload</th>${head}</tr><tr>${sub}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

/** What a target that could not run says where its figures would be: unavailable, or did not start. */
function notMeasuredText(error: string): string {
  return error.startsWith('unavailable') ? error : `not measured: ${error}`;
}

function detailTable(cells: readonly BenchCell[], notMeasured: readonly BenchTarget[]): string {
  // The wire column only where a permessage-deflate row makes it mean something.
  const columns = detailColumns(cells.some((c) => c.deflate));
  const rows = cells.map((c) => {
    const note = [...cellFlags(c), ...c.errors].join('; ');
    const figures = columns.map(([, value]) => num(value(c))).join('');
    return `<tr><th>${esc(c.target)}</th>${figures}<td>${esc(note)}</td></tr>`;
  });
  for (const t of notMeasured) {
    rows.push(
      `<tr class="not-measured"><th>${esc(t.name)}</th>` +
        `<td colspan="${columns.length + 1}">${esc(notMeasuredText(t.error!))}</td></tr>`,
    );
  }
  const head = columns.map(([name]) => numHead(name)).join('');
  return (
    `<table class="bench-detail"><thead><tr><th>target</th>${head}<th>note</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

/** The benchmark page body for the report (passed to the report writer as `benchmarkHtml`). */
export function renderBenchmarkHtml(result: BenchResult): string {
  const { machine, pinning, settings } = result;
  const targets = result.targets.filter((t) => !t.error).map((t) => t.name);
  const notMeasured = result.targets.filter((t) => t.error);
  const versions = result.targets.map((t) => {
    const error = t.error ? ` — not measured: ${t.error}` : '';
    const url = t.url ? ` at ${t.url}, ${URL_SERVER_NOTE}` : '';
    const what = `${t.implementation} ${t.version}${url}${describeTargetSettings(t)}${error}`;
    return `<li><b>${esc(t.name)}</b>: ${esc(what)}</li>`;
  });
  const sections = result.workloads.map((w) => {
    const cells = targets.flatMap((t) => result.cells.filter((c) => c.workload === w.id && c.target === t));
    const deflate = cells.find((c) => c.deflate)?.deflate;
    // What the +deflate bars of a workload measured, said once above its chart.
    const legend = deflate ? `<p class="note">+deflate bars: ${esc(describeDeflate(deflate).join('. '))}.</p>` : '';
    return (
      `<h3 id="bench-${esc(w.id)}">${esc(w.title)} <small class="meta">(${esc(w.unit)}, ${esc(w.id)})</small></h3>` +
      `${legend}${barChart(w.title, cells, targets)}${detailTable(cells, notMeasured)}`
    );
  });
  const meta =
    `${machine.cores} cores, ${machine.cpuModel}, node ${machine.node}, ${machine.platform}/${machine.arch}; ` +
    `${pinning.note}. ${settings.runs} run(s) of ${settings.durationSec} s after ${settings.warmupSec} s warm-up, ` +
    `${result.startedAt}${settings.malloc ? `; malloc ${settings.malloc}` : ''}` +
    `${settings.runtime ? `; runtime ${settings.runtime}` : ''}.`;
  return [
    '<section class="bench">',
    '<h1>Benchmarks</h1>',
    `<p class="meta">${esc(meta)}</p>`,
    '<p class="note">Bars are medians over the runs, whiskers span min–max. “vs ws” and “vs tcp” divide by the ' +
      `ws median and by the raw TCP echo (${esc(settings.tcpEcho)}), the ceiling for a server on Node. CPU is in ` +
      'cores; * marks a client-bound figure (a lower bound for that server).</p>',
    `<ul class="bench-targets">${versions.join('')}</ul>`,
    '<h2>Ratios</h2>',
    ratioTable(result, targets),
    '<h2>Workloads</h2>',
    ...sections,
    '</section>',
  ].join('\n');
}
