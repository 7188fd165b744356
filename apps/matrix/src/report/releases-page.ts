/**
 * The Releases view: releases.html lists the implementations with more than one stored release; each has a page
 * under releases/ with a row per case (under its group rows) and a column per release, a release's variants
 * ('+deflate') as columns of their own beside it. A cell is the release's stored verdict; a cell whose verdict
 * differs from the same variant's previous release is marked, and each column says how many did. A checkbox
 * keeps only those rows (CSS only: the report has no scripts).
 */
import { caseById } from '@wsmatrix/cases';
import { BEHAVIOR_TEXT, CLOSE_MARKS, TIMING_MARK } from './grid.js';
import { esc, page } from './html.js';
import { groupsOf } from './model.js';
import { outcomeOfVerdict } from './outcome.js';
import { PARTS, type Role } from './parts.js';
import { columnFolders } from './paths.js';
import type { CellChange, ChangeKind, ReleaseColumn, ReleaseFamily, ReleaseVerdicts } from './releases-model.js';
import { splitVerdict, verdictClass } from './verdicts.js';

/** The folder of the implementations' pages, beside releases.html. */
export const RELEASES_DIR = 'releases';

/** A case's page for one release, relative to the report folder; undefined when the report has no page for it. */
export type CaseLinkOf = (role: Role, caseId: string, release: ReleaseVerdicts) => string | undefined;

/** The mark a changed cell carries, and what it says. */
export const CHANGE_MARKS: Record<Exclude<ChangeKind, 'timing'>, { mark: string; text: string }> = {
  regression: { mark: '▼', text: 'worse than in the previous release' },
  fix: { mark: '▲', text: 'better than in the previous release' },
  other: { mark: '◆', text: 'different from the previous release, neither better nor worse' },
};

/** Each family's page file under releases/, unique and file-name safe ('server-ws.html', 'client-ws.html'). */
export function releasePagePaths(families: readonly ReleaseFamily[]): Map<ReleaseFamily, string> {
  const keyOf = (f: ReleaseFamily) => `${f.role}-${f.name}`;
  const folders = columnFolders(families.map(keyOf));
  return new Map(families.map((f) => [f, `${RELEASES_DIR}/${folders.get(keyOf(f))}.html`]));
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** How a column is named where its version alone is not enough: 'ws 8.23.0', 'ws+deflate 8.23.0'. */
function columnName(c: ReleaseColumn): string {
  return `${c.release.implementation} ${c.release.version}`;
}

/** What a column's header says under its version: the variant, and how many verdicts changed. */
function columnHeader(c: ReleaseColumn, family: ReleaseFamily, startsRelease: boolean): string {
  const timing = [...c.changes.values()].filter((ch) => ch.kind === 'timing').length;
  const since = c.previous
    ? `${c.changed} changed since ${esc(c.previous.version)}`
    : `first stored release${c.variant ? ` of ${esc(family.name + c.variant)}` : ''}`;
  const tip =
    `${columnName(c)}` +
    (c.previous ? `: ${c.changed} verdicts changed since ${c.previous.version}` : ': nothing earlier to compare') +
    (timing ? `; ${timing} timing-dependent (not counted)` : '');
  return (
    `<th class="col rel${startsRelease ? ' release-start' : ''}" data-release="${esc(columnName(c))}" ` +
    `data-changed="${c.previous ? c.changed : ''}" title="${esc(tip)}">${esc(c.release.version)}` +
    `<small>${esc(family.name + c.variant)}</small><small class="since">${since}</small></th>`
  );
}

function cell(c: ReleaseColumn, caseId: string, startsRelease: boolean, link: string | undefined): string {
  const start = startsRelease ? ' release-start' : '';
  const verdict = c.release.verdicts[caseId];
  if (verdict === undefined)
    return `<td class="cell not-run${start}" title="${esc(`${columnName(c)}: not played`)}">—</td>`;
  const { behavior, close } = splitVerdict(verdict);
  const change: CellChange | undefined = c.changes.get(caseId);
  const seen = c.release.seen[caseId];
  const timing = seen !== undefined && seen.length > 1;
  const classes = [
    'cell',
    `o-${outcomeOfVerdict(verdict)}`,
    `c-${verdictClass(close)}`,
    ...(timing || change?.kind === 'timing' ? ['timing'] : []),
    ...(change && change.kind !== 'timing' ? ['changed', `change-${change.kind}`] : []),
  ];
  const tip = [
    `${columnName(c)}: ${verdict}`,
    ...(change
      ? [
          change.kind === 'timing'
            ? `was ${change.before} in ${c.previous!.version}: within what the repeats saw, not a change`
            : `was ${change.before} in ${c.previous!.version} (${CHANGE_MARKS[change.kind].text})`,
        ]
      : []),
    ...(timing ? [`its repeats saw ${seen.join(', ')}`] : []),
  ].join('; ');
  const mark =
    change && change.kind !== 'timing' ? `<span class="change-mark">${CHANGE_MARKS[change.kind].mark}</span>` : '';
  const text =
    `${mark}${esc(BEHAVIOR_TEXT[behavior] ?? behavior)}` +
    (timing ? `<span class="timing-mark">${TIMING_MARK}</span>` : '') +
    (close === 'OK' ? '' : `<span class="close-mark">${esc(CLOSE_MARKS[close] ?? close)}</span>`);
  const attributes =
    `data-verdict="${esc(verdict)}"` +
    (change ? ` data-change="${change.kind}" data-before="${esc(change.before)}"` : '');
  const inner = link ? `<a href="../${esc(link)}">${text}</a>` : `<span class="cell-text">${text}</span>`;
  return `<td class="${classes.join(' ')}${start}" ${attributes} title="${esc(tip)}">${inner}</td>`;
}

/** Whether a column is the first of its release (the plain one, or the first variant when there is none). */
function releaseStarts(columns: readonly ReleaseColumn[]): boolean[] {
  return columns.map((c, i) => i === 0 || columns[i - 1]!.release.version !== c.release.version);
}

function releaseTable(family: ReleaseFamily, linkOf: CaseLinkOf): string {
  const starts = releaseStarts(family.columns);
  const members = new Map<string, string[]>();
  for (const caseId of family.caseIds) {
    for (const g of groupsOf(caseId)) {
      if (!members.has(g.id)) members.set(g.id, []);
      members.get(g.id)!.push(caseId);
    }
  }
  const counts = (c: ReleaseColumn, ids: readonly string[]) =>
    ids.filter((id) => {
      const kind = c.changes.get(id)?.kind;
      return kind !== undefined && kind !== 'timing';
    }).length;
  const rows: string[] = [];
  let open: string[] = [];
  for (const caseId of family.caseIds) {
    const groups = groupsOf(caseId);
    groups.forEach((g, depth) => {
      if (open[depth] === g.id) return;
      open = [...open.slice(0, depth), g.id];
      const ids = members.get(g.id)!;
      const perColumn = family.columns.map((c) => counts(c, ids));
      const has = perColumn.some((n) => n > 0);
      rows.push(
        `<tr class="group level-${Math.min(depth + 1, 2)}${has ? ' has-change' : ''}" data-group="${esc(g.id)}">` +
          `<th class="case">${esc(g.id)} ${esc(g.title)}</th>` +
          perColumn
            .map(
              (n, i) =>
                `<td class="gt${starts[i] ? ' release-start' : ''}" data-changed="${n}">` +
                `${n ? `${n} changed` : ''}</td>`,
            )
            .join('') +
          '</tr>',
      );
    });
    open = open.slice(0, groups.length);
    const changed = family.columns.some((c) => counts(c, [caseId]) > 0);
    const cells = family.columns.map((c, i) => cell(c, caseId, starts[i]!, linkOf(family.role, caseId, c.release)));
    rows.push(
      `<tr data-case="${esc(caseId)}" id="case-${esc(caseId)}"${changed ? ' class="changed"' : ''}>` +
        `<th class="case" title="${esc(caseById(caseId)?.description ?? '')}">` +
        `<a href="#case-${esc(caseId)}">${esc(caseId)}</a></th>${cells.join('')}</tr>`,
    );
  }
  const head = family.columns.map((c, i) => columnHeader(c, family, starts[i]!)).join('');
  return (
    '<div class="grid-box" id="matrix">' +
    `<table class="grid releases"><thead><tr><th class="case corner">Case</th>${head}</tr></thead><tbody>\n` +
    `${rows.join('\n')}\n</tbody></table></div>`
  );
}

/** Per column with changes: how many, of which kind, in which top-level groups. */
function changeSummary(family: ReleaseFamily): string {
  const items = family.columns
    .filter((c) => c.previous && c.changed > 0)
    .map((c) => {
      const byKind = (kind: ChangeKind) => [...c.changes.values()].filter((ch) => ch.kind === kind).length;
      const kinds = [
        byKind('regression') ? `<span class="regression">${byKind('regression')} worse</span>` : '',
        byKind('fix') ? `<span class="fix">${byKind('fix')} better</span>` : '',
        byKind('other') ? `${byKind('other')} other` : '',
      ].filter((k) => k !== '');
      const groups = new Map<string, number>();
      for (const [caseId, ch] of c.changes) {
        if (ch.kind === 'timing') continue;
        const top = groupsOf(caseId)[0]!.id;
        groups.set(top, (groups.get(top) ?? 0) + 1);
      }
      const where = [...groups].map(([g, n]) => `${esc(g)} (${n})`).join(', ');
      return (
        `<li data-release="${esc(columnName(c))}">${esc(columnName(c))} since ${esc(c.previous!.version)}: ` +
        `${plural(c.changed, 'verdict', 'verdicts')} changed (${kinds.join(', ')}), ` +
        `in group${groups.size > 1 ? 's' : ''} ` +
        `${where}</li>`
      );
    });
  return items.length
    ? `<ul class="release-changes">${items.join('')}</ul>`
    : '<p class="note">No verdict changed between these releases.</p>';
}

function legend(): string {
  const marks = Object.values(CHANGE_MARKS)
    .map(({ mark, text }) => `<span class="change-mark">${mark}</span> ${esc(text)}`)
    .join(' · ');
  return (
    '<p class="legend">Each cell is the verdict stored for the release (of each case, the newest run’s that ' +
    'played it), coloured as in the matrix; — where the release never played the case. ' +
    `A <span class="changed-sample">framed</span> cell changed since the same variant’s previous release: ${marks}; ` +
    'its tooltip says the earlier verdict. A case missing on either side is not a change, and neither is a verdict ' +
    `that differs only as one side’s <a href="../glossary.html#timing-dependent">repeats</a> saw it differ ` +
    `(hatched, ${TIMING_MARK}). Variants (+deflate) are compared with their own earlier releases only.</p>`
  );
}

const FILTER =
  '<label class="filter"><input type="checkbox" id="only-changed"> Only cases whose verdict changed</label>';

function nav(root: string): string {
  return (
    `<nav class="top"><a href="${root}index.html">← Matrix</a><a href="${root}releases.html">Releases</a>` +
    `<a href="${root}history.html">History</a><a href="${root}glossary.html">Glossary</a></nav>`
  );
}

/** One implementation's page (releases/<file>.html). */
export function renderReleasePage(family: ReleaseFamily, title: string, linkOf: CaseLinkOf): string {
  const who = `${family.name} (${PARTS[family.role].heading.toLowerCase()})`;
  const body = [
    '<header>',
    nav('../'),
    `<h1>${esc(title)} · releases of ${esc(who)}</h1>`,
    `<p class="meta">${family.caseIds.length} cases × ${plural(family.columns.length, 'column', 'columns')} ` +
      `(${plural(family.versions.length, 'release', 'releases')}: ${family.versions.map(esc).join(', ')})</p>`,
    changeSummary(family),
    legend(),
    FILTER,
    '</header>',
    releaseTable(family, linkOf),
  ].join('\n');
  // The nav is in the header: the page does not scroll, the grid fills what the window has left (as index.html).
  return page({ title: `${title} · releases · ${who}`, root: '../', body, bodyClass: 'index' });
}

/** releases.html: the implementations with more than one stored release, and how much changed in each. */
export function renderReleasesIndex(
  title: string,
  generatedAt: string,
  families: readonly ReleaseFamily[],
  paths: ReadonlyMap<ReleaseFamily, string>,
): string {
  const rows = families.map((f) => {
    const changed = f.columns.reduce((n, c) => n + c.changed, 0);
    const variants = [...new Set(f.columns.map((c) => c.variant))].map((v) => esc(f.name + v)).join(', ');
    return (
      `<tr data-family="${esc(f.name)}" data-role="${f.role}">` +
      `<td><a href="${esc(paths.get(f)!)}">${esc(f.name)}</a></td><td>${PARTS[f.role].heading}</td>` +
      `<td>${f.versions.map(esc).join(', ')}</td><td>${variants}</td>` +
      `<td class="num" data-changed="${changed}">${changed}</td></tr>`
    );
  });
  const body =
    `<h1>${esc(title)} · releases</h1>` +
    `<p class="meta">Generated ${esc(generatedAt)}. Per implementation with stored results of more than one ` +
    'release: a row per case, a column per release (and variant), the verdicts that changed from one release to ' +
    'the next marked.</p>' +
    (rows.length
      ? '<table class="releases-index"><thead><tr><th>Implementation</th><th>Part</th><th>Releases</th>' +
        `<th>Variants</th><th>Changed verdicts</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : '<p class="note">No implementation has stored results of more than one release yet.</p>');
  return page({ title: `${title} · releases`, root: '', nav: nav(''), body });
}
