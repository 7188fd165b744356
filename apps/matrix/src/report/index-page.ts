/** index.html: title, notices for columns that did not run, totals, legend and the grid. */
import { CLOSE_MARKS, renderGrid } from './grid.js';
import { esc, page } from './html.js';
import type { ReportModel } from './model.js';
import { columnAnchor } from './paths.js';
import { renderGroupTotals, renderImplementationTotals } from './totals.js';
import { BEHAVIOR_ORDER, verdictClass } from './verdicts.js';

function legend(): string {
  const behaviors = BEHAVIOR_ORDER.map((b) => `<span class="v b-${verdictClass(b)}">${esc(b)}</span>`).join(' ');
  const closes = Object.entries(CLOSE_MARKS)
    .map(([close, mark]) => `<span class="v c-${verdictClass(close)}">${esc(mark)}</span> ${esc(close)}`)
    .join(' · ');
  return `<p class="legend">Behavior: ${behaviors}<br>Close behavior when not OK (corner and marker): ${closes}</p>`;
}

function notices(model: ReportModel): string {
  const down = model.columns.filter((c) => c.column.status !== 'ok');
  if (down.length === 0) return '';
  const items = down.map(
    (c) =>
      `<li class="notice ${esc(c.column.status)}" data-column="${esc(c.column.key)}"><a href="#${esc(columnAnchor(c.folder))}">${esc(c.column.label)}</a>: ` +
      `${esc(c.column.status)}${c.column.reason ? ' — ' + esc(c.column.reason) : ''}</li>`,
  );
  return `<h2 id="not-run">Not run</h2><ul class="notices">${items.join('\n')}</ul>`;
}

export function renderIndexPage(model: ReportModel, opts: { title: string; generatedAt: string; hasBench: boolean }): string {
  const nav = ['<a href="#totals">Totals</a>', '<a href="#matrix">Matrix</a>', '<a href="history.html">History</a>'];
  if (opts.hasBench) nav.push('<a href="bench.html">Benchmarks</a>');
  const body = `<h1>${esc(opts.title)}</h1>
<p class="meta">Generated ${esc(opts.generatedAt)} · ${model.caseIds.length} cases × ${model.columns.length} implementations</p>
${notices(model)}
<h2 id="totals">Totals per implementation</h2>
${renderImplementationTotals(model)}
<h2 id="group-totals">Totals per case group</h2>
${renderGroupTotals(model)}
<h2 id="matrix">Matrix</h2>
${legend()}
<label class="filter"><input type="checkbox" id="only-issues"> Only cases with a verdict other than OK</label>
${renderGrid(model)}`;
  return page({ title: opts.title, root: '', nav: `<nav class="top">${nav.join('\n')}</nav>`, body });
}
