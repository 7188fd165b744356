/**
 * The grid of index.html: a row per case under group rows, a column per implementation. Each group row carries
 * the group's total per implementation, coloured by the same rule as the cells (red only when a case failed).
 * The grid scrolls inside its own box, so its header row and case-id column can stay in place.
 */
import type { CaseResult } from '@wsmatrix/runner';
import { esc, formatCaseTime } from './html.js';
import { describeCase, groupsOf, type ColumnModel, type ReportModel } from './model.js';
import {
  OUTCOME_LABEL,
  countedVerdict,
  judgedCount,
  outcomeOf,
  passedCount,
  setStatus,
  tally,
  tallyText,
} from './outcome.js';
import { PARTS, roleOf, type ReportPart } from './parts.js';
import { caseLink, caseRowAnchor, columnAnchor } from './paths.js';
import { describeCounts, isTimingDependent } from './timing.js';
import { verdictClass } from './verdicts.js';

/** Put after the verdict of a timing-dependent cell: "OK~", "NON-STRICT~". */
export const TIMING_MARK = '~';

/** Short close markers shown in a cell when behaviorClose is not OK (full text in the legend and tooltip). */
export const CLOSE_MARKS: Record<string, string> = {
  INFORMATIONAL: 'i',
  'WRONG CODE': 'code',
  UNCLEAN: 'unclean',
  FAILED: 'close✗',
  'FAILED BY CLIENT': 'drop',
};

/** Short behavior words of a cell (full words in its tooltip). */
export const BEHAVIOR_TEXT: Record<string, string> = {
  OK: 'OK',
  'NON-STRICT': 'NON-STRICT',
  INFORMATIONAL: 'INFO',
  UNIMPLEMENTED: 'UNIMPL',
  FAILED: 'FAILED',
};

/** What a column's header and its empty cells say when it did not run (fully). */
export function statusText(c: ColumnModel): string {
  const { status, reason } = c.column;
  if (status === 'ok') return '';
  const word = status === 'down' ? PARTS[roleOf(c.column)].downText : 'unavailable';
  // A reason that already starts with the status ("unavailable on Node 26 (…)") is shown as it is.
  if (reason?.startsWith(word)) return reason;
  return `${word}${reason ? `: ${reason}` : ''}`;
}

export function columnHeader(c: ColumnModel, part: ReportPart = PARTS.server): string {
  const { column } = c;
  const note = column.status === 'ok' ? `${c.byId.size} cases` : statusText(c);
  const title = `${column.implementation} ${column.version}${column.reason ? ` · ${column.reason}` : ''}`;
  return (
    `<th data-column="${esc(column.key)}" id="${esc(columnAnchor(c.folder, part))}" ` +
    `class="col ${esc(column.status)}" title="${esc(title)}">` +
    `${esc(column.label)}<small>${esc(note)}</small></th>`
  );
}

/** A timing-dependent cell's tooltip: the counts, and what the cell shows. */
function timingTip(r: CaseResult): string {
  if (!isTimingDependent(r.repeats)) return '';
  return (
    `Timing-dependent: ${describeCounts(r.repeats)} (the verdict differed across --repeat runs; ` +
    'shown: the worst verdict among the runs that passed); '
  );
}

function resultCell(c: ColumnModel, r: CaseResult, part: ReportPart): string {
  // A timing-dependent case shows the verdict it counts as (outcome.ts), marked; its counts in the tooltip.
  const counted = countedVerdict(r);
  const behavior = String(counted.behavior ?? 'UNKNOWN');
  const close = String(counted.behaviorClose ?? 'UNKNOWN');
  const outcome = outcomeOf(r);
  const timing = isTimingDependent(r.repeats);
  const attributes =
    `data-outcome="${outcome}" data-behavior="${esc(behavior)}" data-behavior-close="${esc(close)}"` +
    (timing ? ` data-timing="${esc(describeCounts(r.repeats!))}"` : '');
  if (outcome === 'target-down') {
    return (
      `<td class="cell o-target-down" ${attributes} title="${esc(r.result)}">` +
      `<a href="#${esc(columnAnchor(c.folder, part))}">target down</a></td>`
    );
  }
  const opened = r.connectFailure === null || r.connectFailure === undefined;
  const text = opened ? esc(BEHAVIOR_TEXT[behavior] ?? behavior) : 'NOT OPENED';
  const mark = !opened || close === 'OK' ? '' : `<span class="close-mark">${esc(CLOSE_MARKS[close] ?? close)}</span>`;
  const timingMark = timing && opened ? `<span class="timing-mark">${TIMING_MARK}</span>` : '';
  const tip = opened
    ? `${timingTip(r)}${OUTCOME_LABEL[outcome]}: ${behavior} / close ${close}; ` +
      `remote close code ${r.remoteCloseCode ?? 'none'}; case time ${formatCaseTime(r.duration)}`
    : `FAILED: the connection never opened (${r.connectFailure!.kind}: ${r.connectFailure!.message})`;
  return (
    `<td class="cell o-${outcome} c-${verdictClass(close)}${timing ? ' timing' : ''}" ${attributes} ` +
    `title="${esc(tip)}">` +
    `<a href="${esc(caseLink(c.folder, r.id, part))}">${text}${timingMark}${mark}` +
    `${opened ? `<span class="ms">${esc(formatCaseTime(r.duration))}</span>` : ''}</a></td>`
  );
}

function notRunCell(c: ColumnModel, part: ReportPart): string {
  const { column } = c;
  const missing = column.status === 'ok';
  const why = missing ? (column.reason ?? 'not run for this implementation') : statusText(c);
  const text = column.status === 'down' ? part.downText : column.status === 'unavailable' ? 'unavailable' : '—';
  return (
    `<td class="cell not-run" data-behavior="${missing ? 'MISSING' : column.status.toUpperCase()}" ` +
    `title="${esc(why)}">` +
    `<a href="#${esc(columnAnchor(c.folder, part))}">${text}</a></td>`
  );
}

/** A group's total in one column: passed / judged, coloured by setStatus. */
function groupCell(c: ColumnModel, ids: readonly string[]): string {
  const results = ids.map((id) => c.byId.get(id)).filter((r): r is CaseResult => r !== undefined);
  const t = tally(results);
  const status = setStatus(t);
  if (status === 'empty') return '<td class="gt s-empty">—</td>';
  const text =
    status === 'target-down' && judgedCount(t) === 0
      ? 'target down'
      : status === 'unimplemented'
        ? 'UNIMPL'
        : `${passedCount(t)}/${judgedCount(t)}`;
  return `<td class="gt s-${status}" data-failed="${t.failed}" title="${esc(tallyText(t))}">${text}</td>`;
}

function isIssue(r: CaseResult | undefined): boolean {
  return r !== undefined && outcomeOf(r) !== 'ok';
}

/** The grid of one part; its ids carry the part's prefix (none for servers: '#grid', '#matrix', '#case-1.1.1'). */
export function renderGrid(model: ReportModel): string {
  const { part } = model;
  const id = (name: string) => `${part.idPrefix}${name}`;
  // Members of every group, so a group row can total them before its cases are listed.
  const members = new Map<string, string[]>();
  for (const caseId of model.caseIds) {
    for (const g of groupsOf(caseId)) {
      if (!members.has(g.id)) members.set(g.id, []);
      members.get(g.id)!.push(caseId);
    }
  }
  const rows: string[] = [];
  let open: string[] = [];
  for (const caseId of model.caseIds) {
    const groups = groupsOf(caseId);
    groups.forEach((g, depth) => {
      if (open[depth] === g.id) return;
      open = [...open.slice(0, depth), g.id];
      const level = Math.min(depth + 1, 2);
      const ids = members.get(g.id)!;
      rows.push(
        `<tr class="group level-${level}" data-group="${esc(g.id)}">` +
          `<th class="case">${esc(g.id)} ${esc(g.title)}</th>` +
          `${model.columns.map((c) => groupCell(c, ids)).join('')}</tr>`,
      );
    });
    open = open.slice(0, groups.length);
    const results = model.columns.map((c) => c.byId.get(caseId));
    const cells = model.columns.map((c, i) => (results[i] ? resultCell(c, results[i]!, part) : notRunCell(c, part)));
    const cls = results.some(isIssue) ? ' class="has-issue"' : '';
    const anchor = esc(caseRowAnchor(caseId, part));
    rows.push(
      `<tr data-case="${esc(caseId)}" id="${anchor}"${cls}>` +
        `<th class="case" title="${esc(describeCase(model, caseId))}">` +
        `<a href="#${anchor}">${esc(caseId)}</a></th>${cells.join('')}</tr>`,
    );
  }
  const head = `<tr><th class="case corner">Case</th>${model.columns.map((c) => columnHeader(c, part)).join('')}</tr>`;
  return (
    `<div class="grid-box" id="${id('matrix')}" data-role="${part.role}">` +
    `<table class="grid" id="${id('grid')}"><thead>${head}</thead><tbody>\n` +
    `${rows.join('\n')}\n</tbody></table></div>`
  );
}
