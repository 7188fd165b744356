/**
 * One page per case with every implementation side by side: every section of Autobahn's case report, with what
 * the case itself defines (description, expectation, expected events and close) written once, the verdicts,
 * closing records and wire statistics as one table with a column per implementation, and each implementation's
 * handshake, observed events and wire log under its own heading. Sharing the case's own parts keeps the report
 * small; a grid cell links to its implementation's column (`#<folder>`).
 */
import { caseBundleFilename, type CaseResult } from '@wsmatrix/runner';
import { CLOSING_FIELDS, jsonValue, renderEvents, renderExpected, statsLines } from './case-tables.js';
import { esc, formatCaseTime, page } from './html.js';
import type { ColumnModel, ReportModel } from './model.js';
import { OUTCOME_LABEL, hasCasePage, outcomeOf } from './outcome.js';
import type { ReportPart } from './parts.js';
import { casePagePath, caseRowAnchor, sanitise } from './paths.js';
import { describeCounts, isTimingDependent } from './timing.js';
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

/** One implementation's result on the page. */
interface Played {
  col: ColumnModel;
  r: CaseResult;
}

/** The columns that played the case (a case not played because its target was down has nothing to show). */
export function playedColumns(model: ReportModel, caseId: string): Played[] {
  return model.columns.flatMap((col) => {
    const r = col.byId.get(caseId);
    return r && hasCasePage(r) ? [{ col, r }] : [];
  });
}

/** How the report counts the case; a connection that never opened says so whatever `behavior` holds. */
function outcomeText(r: CaseResult): string {
  const o = outcomeOf(r);
  if (r.connectFailure) return `FAILED: the connection never opened (${r.connectFailure.kind})`;
  if (o === 'failed') return 'FAILED';
  return o === 'unimplemented' ? 'UNIMPLEMENTED (not judged)' : `passed: ${OUTCOME_LABEL[o]}`;
}

/** One row of a side-by-side table; a value every implementation shares is shown once, spanning the columns. */
function sideBySideRow(label: string, cells: readonly string[]): string {
  if (cells.length > 1 && cells.every((c) => c === cells[0]))
    return `<tr><th>${label}</th><td colspan="${cells.length}" class="all">${cells[0]}</td></tr>`;
  return `<tr><th>${label}</th>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

/**
 * A table with a row per field and a column per implementation; the header cells are the anchors grid cells link to.
 */
function sideBySide(
  played: readonly Played[],
  rows: [string, (p: Played) => string][],
  attributes: string,
  anchors = false,
): string {
  const head = played
    .map(
      ({ col }) =>
        `<th${anchors ? ` id="${esc(col.folder)}"` : ''} data-column="${esc(col.column.key)}">` +
        `${esc(col.column.label)}</th>`,
    )
    .join('');
  const body = rows.map(([label, cell]) => sideBySideRow(label, played.map(cell))).join('\n');
  return (
    `<div class="wide"><table ${attributes}><thead><tr><th></th>${head}</tr></thead>` +
    `<tbody>\n${body}\n</tbody></table></div>`
  );
}

type Row = [string, (p: Played) => string];

/** What the runs of a repeated case gave: the counts of a timing-dependent one, else how many runs agreed. */
function repeatsText(r: CaseResult): string {
  if (!r.repeats) return '<span class="note">played once</span>';
  const { repeats } = r;
  const same = `${repeats.runs} runs, the same verdict in each`;
  if (isTimingDependent(repeats))
    return `<span class="timing" data-repeats>timing-dependent: ${esc(describeCounts(repeats))}</span>`;
  return `<span data-repeats>${esc(same)}</span>`;
}

function outcomeTable(played: readonly Played[]): string {
  // Only a page where some implementation played the case more than once (--repeat) has a row for it.
  const repeated = played.some(({ r }) => r.repeats);
  return sideBySide(
    played,
    [
      ['Counts as', ({ r }) => `<span class="v o-${outcomeOf(r)}" data-outcome>${esc(outcomeText(r))}</span>`],
      ...(repeated
        ? [['<a href="../glossary.html#timing-dependent">Runs</a>', ({ r }: Played) => repeatsText(r)] as Row]
        : []),
      [
        'Behavior',
        ({ r }) => `<span class="v b-${verdictClass(String(r.behavior))}" data-behavior>${esc(r.behavior)}</span>`,
      ],
      [
        'Close behavior',
        ({ r }) =>
          `<span class="v c-${verdictClass(String(r.behaviorClose))}" data-behavior-close>` +
          `${esc(r.behaviorClose)}</span>`,
      ],
      ['Result', ({ r }) => `<span data-result>${esc(r.result)}</span>`],
      ['Close result', ({ r }) => esc(r.resultClose)],
      ['<a href="../glossary.html#times">Case time</a>', ({ r }) => esc(formatCaseTime(r.duration))],
      ['Remote close code', ({ r }) => esc(r.remoteCloseCode ?? 'none')],
      ['Started', ({ r }) => esc(r.started)],
      ['URL', ({ r }) => `<code>${esc(r.url)}</code>`],
    ],
    'class="outcomes" id="outcomes"',
    true,
  );
}

function closingTable(played: readonly Played[]): string {
  const rows = CLOSING_FIELDS.map(
    ([key]) =>
      [esc(key), ({ r }: Played) => jsonValue((r as unknown as Record<string, unknown>)[key])] as [
        string,
        (p: Played) => string,
      ],
  );
  const failures = played
    .filter(({ r }) => r.connectFailure)
    .map(
      ({ col, r }) =>
        `<p class="note">${esc(col.column.label)}: connection failure <code>${esc(r.connectFailure!.kind)}</code> ` +
        `${esc(r.connectFailure!.message)}</p>`,
    );
  const expected = played[0]!.r.expectedClose as unknown as Record<string, unknown> | undefined;
  const expectedTable =
    expected && typeof expected === 'object'
      ? `<h3>Expected close</h3><table class="kv mono expected-close"><tbody>${Object.entries(expected)
          .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${jsonValue(v)}</td></tr>`)
          .join('')}</tbody></table>`
      : '';
  return (
    `<p class="note">Autobahn's closing record; <a href="../glossary.html#closing">what each field means</a>.</p>` +
    sideBySide(played, rows, 'class="closing mono" id="closing-table"') +
    failures.join('') +
    expectedTable
  );
}

function statsTable(played: readonly Played[]): string {
  const lines = new Map(played.map((p) => [p, statsLines(p.r)]));
  return sideBySide(
    played,
    [
      ['Octets received (chop size × count)', (p) => lines.get(p)!.rxOctets],
      ['Octets transmitted (chop size × count)', (p) => lines.get(p)!.txOctets],
      ['Frames received (opcode × count)', (p) => lines.get(p)!.rxFrames],
      ['Frames transmitted (opcode × count)', (p) => lines.get(p)!.txFrames],
    ],
    'class="stats" id="wire-stats"',
  );
}

/** Each implementation's part of a section under its own heading; the part, not the heading, carries the hooks. */
function perImplementation(played: readonly Played[], section: string, render: (p: Played) => string): string {
  return played
    .map(
      (p) =>
        `<h3 class="impl">${esc(p.col.column.label)}</h3>\n` +
        `<div class="impl-part" data-section="${section}" data-column="${esc(p.col.column.key)}">${render(p)}</div>`,
    )
    .join('\n');
}

/**
 * The observed events, one table per distinct list: implementations that observed the same events share a heading
 * that names them all, and their `data-column` lists every key, space-separated (match with `~=`).
 */
function observedEvents(played: readonly Played[]): string {
  const groups = new Map<string, Played[]>();
  for (const p of played) {
    const key = JSON.stringify(p.r.received ?? null);
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  return [...groups.values()]
    .map((group) => {
      const keys = esc(group.map(({ col }) => col.column.key).join(' '));
      const labels = group.map(({ col }) => esc(col.column.label)).join(' · ');
      const events = renderEvents(group[0]!.r.received, {
        class: 'events observed',
        'data-column': group.map(({ col }) => col.column.key).join(' '),
      });
      return (
        `<h3 class="impl">${labels}</h3>\n` +
        `<div class="impl-part" data-section="observed" data-column="${keys}">${events}</div>`
      );
    })
    .join('\n');
}

function handshake({ r }: Played): string {
  const block = (label: string, cls: string, text: unknown) =>
    `<h4>${label}</h4><pre class="${cls}">` +
    `${typeof text === 'string' && text ? esc(text) : '<span class="note">(none)</span>'}</pre>`;
  return `${block('Request', 'http-request', r.httpRequest)}\n${block('Response', 'http-response', r.httpResponse)}`;
}

/**
 * A long wire log is cut on the page; the whole of it is in the column's case reports under servers/ or clients/
 * (the matrix command writes them there).
 */
function wireLog({ col, r }: Played, part: ReportPart): string {
  const bundle = `${part.recordsDir}/${caseBundleFilename(col.column.key)}`;
  const full = { href: `../${bundle}`, text: `${bundle} (gzip-compressed JSON, key "${r.id}", field "wirelog")` };
  return (
    renderWireLog(r.wirelog, r.wirelogTimes, full) +
    (r.createWirelog === false ? '<p class="note">Wire logging was off for this case.</p>' : '')
  );
}

/** Back to the grid, previous/next case that has a page, history and glossary. */
function navigation(caseId: string, pagedIds: readonly string[], part: ReportPart): string {
  const pos = pagedIds.indexOf(caseId);
  const prev = pos > 0 ? pagedIds[pos - 1] : undefined;
  const next = pos >= 0 && pos < pagedIds.length - 1 ? pagedIds[pos + 1] : undefined;
  const here = (id: string) => casePagePath(id, part).slice(`${part.casesDir}/`.length);
  const links = [`<a href="../index.html#${esc(caseRowAnchor(caseId, part))}">← Matrix</a>`];
  if (prev) links.push(`<a rel="prev" href="${esc(here(prev))}">‹ ${esc(prev)}</a>`);
  if (next) links.push(`<a rel="next" href="${esc(here(next))}">${esc(next)} ›</a>`);
  links.push('<a href="../history.html">History</a>', '<a href="../glossary.html">Glossary</a>');
  return `<nav class="top">${links.join('\n')}</nav>`;
}

/** The page of one case; `pagedIds` are the case ids that have a page, in order (for previous/next). */
export function renderCasePage(
  model: ReportModel,
  caseId: string,
  pagedIds: readonly string[],
  reportTitle: string,
): string {
  const played = playedColumns(model, caseId);
  const first = played[0]!.r;
  const bodies: Record<CaseSectionId, string> = {
    'case-description': `<p>${esc(first.description)}</p>`,
    'case-expectation': `<p>${esc(first.expectation)}</p>`,
    'case-outcome': outcomeTable(played),
    'expected-observed':
      renderExpected(
        first.expected,
        played.map(({ col, r }) => ({ label: col.column.label, behavior: String(r.behavior) })),
      ) +
      '\n<h3>Observed</h3>\n' +
      observedEvents(played),
    'closing-behaviour': closingTable(played),
    'opening-handshake': perImplementation(played, 'handshake', handshake),
    'wire-statistics': statsTable(played),
    'wire-log':
      '<p class="note">Times in ms from the start of the case’s connection attempt; ' +
      '<a href="../glossary.html#wirelog">how to read the log</a>.</p>\n' +
      perImplementation(played, 'wire-log', (p) => wireLog(p, model.part)),
  };
  const sections = CASE_PAGE_SECTIONS.map(
    (s) => `<section>\n<h2 id="${s.id}">${esc(s.title)}</h2>\n${bodies[s.id]}\n</section>`,
  ).join('\n');
  const { part } = model;
  // A client's page says so first: the same case id is a different exchange when wsmatrix is the server.
  const side = part.role === 'client' ? ' · clients (wsmatrix played the server)' : '';
  const heading =
    `<h1>Case ${esc(caseId)}${side}</h1>` +
    `<p class="meta">${esc(reportTitle)} · ${played.map(({ col }) => esc(col.column.label)).join(' · ')}</p>`;
  return page({
    title: `${caseId}${part.role === 'client' ? ' (clients)' : ''} · ${reportTitle}`,
    root: '../',
    nav: navigation(caseId, pagedIds, part),
    body:
      `<main class="case" data-case="${esc(caseId)}" data-role="${part.role}" data-file="${esc(sanitise(caseId))}">\n` +
      `${heading}\n${sections}\n</main>`,
  });
}
