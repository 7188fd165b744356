/** The totals at the top of index.html: verdict counts per implementation, OK counts per group. */
import { esc } from './html.js';
import { groupsOf, type ColumnModel, type ReportModel } from './model.js';
import { resultPassed } from '@wsmatrix/runner';
import { BEHAVIOR_ORDER, CLOSE_ORDER, verdictClass } from './verdicts.js';

function head(model: ReportModel, first: string): string {
  const cols = model.columns.map((c) => {
    const note = c.column.status === 'ok' ? '' : `<small>${esc(c.column.status)}${c.column.reason ? ': ' + esc(c.column.reason) : ''}</small>`;
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
    rows.push(row(`<span class="v b-${verdictClass(v)}">${esc(v)}</span>`, 'behavior', (_c, i) => String(behaviors[i]!.get(v) ?? 0)));
  }
  for (const v of values(CLOSE_ORDER, closes)) {
    rows.push(row(`close: <span class="v c-${verdictClass(v)}">${esc(v)}</span>`, 'close', (_c, i) => String(closes[i]!.get(v) ?? 0)));
  }
  const passCount = (c: ColumnModel) => [...c.byId.values()].filter(resultPassed).length;
  rows.push(row('Passed', 'passed', (c) => String(passCount(c))));
  rows.push(row('Failed', 'failed', (c) => String(c.byId.size - passCount(c))));
  rows.push(row('Total', 'total', (c) => String(c.byId.size)));
  rows.push(
    row('Total duration', 'duration', (c) => {
      const ms = [...c.byId.values()].reduce((s, r) => s + (Number.isFinite(r.duration) ? r.duration : 0), 0);
      return esc(`${(ms / 1000).toFixed(1)} s`);
    }),
  );
  return `<table class="totals" id="totals-implementations">${head(model, 'Verdict')}<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** Per case group (and sub-group): OK count / total per implementation. */
export function renderGroupTotals(model: ReportModel): string {
  const order: { id: string; title: string; depth: number }[] = [];
  const members = new Map<string, Set<string>>();
  for (const id of model.caseIds) {
    groupsOf(id).forEach((g, depth) => {
      if (!members.has(g.id)) {
        members.set(g.id, new Set());
        order.push({ ...g, depth });
      }
      members.get(g.id)!.add(id);
    });
  }
  const rows = order.map((g) => {
    const ids = members.get(g.id)!;
    const cells = model.columns.map((c) => {
      if (c.byId.size === 0) return '<td class="num not-run">—</td>';
      let total = 0;
      let ok = 0;
      for (const id of ids) {
        const r = c.byId.get(id);
        if (!r) continue;
        total++;
        if (r.behavior === 'OK') ok++;
      }
      const cls = total === 0 ? '' : ok === total ? 'all' : ok === 0 ? 'none' : 'some';
      return `<td class="num ${cls}">${ok} / ${total}</td>`;
    });
    return `<tr class="${g.depth === 0 ? 'top' : 'sub'}" data-group="${esc(g.id)}"><th>${esc(g.id)} ${esc(g.title)}</th>${cells.join('')}</tr>`;
  });
  return `<table class="totals" id="totals-groups">${head(model, 'Group (behavior OK / total)')}<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}
