/**
 * Report columns read back from result folders, for `wsmatrix report`:
 *   an Autobahn reports folder      index.json (agent → case → entry) with each case's record in the file its
 *                                   `reportfile` names: Autobahn's own reports/servers or reports/clients,
 *                                   `wsmatrix run --out`, `wstest`, `wsmatrix fuzzingserver`, or the matrix
 *                                   report's servers/ and clients/ (records bundled per agent)
 *   a folder of such folders        servers/ and clients/ under it (Autobahn's reports/, a matrix report)
 *   a stored matrix release         <implementation>/<version>/ with index.json and summary.json
 *   a stored matrix results folder  the releases under it (clients/ holds the clients'), one column each, their
 *                                   run history, and their verdicts for the Releases view
 * Every column is a server's or a client's: a stored release's summary.json says "role": "client" for a client's,
 * the stored tree puts clients under clients/, and an Autobahn folder is a client's when it is named clients
 * (Autobahn's fuzzingserver writes reports/clients) or when the caller says so (`wsmatrix report --role client`).
 * A case whose record is missing (a stored release keeps verdicts, not records) is shown from its index entry.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { caseById, compareCaseIds } from '@wsmatrix/cases';
import type { CaseResult, IndexEntry } from '@wsmatrix/runner';
import {
  roleOfFolderName,
  type HistoryPoint,
  type ReportColumn,
  type Role,
  type StoredRelease,
} from './report/index.js';
import {
  CLIENTS_FOLDER,
  loadHistory,
  loadReleaseRuns,
  loadReleasesIn,
  loadStoredReleases,
  type StoredSummary,
} from './results-store.js';

export interface LoadedFolder {
  columns: ReportColumn[];
  history: HistoryPoint[];
  /** Stored matrix results only: every release's verdicts (index.json). */
  releases?: StoredRelease[];
}

/** A folder that holds no results we can read: its one-line message names it and says what was expected. */
export class NotAResultFolderError extends Error {
  constructor(dir: string, why: string) {
    super(`${dir}: ${why}`);
    this.name = 'NotAResultFolderError';
  }
}

type Index = Record<string, Record<string, IndexEntry>>;

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
      return undefined;
    throw err;
  }
}

/** The Autobahn index in `dir`, undefined when there is no index.json; throws when it is not one. */
async function readIndex(dir: string): Promise<Index | undefined> {
  const file = path.join(dir, 'index.json');
  const text = await readText(file);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new NotAResultFolderError(dir, `index.json is not valid JSON (${(err as Error).message})`);
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(json)) throw new NotAResultFolderError(dir, 'index.json is not an Autobahn index');
  for (const [agent, cases] of Object.entries(json)) {
    if (!isObject(cases)) throw new NotAResultFolderError(dir, `index.json: agent "${agent}" has no cases`);
    for (const [id, entry] of Object.entries(cases)) {
      if (!isObject(entry) || typeof entry.behavior !== 'string' || typeof entry.behaviorClose !== 'string') {
        throw new NotAResultFolderError(dir, `index.json: case ${id} of "${agent}" has no behavior/behaviorClose`);
      }
    }
  }
  return json as Index;
}

/** A result as the report reads it, from a case record (ours or Autobahn's, which lacks a few of our fields). */
function fromRecord(record: Record<string, unknown>, id: string, entry: IndexEntry): CaseResult {
  return {
    ...record,
    id,
    behavior: entry.behavior,
    behaviorClose: entry.behaviorClose,
    // The index's counts of a repeated case (--repeat) stand, as its verdict does.
    ...(entry.repeats && typeof entry.repeats === 'object' ? { repeats: entry.repeats } : {}),
    connectFailure: (record.connectFailure as CaseResult['connectFailure']) ?? null,
    wirelogTimes: Array.isArray(record.wirelogTimes) ? record.wirelogTimes : [],
    url: typeof record.url === 'string' ? record.url : '',
  } as CaseResult;
}

/** A result from an index entry alone: the verdict, its duration and close code, nothing of the traffic. */
function fromEntry(id: string, entry: IndexEntry, agent: string, why: string): CaseResult {
  return {
    id,
    description: caseById(id)?.description ?? '',
    agent,
    behavior: entry.behavior,
    behaviorClose: entry.behaviorClose,
    ...(entry.repeats && typeof entry.repeats === 'object' ? { repeats: entry.repeats } : {}),
    duration: typeof entry.duration === 'number' ? entry.duration : 0,
    remoteCloseCode: entry.remoteCloseCode ?? null,
    result: why,
    resultClose: '',
    received: [],
    wirelog: [],
    wirelogTimes: [],
    connectFailure: null,
    url: '',
  } as unknown as CaseResult;
}

/** Reads each case's record from its report file (per-case JSON, or a gzip bundle keyed by case id). */
async function autobahnColumns(dir: string, index: Index, role: Role): Promise<ReportColumn[]> {
  const bundles = new Map<string, Record<string, Record<string, unknown>> | null>();
  const record = async (file: string, id: string): Promise<Record<string, unknown> | undefined> => {
    const at = path.join(dir, path.basename(file));
    try {
      if (file.endsWith('.json.gz')) {
        if (!bundles.has(at)) {
          try {
            bundles.set(at, JSON.parse(gunzipSync(await readFile(at)).toString('utf8')));
          } catch {
            bundles.set(at, null);
          }
        }
        return bundles.get(at)?.[id];
      }
      const text = await readText(at);
      return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      return undefined; // an unreadable record: the verdict from the index is still shown
    }
  };
  const columns: ReportColumn[] = [];
  for (const [agent, cases] of Object.entries(index)) {
    const results: CaseResult[] = [];
    for (const id of Object.keys(cases).sort(compareCaseIds)) {
      const entry = cases[id]!;
      const found = typeof entry.reportfile === 'string' ? await record(entry.reportfile, id) : undefined;
      results.push(
        found ? fromRecord(found, id, entry) : fromEntry(id, entry, agent, `no case record in ${dir}: verdict only`),
      );
    }
    columns.push({ key: agent, role, label: agent, implementation: agent, version: '', status: 'ok', results });
  }
  return columns;
}

/** One stored release (<implementation>/<version> with index.json and summary.json) as a column. */
async function releaseColumn(
  dir: string,
  index: Index,
  summaryText: string,
  treeRole: Role = 'server',
): Promise<ReportColumn> {
  let summary: Partial<StoredSummary>;
  try {
    summary = JSON.parse(summaryText) as Partial<StoredSummary>;
  } catch (err) {
    throw new NotAResultFolderError(dir, `summary.json is not valid JSON (${(err as Error).message})`);
  }
  const implementation = summary.implementation ?? path.basename(path.dirname(dir));
  const version = summary.version ?? path.basename(dir);
  // Stored under clients/ or saying so itself: a client's.
  const role: Role = summary.role === 'client' ? 'client' : treeRole;
  const [agent, cases] = Object.entries(index)[0] ?? [implementation, {}];
  const results = Object.keys(cases)
    .sort(compareCaseIds)
    .map((id) => fromEntry(id, cases[id]!, agent, 'stored verdict (the matrix stores verdicts, not case records)'));
  return {
    key: `${implementation}@${version}`,
    role,
    label: `${implementation} ${version}`,
    implementation,
    version,
    status: 'ok',
    results,
  };
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** The releases under `base` (<implementation>/<version>/ with index.json and summary.json), one column each. */
async function releaseColumns(
  base: string,
  role: Role,
  skip: ReadonlySet<string> = new Set(),
): Promise<ReportColumn[]> {
  const columns: ReportColumn[] = [];
  for (const implementation of await subdirs(base)) {
    if (skip.has(implementation)) continue;
    for (const version of await subdirs(path.join(base, implementation))) {
      const release = path.join(base, implementation, version);
      const releaseIndex = await readIndex(release);
      const summary = await readText(path.join(release, 'summary.json'));
      if (releaseIndex !== undefined && summary !== undefined)
        columns.push(await releaseColumn(release, releaseIndex, summary, role));
    }
  }
  return columns;
}

export interface LoadOptions {
  /** The role of an Autobahn folder's columns, whatever its name says (stored matrix results say their own). */
  role?: Role;
}

/** The columns (and, for stored matrix results, the history) of one folder. */
export async function loadResultFolder(dir: string, options: LoadOptions = {}): Promise<LoadedFolder> {
  const named = roleOfFolderName(path.basename(path.resolve(dir)));
  const index = await readIndex(dir);
  if (index !== undefined) {
    const summary = await readText(path.join(dir, 'summary.json'));
    if (summary !== undefined) return { columns: [await releaseColumn(dir, index, summary)], history: [] };
    return { columns: await autobahnColumns(dir, index, options.role ?? named ?? 'server'), history: [] };
  }
  // Autobahn's reports/ (servers/ and clients/ under it), or a matrix report folder.
  const reports: ReportColumn[] = [];
  for (const [sub, role] of [
    ['servers', 'server'],
    ['clients', 'client'],
  ] as const) {
    const subIndex = await readIndex(path.join(dir, sub));
    if (subIndex !== undefined) reports.push(...(await autobahnColumns(path.join(dir, sub), subIndex, role)));
  }
  if (reports.length > 0) return { columns: reports, history: [] };

  // Stored matrix results: the servers' releases and clients/ beside them, or the clients/ folder alone.
  if (named === 'client') {
    const columns = await releaseColumns(dir, 'client');
    if (columns.length > 0) {
      const history = (await loadReleaseRuns(dir, 'client')).sort((a, b) => a.runAt.localeCompare(b.runAt));
      return { columns, history, releases: await loadReleasesIn(dir, 'client') };
    }
  }
  const columns = [
    ...(await releaseColumns(dir, 'server', new Set([CLIENTS_FOLDER]))),
    ...(await releaseColumns(path.join(dir, CLIENTS_FOLDER), 'client')),
  ];
  if (columns.length === 0) {
    throw new NotAResultFolderError(
      dir,
      'holds neither an Autobahn index.json (nor servers/ or clients/ with one) ' +
        'nor stored matrix results (<implementation>/<version>/index.json)',
    );
  }
  return { columns, history: await loadHistory(dir), releases: await loadStoredReleases(dir) };
}
