import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { compareCaseIds } from '@wsmatrix/cases';
import { autobahnJson } from './autobahn-json.js';
import type { AutobahnIndex, CaseResult, IndexEntry } from './result.js';

/** The agent as Autobahn puts it in file names: cleaned to [a-z0-9_]. */
function cleanAgent(agent: string): string {
  return agent
    .trim()
    .toLowerCase()
    .split('')
    .map((c) => ('abcdefghijklmnopqrstuvwxyz0123456789'.includes(c) ? c : ' '))
    .join('')
    .trim()
    .replace(/ /g, '_');
}

/** Autobahn's report file name: the agent cleaned to [a-z0-9_], "_case_", the id with "_" for ".". */
export function caseReportFilename(agent: string, caseId: string): string {
  return `${cleanAgent(agent)}_case_${caseId.replace(/\./g, '_')}.json`;
}

/** The file that holds every case report of one agent in a bundled folder (see writeCaseBundles). */
export function caseBundleFilename(agent: string): string {
  return `${cleanAgent(agent)}_cases.json.gz`;
}

/**
 * How a case report is written: compact (the default, since the files are read by programs and there are
 * thousands), or as AutobahnPython writes it (sorted keys, indent 3), for a drop-in replacement of its output.
 */
export type CaseFileFormat = 'compact' | 'autobahn';

function reportJson(r: CaseResult, format: CaseFileFormat = 'compact'): string {
  return format === 'autobahn' ? autobahnJson(r) : `${JSON.stringify(r)}\n`;
}

/**
 * Autobahn's index of `results`. Each entry's `reportfile` names the file that holds its case record:
 * Autobahn's per-case file unless `reportFile` says otherwise (a bundled folder names its bundle).
 */
export function buildIndex(
  results: ReadonlyMap<string, readonly CaseResult[]>,
  reportFile: (agent: string, caseId: string) => string = caseReportFilename,
): AutobahnIndex {
  const index: AutobahnIndex = {};
  for (const [agent, list] of results) {
    const entries: Record<string, IndexEntry> = {};
    for (const r of [...list].sort((a, b) => compareCaseIds(a.id, b.id))) {
      entries[r.id] = {
        behavior: r.behavior,
        behaviorClose: r.behaviorClose,
        duration: r.duration,
        remoteCloseCode: r.remoteCloseCode,
        reportfile: reportFile(agent, r.id),
        ...(r.repeats ? { repeats: r.repeats } : {}),
      };
    }
    index[agent] = entries;
  }
  return index;
}

/**
 * Writes index.json (as Autobahn writes it) and one JSON file per agent and case, as Autobahn's
 * reports/servers folder holds.
 */
export async function writeReportFiles(
  dir: string,
  results: ReadonlyMap<string, readonly CaseResult[]>,
  caseFileFormat: CaseFileFormat = 'compact',
): Promise<AutobahnIndex> {
  await mkdir(dir, { recursive: true });
  const index = buildIndex(results);
  await writeFile(path.join(dir, 'index.json'), autobahnJson(index));
  for (const [agent, list] of results) {
    for (const r of list) {
      await writeFile(path.join(dir, caseReportFilename(agent, r.id)), reportJson(r, caseFileFormat));
    }
  }
  return index;
}

/**
 * Writes index.json as writeReportFiles does, but each agent's case reports as one gzip-compressed JSON object
 * (caseBundleFilename) keyed by case id, each value the same record as a per-case file. For a report folder
 * that holds thousands of cases: one small file per case costs a file-system block each, and the records
 * compress well. Each index entry's `reportfile` names its agent's bundle.
 */
export async function writeCaseBundles(
  dir: string,
  results: ReadonlyMap<string, readonly CaseResult[]>,
): Promise<AutobahnIndex> {
  await mkdir(dir, { recursive: true });
  // An entry's reportfile names the bundle that holds it (keyed by case id), never a file that is absent.
  const index = buildIndex(results, caseBundleFilename);
  await writeFile(path.join(dir, 'index.json'), autobahnJson(index));
  for (const [agent, list] of results) {
    const byId: Record<string, CaseResult> = {};
    for (const r of [...list].sort((a, b) => compareCaseIds(a.id, b.id))) byId[r.id] = r;
    await writeFile(path.join(dir, caseBundleFilename(agent)), gzipSync(`${JSON.stringify(byId)}\n`));
  }
  return index;
}

/**
 * Writes one agent's per-case reports into `dir` and merges its entries into `dir`/index.json, keeping
 * the other agents already there (Autobahn's index holds every agent of a run).
 */
export async function writeAgentReport(
  dir: string,
  agent: string,
  results: readonly CaseResult[],
): Promise<AutobahnIndex> {
  await mkdir(dir, { recursive: true });
  const indexPath = path.join(dir, 'index.json');
  let index: AutobahnIndex = {};
  try {
    index = JSON.parse(await readFile(indexPath, 'utf8')) as AutobahnIndex;
  } catch {
    index = {};
  }
  Object.assign(index, buildIndex(new Map([[agent, results]])));
  for (const r of results) {
    await writeFile(path.join(dir, caseReportFilename(agent, r.id)), reportJson(r));
  }
  await writeFile(indexPath, autobahnJson(index));
  return index;
}

/** Counts of each behavior / behaviorClose value per agent. */
export function summarize(results: readonly Pick<CaseResult, 'behavior' | 'behaviorClose'>[]): {
  behavior: Record<string, number>;
  behaviorClose: Record<string, number>;
  total: number;
} {
  const behavior: Record<string, number> = {};
  const behaviorClose: Record<string, number> = {};
  for (const r of results) {
    behavior[r.behavior] = (behavior[r.behavior] ?? 0) + 1;
    behaviorClose[r.behaviorClose] = (behaviorClose[r.behaviorClose] ?? 0) + 1;
  }
  return { behavior, behaviorClose, total: results.length };
}
