/**
 * The matrix report as a pure library: writeReport(outDir, input) writes a static HTML report that opens
 * from disk (relative links only, one style.css, no scripts):
 *   index.html                    summary lines and the grid (case × implementation), for servers, then for
 *                                 clients when there are client columns (see parts.ts)
 *   cases/<case>.html             one page per case, every server that played it side by side
 *   client-cases/<case>.html      the same for the clients
 *   history.html                  verdict changes between stored runs, servers' and clients'
 *   releases.html                 the implementations with stored results of more than one release, each with
 *   releases/<role>-<name>.html   a page of case rows × release columns, changed verdicts marked (releases-page.ts)
 *   glossary.html                 the words of the report, explained once
 *   bench.html                    the benchmark fragment, when given
 *   style.css
 * Case pages cut long wire logs and link to servers/<column>_cases.json.gz (clients/… for a client), which the
 * matrix command writes (runner's writeCaseBundles) beside the report.
 * Files of an earlier report in the same folder that this one would not write (case pages of cases not in this
 * run, release pages, a bench page) are removed, so the folder holds one report and nothing stale.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { playedColumns, renderCasePage } from './case-page.js';
import { renderGlossaryPage } from './glossary.js';
import { page } from './html.js';
import { renderHistoryPage } from './history.js';
import { renderIndexPage } from './index-page.js';
import { buildModel, type ReportModel } from './model.js';
import { PARTS, ROLES, roleOf } from './parts.js';
import { casePagePath } from './paths.js';
import { givenReleases, releaseFamilies, releasesFromRuns, type ReleaseVerdicts } from './releases-model.js';
import {
  RELEASES_DIR,
  releasePagePaths,
  renderReleasePage,
  renderReleasesIndex,
  type CaseLinkOf,
} from './releases-page.js';
import { STYLE_CSS } from './style.js';
import type { ReportInput } from './types.js';

export type { HistoryPoint, ReportColumn, ReportInput, StoredRelease } from './types.js';
export { PARTS, roleOf, roleOfFolderName, type Role } from './parts.js';
export {
  compareVerdictMaps,
  verdictRank,
  verdictString,
  verdictMap,
  splitVerdict,
  BEHAVIOR_ORDER,
  CLOSE_ORDER,
  type VerdictChange,
  type VerdictComparison,
} from './verdicts.js';

/** Writes at most this many files at once. */
const WRITE_CONCURRENCY = 32;

async function writeAll(files: Iterable<[string, () => string]>): Promise<number> {
  const queue = [...files];
  let written = 0;
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [file, render] = next;
      await writeFile(file, render());
      written++;
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
  return written;
}

/** One model per role that has columns, servers first; a report without any column is an empty servers part. */
function partModels(columns: ReportInput['columns']): ReportModel[] {
  const models = ROLES.map((role) =>
    buildModel(
      columns.filter((c) => roleOf(c) === role),
      role,
    ),
  ).filter((m) => m.columns.length > 0);
  return models.length > 0 ? models : [buildModel([], 'server')];
}

/**
 * The case page of a release's verdict, when the report has one: at the release's own column when the report
 * has that release as a column, else at the top of the page.
 */
function caseLinks(models: readonly ReportModel[], paged: ReadonlyMap<ReportModel, ReadonlySet<string>>): CaseLinkOf {
  const byRole = new Map(models.map((m) => [m.part.role, m]));
  return (role, caseId, release: ReleaseVerdicts) => {
    const model = byRole.get(role);
    if (!model || !paged.get(model)?.has(caseId)) return undefined;
    const column = model.columns.find(
      (c) => c.column.implementation === release.implementation && c.column.version === release.version,
    );
    const played = column?.byId.has(caseId) ? `#${column.folder}` : '';
    return `${casePagePath(caseId, model.part)}${played}`;
  };
}

/** Writes the report into outDir (created if needed); returns the number of HTML pages written. */
export async function writeReport(outDir: string, input: ReportInput): Promise<{ pages: number }> {
  const models = partModels(input.columns);
  const hasBench = typeof input.benchmarkHtml === 'string' && input.benchmarkHtml.length > 0;
  await mkdir(outDir, { recursive: true });
  for (const role of ROLES) await rm(path.join(outDir, PARTS[role].casesDir), { recursive: true, force: true });
  await rm(path.join(outDir, RELEASES_DIR), { recursive: true, force: true });
  if (!hasBench) await rm(path.join(outDir, 'bench.html'), { force: true });
  await writeFile(path.join(outDir, 'style.css'), STYLE_CSS);

  const files: [string, () => string][] = [
    [
      path.join(outDir, 'index.html'),
      () => renderIndexPage(models, { title: input.title, generatedAt: input.generatedAt, hasBench }),
    ],
    [path.join(outDir, 'history.html'), () => renderHistoryPage(input.title, input.generatedAt, input.history)],
    [path.join(outDir, 'glossary.html'), () => renderGlossaryPage(input.title)],
  ];
  if (hasBench) {
    const nav =
      '<nav class="top"><a href="index.html">← Matrix</a><a href="history.html">History</a>' +
      '<a href="glossary.html">Glossary</a></nav>';
    files.push([
      path.join(outDir, 'bench.html'),
      () => page({ title: `${input.title} · benchmarks`, root: '', nav, body: input.benchmarkHtml! }),
    ]);
  }
  const paged = new Map<ReportModel, Set<string>>();
  for (const model of models) {
    const pagedIds = model.caseIds.filter((id) => playedColumns(model, id).length > 0);
    paged.set(model, new Set(pagedIds));
    if (pagedIds.length > 0) await mkdir(path.join(outDir, model.part.casesDir), { recursive: true });
    for (const id of pagedIds) {
      files.push([
        path.join(outDir, casePagePath(id, model.part)),
        () => renderCasePage(model, id, pagedIds, input.title),
      ]);
    }
  }
  const families = releaseFamilies(input.releases ? givenReleases(input.releases) : releasesFromRuns(input.history));
  const releasePaths = releasePagePaths(families);
  files.push([
    path.join(outDir, 'releases.html'),
    () => renderReleasesIndex(input.title, input.generatedAt, families, releasePaths),
  ]);
  if (families.length > 0) await mkdir(path.join(outDir, RELEASES_DIR), { recursive: true });
  const linkOf = caseLinks(models, paged);
  for (const family of families) {
    files.push([path.join(outDir, releasePaths.get(family)!), () => renderReleasePage(family, input.title, linkOf)]);
  }
  return { pages: await writeAll(files) };
}
export { describeCounts, isTimingDependent, isTimingFlip } from './timing.js';
