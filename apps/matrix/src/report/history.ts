/**
 * history.html: per implementation, the verdict changes from one stored run to the next, and nothing else.
 * A client's runs are a history of their own, apart from the same implementation's server runs (the same case id
 * is a different exchange in each role): servers first, then clients.
 * A case seen for the first time is not a change, nor is a case a run left out (a run may cover a subset):
 * each run is compared with the verdict each of its cases had when last seen, across releases too.
 * A change between two verdicts that one side's repeats (--repeat) both saw is a timing-dependent flip, listed
 * as such and not counted as a change (timing.ts decides, as for `wsmatrix diff`).
 */
import { compareCaseIds } from '@wsmatrix/cases';
import { esc, page } from './html.js';
import { PARTS, ROLES, roleOf, type Role } from './parts.js';
import type { HistoryPoint } from './types.js';
import { describeCounts, isTimingFlip } from './timing.js';
import { splitVerdict, verdictClass, verdictRank, type VerdictChange } from './verdicts.js';

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

interface ImplementationHistory {
  role: Role;
  name: string;
  points: HistoryPoint[];
}

/**
 * Points grouped by role and implementation (servers first, each role's implementations in first-seen order),
 * each list by version, then run time.
 */
function orderHistory(points: readonly HistoryPoint[]): ImplementationHistory[] {
  const out: ImplementationHistory[] = [];
  for (const role of ROLES) {
    const byImpl = new Map<string, HistoryPoint[]>();
    for (const p of points) {
      if (roleOf(p) !== role) continue;
      if (!byImpl.has(p.implementation)) byImpl.set(p.implementation, []);
      byImpl.get(p.implementation)!.push(p);
    }
    for (const [name, list] of byImpl) {
      list.sort(
        (a, b) => compareVersions(a.version, b.version) || (a.runAt < b.runAt ? -1 : a.runAt > b.runAt ? 1 : 0),
      );
      out.push({ role, name, points: list });
    }
  }
  return out;
}

/** One stored run and what changed since the cases it holds were last seen. */
export interface HistoryStep {
  point: HistoryPoint;
  /** Same version as the run before it ('run') or a new release ('release'); the first run is 'first'. */
  step: 'first' | 'run' | 'release';
  regressions: VerdictChange[];
  fixes: VerdictChange[];
  /** Changes that are neither better nor worse (an unknown verdict word on one side). */
  other: VerdictChange[];
  /** Verdicts that differ, but both lie within the verdicts one side's repeats saw: not a change. */
  timing: VerdictChange[];
  /** For each case of the lists above: the run its `before` verdict comes from. */
  before: Map<string, HistoryPoint>;
}

/** The verdicts a run saw for a case: those of its repeats, else its one verdict. */
function seenIn(point: HistoryPoint, caseId: string): string[] {
  const repeats = point.repeats?.[caseId];
  return repeats ? Object.keys(repeats.verdicts) : [point.verdicts[caseId]!];
}

/** The runs of one implementation (in orderHistory's order) with their changes; before/after are never null. */
export function historySteps(points: readonly HistoryPoint[]): HistoryStep[] {
  // Per case: the run that last had it.
  const last = new Map<string, HistoryPoint>();
  const steps: HistoryStep[] = [];
  let previous: HistoryPoint | undefined;
  for (const point of points) {
    const step: HistoryStep = {
      point,
      step: previous === undefined ? 'first' : previous.version === point.version ? 'run' : 'release',
      regressions: [],
      fixes: [],
      other: [],
      timing: [],
      before: new Map(),
    };
    for (const caseId of Object.keys(point.verdicts).sort(compareCaseIds)) {
      const after = point.verdicts[caseId]!;
      const lastRun = last.get(caseId);
      last.set(caseId, point);
      const before = lastRun?.verdicts[caseId];
      if (before === undefined || before === after) continue;
      const change = { caseId, before, after };
      step.before.set(caseId, lastRun!);
      if (isTimingFlip(change, seenIn(lastRun!, caseId), seenIn(point, caseId))) {
        step.timing.push(change);
        continue;
      }
      const delta = verdictRank(after) - verdictRank(before);
      (delta < 0 ? step.regressions : delta > 0 ? step.fixes : step.other).push(change);
    }
    steps.push(step);
    previous = point;
  }
  return steps;
}

function verdictSpan(v: string): string {
  const { behavior, close } = splitVerdict(v);
  return (
    `<span class="v b-${verdictClass(behavior)}${close !== 'OK' ? ` c-${verdictClass(close)}` : ''}">` +
    `${esc(v)}</span>`
  );
}

const KIND_TEXT = {
  regression: 'regression',
  fix: 'fix',
  changed: 'other change',
  timing: 'timing-dependent',
} as const;

/** A verdict, and for a run that repeated the case and saw more than one, the counts. */
function verdictCell(point: HistoryPoint | undefined, caseId: string, verdict: string): string {
  const repeats = point?.repeats?.[caseId];
  const counts =
    repeats && Object.keys(repeats.verdicts).length > 1
      ? ` <span class="note" data-repeats>(${esc(describeCounts(repeats))})</span>`
      : '';
  return `${verdictSpan(verdict)}${counts}`;
}

function changeRows(
  kind: keyof typeof KIND_TEXT,
  changes: readonly VerdictChange[],
  lastRunOf: (caseId: string) => HistoryPoint | undefined,
  point: HistoryPoint,
): string[] {
  return changes.map(
    (c) =>
      `<tr class="${kind}" data-case="${esc(c.caseId)}" data-change="${kind}">` +
      `<td>${esc(c.caseId)}</td><td>${KIND_TEXT[kind]}</td>` +
      `<td class="before">${verdictCell(lastRunOf(c.caseId), c.caseId, c.before!)}</td>` +
      `<td class="after">${verdictCell(point, c.caseId, c.after!)}</td></tr>`,
  );
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function implementationSection({ role, name, points }: ImplementationHistory, index: number, tagged: boolean): string {
  const steps = historySteps(points);
  const changed = (s: HistoryStep) => s.regressions.length + s.fixes.length + s.other.length;
  const runs = steps.map((s, i) => {
    const n = changed(s);
    const link = `#impl-${index}-run-${i + 1}`;
    const timing = s.timing.length ? ` · <a href="${link}" class="timing">${s.timing.length} timing-dependent</a>` : '';
    const what =
      s.step === 'first'
        ? '<span class="note">first run</span>'
        : n === 0
          ? `<span class="note">no change</span>${timing}`
          : `<a href="${link}">${plural(n, 'change', 'changes')}</a>${timing}`;
    return (
      `<tr data-run="${i + 1}"><td class="num">${i + 1}</td>` +
      `<td>${esc(s.point.version)}</td><td>${esc(s.point.runAt)}</td>` +
      `<td class="num">${Object.keys(s.point.verdicts).length}</td><td>${what}</td></tr>`
    );
  });
  const out = [
    `<section class="implementation" data-implementation="${esc(name)}" data-role="${role}">`,
    `<h2 id="impl-${index}">${esc(name)}${tagged ? ` <small class="note">${role}</small>` : ''}</h2>`,
    '<table class="runs"><thead><tr><th>#</th><th>Version</th><th>Run at</th>' +
      '<th>Cases in the run</th><th>Verdict changes</th></tr></thead>' +
      `<tbody>${runs.join('')}</tbody></table>`,
  ];
  steps.forEach((s, i) => {
    if (changed(s) === 0 && s.timing.length === 0) return;
    const before = steps[i - 1]!.point;
    out.push(
      `<h3 id="impl-${index}-run-${i + 1}">${esc(before.version)} <span class="note">(${esc(before.runAt)})</span> → ` +
        `${esc(s.point.version)} <span class="note">(${esc(s.point.runAt)})</span> · ${s.step}: ` +
        `<span class="regression">${plural(s.regressions.length, 'regression', 'regressions')}</span>, ` +
        `<span class="fix">${plural(s.fixes.length, 'fix', 'fixes')}</span>` +
        `${s.other.length ? `, ${plural(s.other.length, 'other change', 'other changes')}` : ''}` +
        `${s.timing.length ? `, <span class="timing">${s.timing.length} timing-dependent (not a change)</span>` : ''}` +
        '</h3>',
    );
    const rows = (['regression', 'fix', 'changed', 'timing'] as const).flatMap((kind) =>
      changeRows(
        kind,
        { regression: s.regressions, fix: s.fixes, changed: s.other, timing: s.timing }[kind],
        (caseId) => s.before.get(caseId),
        s.point,
      ),
    );
    out.push(
      '<table class="changes"><thead><tr><th>Case</th><th>Change</th><th>Before</th><th>After</th></tr></thead>' +
        `<tbody>${rows.join('\n')}</tbody></table>`,
    );
  });
  if (steps.length > 1 && steps.every((s) => changed(s) === 0))
    out.push('<p class="note">No verdict changed between its stored runs.</p>');
  if (steps.length < 2) out.push('<p class="note">Only one stored run: nothing to compare yet.</p>');
  out.push('</section>');
  return out.join('\n');
}

export function renderHistoryPage(title: string, generatedAt: string, points: readonly HistoryPoint[]): string {
  const ordered = orderHistory(points);
  // With clients beside servers, every name says which it is (ws the server, ws the client).
  const tagged = new Set(ordered.map((h) => h.role)).size > 1;
  const links = (role: Role) =>
    ordered
      .map((h, i) => (h.role === role ? `<a href="#impl-${i}">${esc(h.name)}</a>` : ''))
      .filter((link) => link !== '')
      .join(' · ');
  const toc = tagged
    ? ROLES.map((role) => `${PARTS[role].heading}: ${links(role)}`).join('<br>')
    : ordered.map((h, i) => `<a href="#impl-${i}">${esc(h.name)}</a>`).join(' · ');
  const sections = ordered.map((h, i) => implementationSection(h, i, tagged));
  const body =
    `<h1>${esc(title)} · history</h1>` +
    `<p class="meta">Generated ${esc(generatedAt)}. Verdict changes only: ` +
    'each stored run is compared with the verdict ' +
    'each of its cases had when last seen (a case seen for the first time, or left out of a run, is not a change). ' +
    'Regressions (to a worse verdict) in red, fixes in green; a verdict that differs only as one side’s ' +
    '<a href="glossary.html#timing-dependent">repeats</a> saw it differ is listed as timing-dependent, ' +
    'not as a change; ' +
    `order OK &gt; NON-STRICT &gt; INFORMATIONAL &gt; UNIMPLEMENTED &gt; FAILED, then the close verdict.</p>` +
    (toc ? `<p>${toc}</p>` : '') +
    (sections.length ? sections.join('\n') : '<p class="note">No stored runs yet.</p>');
  return page({
    title: `${title} · history`,
    root: '',
    nav: '<nav class="top"><a href="index.html">← Matrix</a><a href="glossary.html">Glossary</a></nav>',
    body,
  });
}
