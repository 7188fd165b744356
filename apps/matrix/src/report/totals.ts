/** The verdict counts below the grid: Autobahn's behavior and close words per implementation, then how they count. */
import { esc, formatSeconds } from './html.js';
import type { ColumnModel, ReportModel } from './model.js';
import { OUTCOME_LABEL, OUTCOMES, tally } from './outcome.js';
import { summedCaseTimeMs } from './summary.js';
import { BEHAVIOR_ORDER, CLOSE_ORDER, verdictClass } from './verdicts.js';

function head(model: ReportModel, first: string): string {
  const cols = model.columns.map((c) => {
    const note =
      c.column.status === 'ok'
        ? ''
        : `<small>${esc(c.column.status)}${c.column.reason ? `: ${esc(c.column.reason)}` : ''}</small>`;
    return `<th data-totals-column="${esc(c.column.key)}">${esc(c.column.label)}${note}</th>`;
  });
  return `<thead><tr><th>${esc(first)}</th>${cols.join('')}</tr></thead>`;
}

function counts(c: ColumnModel, pick: (r: { behavior: string; behaviorClose: string }) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of c.byId.values()) m.set(pick(r), (m.get(pick(r)) ?? 0) + 1);
  return m;
}

/** Counts per behavior, per behaviorClose, passed/failed and total time, one column per implementation. */
export function renderImplementationTotals(model: ReportModel): string {
  const behaviors = model.columns.map((c) => counts(c, (r) => String(r.behavior)));
  const closes = model.columns.map((c) => counts(c, (r) => String(r.behaviorClose)));
  // Known verdicts in their order, then anything unexpected the results hold.
  const values = (known: readonly string[], maps: Map<string, number>[]) => [
    ...known,
    ...[...new Set(maps.flatMap((m) => [...m.keys()]))].filter((v) => !known.includes(v)).sort(),
  ];
  const row = (label: string, cls: string, cell: (c: ColumnModel, i: number) => string) =>
    `<tr><th class="${cls}">${label}</th>${model.columns
      .map((c, i) => (c.byId.size > 0 ? `<td class="num">${cell(c, i)}</td>` : '<td class="num not-run">—</td>'))
      .join('')}</tr>`;
  const rows: string[] = [];
  for (const v of values(BEHAVIOR_ORDER, behaviors)) {
    rows.push(
      row(`<span class="v b-${verdictClass(v)}">${esc(v)}</span>`, 'behavior', (_c, i) =>
        String(behaviors[i]!.get(v) ?? 0),
      ),
    );
  }
  for (const v of values(CLOSE_ORDER, closes)) {
    rows.push(
      row(`close: <span class="v c-${verdictClass(v)}">${esc(v)}</span>`, 'close', (_c, i) =>
        String(closes[i]!.get(v) ?? 0),
      ),
    );
  }
  const tallies = model.columns.map((c) => tally(c.byId.values()));
  for (const o of OUTCOMES) {
    rows.push(
      row(`counted as <span class="v o-${o}">${esc(OUTCOME_LABEL[o])}</span>`, `outcome ${o}`, (_c, i) =>
        String(tallies[i]![o]),
      ),
    );
  }
  rows.push(row('Total', 'total', (c) => String(c.byId.size)));
  rows.push(row('Summed case time', 'case-time', (c) => esc(formatSeconds(summedCaseTimeMs(c)))));
  return (
    `<table class="totals" id="${model.part.idPrefix}totals-implementations">${head(model, 'Verdict')}<tbody>\n` +
    `${rows.join('\n')}\n</tbody></table>`
  );
}
