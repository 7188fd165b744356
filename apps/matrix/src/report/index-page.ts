/**
 * index.html opens on the grid: a title line, one summary line per implementation and the legend, then the
 * grid filling the rest of the window in its own scrolling box. The page itself does not scroll, so the grid's
 * header row and case-id column stay in sight however the grid is scrolled; the verdict counts fold out above it.
 */
import { CLOSE_MARKS, renderGrid } from './grid.js';
import { esc, page } from './html.js';
import type { ReportModel } from './model.js';
import { OUTCOME_LABEL, OUTCOMES } from './outcome.js';
import { renderSummary } from './summary.js';
import { renderImplementationTotals } from './totals.js';
import { verdictClass } from './verdicts.js';

function legend(): string {
  const outcomes = OUTCOMES.map((o) => `<span class="v o-${o}">${esc(OUTCOME_LABEL[o])}</span>`).join(' ');
  const closes = Object.entries(CLOSE_MARKS)
    .map(([close, mark]) => `<span class="v c-${verdictClass(close)}">${esc(mark)}</span> ${esc(close)}`)
    .join(' · ');
  return (
    `<p class="legend">${outcomes} — the first three pass; a close other than OK or INFORMATIONAL fails the case, ` +
    `and so does a connection that never opened (NOT OPENED). Close marker: ${closes}. ` +
    `A cell’s small number is its case time (connection open to end of the case). ` +
    'A group row shows passed/judged per implementation ' +
    '(UNIMPLEMENTED and not-played cases are not judged); it is red only when a case in it failed. ' +
    `<a href="glossary.html">What the words mean</a>.</p>`
  );
}

export function renderIndexPage(
  model: ReportModel,
  opts: { title: string; generatedAt: string; hasBench: boolean },
): string {
  const links = ['<a href="history.html">History</a>', '<a href="glossary.html">Glossary</a>'];
  if (opts.hasBench) links.push('<a href="bench.html">Benchmarks</a>');
  const body = [
    '<header>',
    `<h1>${esc(opts.title)}</h1>`,
    `<p class="meta">Generated ${esc(opts.generatedAt)} · ` +
      `${model.caseIds.length} cases × ${model.columns.length} implementations · ` +
      `<span class="links">${links.join(' · ')}</span></p>`,
    `<div class="wide">${renderSummary(model)}</div>`,
    legend(),
    '<details id="counts"><summary>Verdict counts per implementation</summary>' +
      `<div class="wide">${renderImplementationTotals(model)}</div></details>`,
    '<label class="filter"><input type="checkbox" id="only-issues"> Only cases with an outcome other than OK</label>',
    '</header>',
    renderGrid(model),
  ].join('\n');
  return page({ title: opts.title, root: '', body, bodyClass: 'index' });
}
