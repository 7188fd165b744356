/** One case page per column and case: every section of Autobahn's case report, plus timestamps. */
import type { CaseResult } from '@wsmatrix/runner';
import { renderClosing, renderExpectedVsObserved, renderWireStatistics } from './case-tables.js';
import { esc, formatCaseTime, page } from './html.js';
import type { ColumnModel, ReportModel } from './model.js';
import { OUTCOME_LABEL, hasCasePage, outcomeOf } from './outcome.js';
import { casePagePath, sanitise } from './paths.js';
import { verdictClass } from './verdicts.js';
import { renderWireLog } from './wirelog-render.js';

/** The sections of a case page, in order; each is an `<h2>` with this id. */
export const CASE_PAGE_SECTIONS = [
  { id: 'case-description', title: 'Case description' },
  { id: 'case-expectation', title: 'Case expectation' },
  { id: 'case-outcome', title: 'Case outcome' },
  { id: 'expected-observed', title: 'Expected vs observed events' },
  { id: 'closing-behaviour', title: 'Closing behaviour' },
  { id: 'opening-handshake', title: 'Opening handshake' },
  { id: 'wire-statistics', title: 'Wire statistics' },
  { id: 'wire-log', title: 'Wire log' },
] as const;

export type CaseSectionId = (typeof CASE_PAGE_SECTIONS)[number]['id'];

/** How the report counts the case; a connection that never opened says so whatever `behavior` holds. */
function outcomeText(r: CaseResult): string {
  const o = outcomeOf(r);
  if (o === 'target-down') return 'not played: target down';
  if (r.connectFailure) return `FAILED: the connection never opened (${r.connectFailure.kind})`;
  return o === 'failed' ? 'FAILED' : `passed: ${OUTCOME_LABEL[o]}`.replace('passed: UNIMPLEMENTED', 'UNIMPLEMENTED (not judged)');
}

function outcome(r: CaseResult): string {
  const item = (term: string, value: string) => `<dt>${esc(term)}</dt><dd>${value}</dd>`;
  const behavior = String(r.behavior);
  const close = String(r.behaviorClose);
  return `<dl class="outcome">
${item('Counts as', `<span class="v o-${outcomeOf(r)}" id="outcome">${esc(outcomeText(r))}</span>`)}
${item('Behavior', `<span class="v b-${verdictClass(behavior)}" id="behavior">${esc(behavior)}</span>`)}
${item('Close behavior', `<span class="v c-${verdictClass(close)}" id="behavior-close">${esc(close)}</span>`)}
${item('Result', `<span id="result-text">${esc(r.result)}</span>`)}
${item('Close result', `<span id="result-close-text">${esc(r.resultClose)}</span>`)}
${item('Case time', `${esc(formatCaseTime(r.duration))} <span class="note">from the connection opening to the end of the case</span>`)}
${item('Remote close code', esc(r.remoteCloseCode ?? 'none'))}
${item('Started', esc(r.started))}
${item('Agent', esc(r.agent))}
${item('URL', `<code>${esc(r.url)}</code>`)}
</dl>`;
}

function handshake(r: CaseResult): string {
  const block = (label: string, id: string, text: unknown) =>
    `<h3>${label}</h3><pre id="${id}">${typeof text === 'string' && text ? esc(text) : '<span class="note">(none)</span>'}</pre>`;
  return block('Request', 'http-request', r.httpRequest) + '\n' + block('Response', 'http-response', r.httpResponse);
}

/** Back to the grid, previous/next case of this column, and this case in the other columns. */
function navigation(model: ReportModel, col: ColumnModel, r: CaseResult): string {
  const here = `cases/${col.folder}/`;
  const rel = (target: string) =>
    target.startsWith(here) ? target.slice(here.length) : target.startsWith('cases/') ? `../${target.slice('cases/'.length)}` : `../../${target}`;
  const ids = col.ids.filter((id) => hasCasePage(col.byId.get(id)!));
  const pos = ids.indexOf(r.id);
  const prev = pos > 0 ? ids[pos - 1] : undefined;
  const next = pos >= 0 && pos < ids.length - 1 ? ids[pos + 1] : undefined;
  const links = [`<a href="../../index.html#case-${esc(r.id)}">← Matrix</a>`];
  if (prev) links.push(`<a rel="prev" href="${esc(rel(casePagePath(col.folder, prev)))}">‹ ${esc(prev)}</a>`);
  if (next) links.push(`<a rel="next" href="${esc(rel(casePagePath(col.folder, next)))}">${esc(next)} ›</a>`);
  links.push('<a href="../../history.html">History</a>', '<a href="../../glossary.html">Glossary</a>');
  const others = model.columns
    .filter((c) => c !== col && c.byId.has(r.id) && hasCasePage(c.byId.get(r.id)!))
    .map((c) => {
      const o = c.byId.get(r.id)!;
      return `<a class="v o-${outcomeOf(o)}" href="${esc(rel(casePagePath(c.folder, r.id)))}">${esc(c.column.key)}</a>`;
    });
  const siblings = others.length ? `<div class="siblings">Same case elsewhere: ${others.join(' ')}</div>` : '';
  return `<nav class="top">${links.join('\n')}</nav>${siblings}`;
}

export function renderCasePage(model: ReportModel, col: ColumnModel, r: CaseResult, reportTitle: string): string {
  const bodies: Record<CaseSectionId, string> = {
    'case-description': `<p>${esc(r.description)}</p>`,
    'case-expectation': `<p>${esc(r.expectation)}</p>`,
    'case-outcome': outcome(r),
    'expected-observed': renderExpectedVsObserved(r),
    'closing-behaviour': renderClosing(r, '../../glossary.html'),
    'opening-handshake': handshake(r),
    'wire-statistics': renderWireStatistics(r),
    'wire-log':
      '<p class="note">Times in ms from the start of the case’s connection attempt; <a href="../../glossary.html#wirelog">how to read the log</a>.</p>' +
      renderWireLog(r.wirelog, r.wirelogTimes) + (r.createWirelog === false ? '<p class="note">Wire logging was off for this case.</p>' : ''),
  };
  const sections = CASE_PAGE_SECTIONS.map((s) => `<section>\n<h2 id="${s.id}">${esc(s.title)}</h2>\n${bodies[s.id]}\n</section>`).join('\n');
  const heading = `<h1>Case ${esc(r.id)} · ${esc(col.column.label)}</h1><p class="meta">${esc(reportTitle)} · ${esc(col.column.implementation)} ${esc(col.column.version)}</p>`;
  return page({
    title: `${r.id} · ${col.column.label}`,
    root: '../../',
    nav: navigation(model, col, r),
    body: `<main class="case" data-case="${esc(r.id)}" data-column="${esc(col.column.key)}" data-file="${esc(sanitise(r.id))}">\n${heading}\n${sections}\n</main>`,
  });
}
