/** history.html: per implementation, its stored releases and runs in order and the verdict changes between them. */
import { esc, page } from './html.js';
import type { HistoryPoint } from './types.js';
import { compareVerdictMaps, splitVerdict, verdictClass, type VerdictChange } from './verdicts.js';

/**
 * Semver-like version order: numeric parts numerically, a pre-release ("1.0.0-rc.1") before its release,
 * anything unparsable compared as text.
 */
export function compareVersions(a: string, b: string): number {
  const split = (v: string) => {
    const clean = v.trim().replace(/^v/i, '').split('+')[0]!;
    const dash = clean.indexOf('-');
    return dash < 0 ? { main: clean, pre: null } : { main: clean.slice(0, dash), pre: clean.slice(dash + 1) };
  };
  const parts = (s: string) => s.split(/[.]/);
  const cmpParts = (x: string[], y: string[]) => {
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const p = x[i];
      const q = y[i];
      if (p === undefined) return -1;
      if (q === undefined) return 1;
      const pn = /^\d+$/.test(p) ? Number(p) : NaN;
      const qn = /^\d+$/.test(q) ? Number(q) : NaN;
      if (!Number.isNaN(pn) && !Number.isNaN(qn)) {
        if (pn !== qn) return pn - qn;
      } else if (!Number.isNaN(pn)) return -1;
      else if (!Number.isNaN(qn)) return 1;
      else if (p !== q) return p < q ? -1 : 1;
    }
    return 0;
  };
  const x = split(a);
  const y = split(b);
  const main = cmpParts(parts(x.main), parts(y.main));
  if (main !== 0) return main;
  if (x.pre === null || y.pre === null) return x.pre === y.pre ? 0 : x.pre === null ? 1 : -1;
  return cmpParts(parts(x.pre), parts(y.pre));
}

/** Points grouped by implementation (in first-seen order), each list by version, then run time. */
export function orderHistory(points: readonly HistoryPoint[]): Map<string, HistoryPoint[]> {
  const byImpl = new Map<string, HistoryPoint[]>();
  for (const p of points) {
    if (!byImpl.has(p.implementation)) byImpl.set(p.implementation, []);
    byImpl.get(p.implementation)!.push(p);
  }
  for (const list of byImpl.values()) {
    list.sort((a, b) => compareVersions(a.version, b.version) || (a.runAt < b.runAt ? -1 : a.runAt > b.runAt ? 1 : 0));
  }
  return byImpl;
}

function verdictSpan(v: string | null): string {
  if (v === null) return '<span class="note">(not run)</span>';
  const { behavior, close } = splitVerdict(v);
  return `<span class="v b-${verdictClass(behavior)}${close !== 'OK' ? ` c-${verdictClass(close)}` : ''}">${esc(v)}</span>`;
}

function changeRows(kind: 'regression' | 'fix' | 'changed', changes: readonly VerdictChange[]): string[] {
  return changes.map(
    (c) =>
      `<tr class="${kind}" data-case="${esc(c.caseId)}" data-change="${kind}"><td>${esc(c.caseId)}</td><td>${kind === 'changed' ? 'other change' : kind}</td>` +
      `<td class="before">${verdictSpan(c.before)}</td><td class="after">${verdictSpan(c.after)}</td></tr>`,
  );
}

function counts(p: HistoryPoint): string {
  const m = new Map<string, number>();
  for (const v of Object.values(p.verdicts)) {
    const b = splitVerdict(v).behavior;
    m.set(b, (m.get(b) ?? 0) + 1);
  }
  return [...m].map(([k, n]) => `<span class="v b-${verdictClass(k)}">${esc(k)} ${n}</span>`).join(' ');
}

function implementationSection(name: string, points: readonly HistoryPoint[], index: number): string {
  const runs = points.map((p, i) => `<tr><td>${i + 1}</td><td>${esc(p.version)}</td><td>${esc(p.runAt)}</td><td class="num">${Object.keys(p.verdicts).length}</td><td>${counts(p)}</td></tr>`);
  const out = [
    `<section class="implementation" data-implementation="${esc(name)}">`,
    `<h2 id="impl-${index}">${esc(name)}</h2>`,
    `<table class="runs"><thead><tr><th>#</th><th>Version</th><th>Run at</th><th>Cases</th><th>Verdicts</th></tr></thead><tbody>${runs.join('')}</tbody></table>`,
  ];
  if (points.length < 2) out.push('<p class="note">Only one stored run: nothing to compare yet.</p>');
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const cmp = compareVerdictMaps(a.verdicts, b.verdicts);
    const ranked = new Set([...cmp.regressions, ...cmp.fixes]);
    const other = cmp.changed.filter((c) => !ranked.has(c));
    const step = a.version === b.version ? 'run' : 'release';
    out.push(
      `<h3>${esc(a.version)} <span class="note">(${esc(a.runAt)})</span> → ${esc(b.version)} <span class="note">(${esc(b.runAt)})</span> · ${step}: ` +
        `<span class="regression">${cmp.regressions.length} regression${cmp.regressions.length === 1 ? '' : 's'}</span>, ` +
        `<span class="fix">${cmp.fixes.length} fix${cmp.fixes.length === 1 ? '' : 'es'}</span>, ${other.length} other change${other.length === 1 ? '' : 's'}</h3>`,
    );
    if (cmp.changed.length === 0) {
      out.push('<p class="note">No verdict changed.</p>');
      continue;
    }
    const rows = [...changeRows('regression', cmp.regressions), ...changeRows('fix', cmp.fixes), ...changeRows('changed', other)];
    out.push(`<table class="changes"><thead><tr><th>Case</th><th>Change</th><th>Before</th><th>After</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`);
  }
  out.push('</section>');
  return out.join('\n');
}

export function renderHistoryPage(title: string, generatedAt: string, points: readonly HistoryPoint[]): string {
  const ordered = [...orderHistory(points)];
  const toc = ordered.map(([name], i) => `<a href="#impl-${i}">${esc(name)}</a>`).join(' · ');
  const sections = ordered.map(([name, list], i) => implementationSection(name, list, i));
  const body =
    `<h1>${esc(title)} · history</h1><p class="meta">Generated ${esc(generatedAt)}. Regressions (to a worse verdict) in red, fixes in green; ` +
    `order OK &gt; NON-STRICT &gt; INFORMATIONAL &gt; UNIMPLEMENTED &gt; FAILED, then the close verdict.</p>` +
    (toc ? `<p>${toc}</p>` : '') +
    (sections.length ? sections.join('\n') : '<p class="note">No stored runs yet.</p>');
  return page({ title: `${title} · history`, root: '', nav: '<nav class="top"><a href="index.html">← Matrix</a></nav>', body });
}
