/** The grid of index.html: a row per case under group heading rows, a column per implementation. */
import type { CaseResult } from '@wsmatrix/runner';
import { esc, formatMs } from './html.js';
import { describeCase, groupsOf, type ColumnModel, type ReportModel } from './model.js';
import { casePagePath, columnAnchor } from './paths.js';
import { verdictClass } from './verdicts.js';

/** Short close markers shown in a cell when behaviorClose is not OK (full text in the legend and tooltip). */
export const CLOSE_MARKS: Record<string, string> = {
  INFORMATIONAL: 'i',
  'WRONG CODE': 'code',
  UNCLEAN: 'unclean',
  FAILED: 'close✗',
  'FAILED BY CLIENT': 'drop',
};

const BEHAVIOR_TEXT: Record<string, string> = {
  OK: 'OK',
  'NON-STRICT': 'NON-STRICT',
  INFORMATIONAL: 'INFO',
  UNIMPLEMENTED: 'UNIMPL',
  FAILED: 'FAILED',
};

export function columnHeader(c: ColumnModel): string {
  const { column } = c;
  const note = column.status === 'ok' ? `${c.byId.size} cases${column.reason ? '; ' + column.reason : ''}` : `${column.status}${column.reason ? ': ' + column.reason : ''}`;
  return `<th data-column="${esc(column.key)}" id="${esc(columnAnchor(c.folder))}" class="col ${esc(column.status)}" title="${esc(column.implementation)} ${esc(column.version)}">${esc(column.label)}<small>${esc(note)}</small></th>`;
}

function resultCell(c: ColumnModel, r: CaseResult): string {
  const behavior = String(r.behavior ?? 'UNKNOWN');
  const close = String(r.behaviorClose ?? 'UNKNOWN');
  const mark = close === 'OK' ? '' : `<span class="close-mark">${esc(CLOSE_MARKS[close] ?? close)}</span>`;
  const tip = `${behavior} / close ${close}; remote close code ${r.remoteCloseCode ?? 'none'}; ${formatMs(r.duration)}`;
  return (
    `<td class="cell b-${verdictClass(behavior)} c-${verdictClass(close)}" data-behavior="${esc(behavior)}" data-behavior-close="${esc(close)}" title="${esc(tip)}">` +
    `<a href="${esc(casePagePath(c.folder, r.id))}">${esc(BEHAVIOR_TEXT[behavior] ?? behavior)}${mark}<span class="ms">${esc(formatMs(r.duration))}</span></a></td>`
  );
}

function notRunCell(c: ColumnModel): string {
  const { column } = c;
  const missing = column.status === 'ok';
  const why = missing ? (column.reason ?? 'not run for this implementation') : `${column.status}: ${column.reason ?? 'no reason given'}`;
  return `<td class="cell not-run" data-behavior="${missing ? 'MISSING' : column.status.toUpperCase()}" title="${esc(why)}"><a href="#${esc(columnAnchor(c.folder))}">—</a></td>`;
}

function isIssue(r: CaseResult | undefined): boolean {
  return r !== undefined && (r.behavior !== 'OK' || r.behaviorClose !== 'OK');
}

export function renderGrid(model: ReportModel): string {
  const width = model.columns.length + 1;
  const rows: string[] = [];
  let open: string[] = [];
  for (const id of model.caseIds) {
    // Heading rows for every group this case enters.
    const groups = groupsOf(id);
    groups.forEach((g, depth) => {
      if (open[depth] === g.id) return;
      open = [...open.slice(0, depth), g.id];
      const level = Math.min(depth + 1, 2);
      rows.push(`<tr class="group level-${level}" data-group="${esc(g.id)}"><th colspan="${width}">${esc(g.id)} ${esc(g.title)}</th></tr>`);
    });
    open = open.slice(0, groups.length);
    const results = model.columns.map((c) => c.byId.get(id));
    const cells = model.columns.map((c, i) => (results[i] ? resultCell(c, results[i]!) : notRunCell(c)));
    const cls = results.some(isIssue) ? ' class="has-issue"' : '';
    rows.push(
      `<tr data-case="${esc(id)}" id="case-${esc(id)}"${cls}><th class="case" title="${esc(describeCase(model, id))}"><a href="#case-${esc(id)}">${esc(id)}</a></th>${cells.join('')}</tr>`,
    );
  }
  const head = `<tr><th>Case</th>${model.columns.map(columnHeader).join('')}</tr>`;
  return `<table class="grid" id="grid"><thead>${head}</thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}
