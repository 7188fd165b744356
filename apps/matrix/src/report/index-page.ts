/**
 * index.html opens on the grid: a title line, one summary line per implementation and the legend, then the
 * grid filling the rest of the window in its own scrolling box. The page itself does not scroll, so the grid's
 * header row and case-id column stay in sight however the grid is scrolled; the verdict counts fold out above it.
 * A report with client columns too shows two such parts, Servers then Clients (see renderIndexPage).
 */
import { CLOSE_MARKS, renderGrid } from './grid.js';
import { esc, page } from './html.js';
import type { ReportModel } from './model.js';
import { OUTCOME_LABEL, OUTCOMES } from './outcome.js';
import type { ReportPart } from './parts.js';
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

/** A part's summary lines, verdict counts (folded) and grid; the grid comes last, to fill what the window has left. */
function partBlocks(model: ReportModel): { head: string[]; grid: string } {
  const { part } = model;
  return {
    head: [
      `<div class="wide">${renderSummary(model)}</div>`,
      `<details id="${part.idPrefix}counts" class="counts"><summary>Verdict counts per implementation</summary>` +
        `<div class="wide">${renderImplementationTotals(model)}</div></details>`,
    ],
    grid: renderGrid(model),
  };
}

const FILTER =
  '<label class="filter"><input type="checkbox" id="only-issues"> Only cases with an outcome other than OK</label>';

/** What each part's columns are, under its heading. */
const PART_NOTE: Record<ReportPart['role'], string> = {
  server: 'wsmatrix plays each case as the client (Autobahn’s fuzzingclient mode)',
  client: 'wsmatrix plays each case as the server; each client’s driver echoes (Autobahn’s fuzzingserver mode)',
};

/**
 * One part (a servers-only report, as before clients were tested, or a clients-only one): the page does not scroll
 * and the grid fills the window. Both parts: each under its heading with its own summary, counts and grid, the page
 * scrolling from the servers' part to the clients'; each grid still scrolls in its own box.
 */
export function renderIndexPage(
  models: readonly ReportModel[],
  opts: { title: string; generatedAt: string; hasBench: boolean },
): string {
  const links = [
    '<a href="history.html">History</a>',
    '<a href="releases.html">Releases</a>',
    '<a href="glossary.html">Glossary</a>',
  ];
  if (opts.hasBench) links.push('<a href="bench.html">Benchmarks</a>');
  const size = (m: ReportModel) => `${m.caseIds.length} cases × ${m.columns.length} implementations`;
  const meta =
    models.length === 1
      ? size(models[0]!)
      : models.map((m) => `<a href="#${m.part.role}s">${m.part.heading}</a>: ${size(m)}`).join(' · ');
  const header = [
    `<h1>${esc(opts.title)}</h1>`,
    `<p class="meta">Generated ${esc(opts.generatedAt)} · ${meta} · ` +
      `<span class="links">${links.join(' · ')}</span></p>`,
  ];
  if (models.length === 1) {
    const only = models[0]!;
    const { head, grid } = partBlocks(only);
    const side = only.part.role === 'client' ? [`<p class="meta">${only.part.heading}: ${PART_NOTE.client}.</p>`] : [];
    const body = ['<header>', ...header, ...side, head[0]!, legend(), head[1]!, FILTER, '</header>', grid].join('\n');
    return page({ title: opts.title, root: '', body, bodyClass: 'index' });
  }
  const parts = models.map((m) => {
    const { head, grid } = partBlocks(m);
    return [
      `<section class="part" id="${m.part.role}s" data-role="${m.part.role}">`,
      `<h2>${m.part.heading} <small class="note">${PART_NOTE[m.part.role]}</small></h2>`,
      ...head,
      grid,
      '</section>',
    ].join('\n');
  });
  const body = ['<header>', ...header, legend(), FILTER, '</header>', ...parts].join('\n');
  return page({ title: opts.title, root: '', body, bodyClass: 'index parts' });
}
