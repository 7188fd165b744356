/**
 * The lines above the grid, one per implementation: the Autobahn catalogue's cases passed (with and without
 * NON-STRICT) apart from our own groups, the handshake group 0 and the permessage-deflate edge cases of group
 * 14, so a FAILED says where it comes from.
 */
import { esc, formatSeconds } from './html.js';
import { statusText } from './grid.js';
import type { ColumnModel, ReportModel } from './model.js';
import {
  judgedCount,
  ORIGINS,
  type Origin,
  passedCount,
  setStatus,
  splitByOrigin,
  tally,
  tallyText,
  type Tally,
} from './outcome.js';
import type { ReportPart } from './parts.js';
import { columnAnchor } from './paths.js';

/** The time of every case added up; cases overlap, so this exceeds the time the run took. */
export function summedCaseTimeMs(c: ColumnModel): number {
  let ms = 0;
  for (const r of c.byId.values()) if (Number.isFinite(r.duration)) ms += r.duration;
  return ms;
}

/** The head of each origin's part (two cells: the counts and the failed count). */
function partHead(origin: Origin, whose: string): string {
  switch (origin) {
    case 'autobahn':
      return '<th>Autobahn cases (1–13)</th>';
    case 'handshake':
      return (
        `<th title="Group 0: handshake cases written for wsmatrix, not part of Autobahn|Testsuite; ${whose} side">` +
        'Handshake group 0 (wsmatrix’s own)</th>'
      );
    case 'deflate-edge':
      return (
        '<th title="Group 14: permessage-deflate edge cases written for wsmatrix (RFC 7692 rules Autobahn’s ' +
        `groups 12 and 13 do not check), not part of Autobahn|Testsuite; ${whose} side">` +
        'Deflate edge cases, group 14 (wsmatrix’s own)</th>'
      );
  }
}

function partCell(t: Tally, name: Origin): string {
  const status = setStatus(t);
  if (status === 'empty') return `<td class="part s-empty" data-part="${name}" colspan="2">not run</td>`;
  const notes: string[] = [];
  if (t.unimplemented) notes.push(`${t.unimplemented} UNIMPLEMENTED`);
  if (t['target-down']) notes.push(`${t['target-down']} target down`);
  const failed = t.failed ? `<strong class="failed-count">${t.failed} FAILED</strong>` : '0 FAILED';
  return (
    `<td class="part s-${status}" data-part="${name}" title="${esc(tallyText(t))}">` +
    `<span class="passed" data-passed="${passedCount(t)}" data-strict="${passedCount(t, true)}">` +
    `${passedCount(t)}/${judgedCount(t)} passed</span>` +
    (name === 'autobahn' ? ` <span class="strict">(${passedCount(t, true)} without NON-STRICT)</span>` : '') +
    (notes.length ? ` <span class="note">· ${esc(notes.join(' · '))}</span>` : '') +
    `</td><td class="num fail s-${t.failed ? 'failed' : 'none'}" data-part="${name}-failed">${failed}</td>`
  );
}

function summaryRow(c: ColumnModel, part: ReportPart): string {
  const name = `<th><a href="#${esc(columnAnchor(c.folder, part))}">${esc(c.column.label)}</a></th>`;
  const attributes = `data-summary="${esc(c.column.key)}" class="${esc(c.column.status)}"`;
  if (c.byId.size === 0)
    return (
      `<tr ${attributes}>${name}` +
      `<td colspan="${2 * ORIGINS.length + 1}" class="part s-not-run">${esc(statusText(c) || 'no results')}</td></tr>`
    );
  const parts = splitByOrigin(c.byId.values());
  const down = c.column.status === 'ok' ? '' : ` <span class="note">${esc(statusText(c))}</span>`;
  return (
    `<tr ${attributes}>${name}${ORIGINS.map((o) => partCell(tally(parts[o]), o)).join('')}` +
    `<td class="num" data-summed-case-time="${summedCaseTimeMs(c)}">` +
    `${esc(formatSeconds(summedCaseTimeMs(c)))}${down}</td></tr>`
  );
}

export function renderSummary(model: ReportModel): string {
  const { part } = model;
  const whose = part.role === 'client' ? 'the client’s' : 'the server’s';
  const head =
    '<thead><tr><th>Implementation</th>' +
    ORIGINS.map((o) => `${partHead(o, whose)}<th>failed</th>`).join('') +
    '<th title="Each case’s time (connection open to end of the case) added up. ' +
    'Cases run side by side, so this is more than the wall time the CLI prints.">' +
    'Summed case time</th></tr></thead>';
  return (
    `<table class="summary" id="${part.idPrefix}summary" data-role="${part.role}">${head}<tbody>\n` +
    `${model.columns.map((c) => summaryRow(c, part)).join('\n')}\n</tbody></table>`
  );
}
