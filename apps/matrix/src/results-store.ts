/**
 * matrix/results/: the committed history of compliance. One folder per implementation and release:
 *   <implementation>/<version>/runs/<time>.json  each run as it was: the verdicts of the cases it played,
 *                                                the cases it did not (interrupted, target down); all kept
 *   <implementation>/<version>/index.json        Autobahn-shaped index of every case ever played on the
 *                                                release, each with its newest verdict
 *   <implementation>/<version>/summary.json      the newest run's settings, and totals and one verdict per
 *                                                case over the whole index
 *   clients/<implementation>/<version>/…         the same files for a client (wsmatrix played the server):
 *                                                a tree of its own, so the servers' folders keep their layout
 *                                                and a client never merges into a server of the same name;
 *                                                its run files and summary say "role": "client"
 *   bench/<time>.json                            benchmark results (results of `wsmatrix bench --save`)
 * A run merges into index.json and summary.json case by case: a case it did not play keeps its stored
 * verdict, so a run of a few cases never shrinks a release's record. Cases interrupted or not reached
 * (target down) are no verdict about the implementation and never replace one.
 * Everything here is small (no wire logs), so the folder can live in git.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchResult } from '@wsmatrix/bench';
import { compareCaseIds } from '@wsmatrix/cases';
import {
  buildIndex,
  isTargetDown,
  summarize,
  type AutobahnIndex,
  type CaseResult,
  type IndexEntry,
  type RepeatCounts,
} from '@wsmatrix/runner';
import { roleOf, roleOfFolderName, verdictMap, verdictString, type Role, type StoredRelease } from './report/index.js';

/** The folder of <root> that holds the clients' releases. */
export const CLIENTS_FOLDER = 'clients';
/** Folders of <root> that are not an implementation's. */
const NOT_IMPLEMENTATIONS = new Set([CLIENTS_FOLDER, 'bench']);

export interface StoredRunInfo {
  /** Matrix column key, e.g. 'ws7'. */
  target: string;
  /** A client's run (stored under clients/); absent for a server's, as every run stored before clients were. */
  role?: Role;
  implementation: string;
  version: string;
  /** The options the target ran with (the core's socket layer in effect among them). */
  options: Record<string, unknown>;
  runAt: string;
  wsmatrixVersion: string;
  durationMs: number;
  /** See reuse.ts: a later run with the same key may take this run's verdicts instead of playing the cases. */
  reuseKey?: string;
}

export interface Totals {
  behavior: Record<string, number>;
  behaviorClose: Record<string, number>;
  total: number;
}

export interface StoredSummary extends StoredRunInfo {
  /** Over every case of index.json, not only the newest run's. */
  totals: Totals;
  /** caseId → verdict string (see verdictString), every case of index.json. */
  verdicts: Record<string, string>;
}

export interface StoredRun {
  /** Written for a client's run only; loadHistory sets it on every run from where the run is stored. */
  role?: Role;
  implementation: string;
  version: string;
  runAt: string;
  /** The verdicts of the cases this run played to the end (target-down rows left out). */
  verdicts: Record<string, string>;
  /**
   * Cases played more than once (--repeat): how many runs gave each verdict; `verdicts` holds the worst seen.
   * Kept so that a reused verdict keeps its counts and the history tells a timing-dependent flip from a change.
   */
  repeats?: Record<string, RepeatCounts>;
  target?: string;
  options?: Record<string, unknown>;
  wsmatrixVersion?: string;
  durationMs?: number;
  reuseKey?: string;
  /** Cases this run took from earlier runs instead of playing them: how many, by when they were measured. */
  reused?: Record<string, number>;
  /** Selected but never played: the run was interrupted (by the signal named in `interruptedBy`). */
  interrupted?: string[];
  interruptedBy?: string;
  /** Selected, but the server could not be reached: no verdict about the implementation. */
  targetDown?: string[];
  /** A client's run: selected, but its driver never asked for them (it stopped early or skipped them). */
  notPlayed?: string[];
}

/** What a run did not play to the end, besides its results. */
export interface RunGaps {
  /** Case ids never played because the run was interrupted. */
  interrupted?: readonly string[];
  /** The signal that interrupted the run. */
  interruptedBy?: string;
  /** Case ids a client's driver never asked for: no verdict about the client. */
  notPlayed?: readonly string[];
  /** Stored verdicts this run reused (reuse.ts): kept in index.json, not counted as measured by this run. */
  reused?: readonly CaseResult[];
}

/** A folder name from a package name: "@wsmatrix/core" → "wsmatrix-core". */
export function folderName(name: string): string {
  const cleaned = name
    .replace(/^@/, '')
    .replace(/[/\\]/g, '-')
    .replace(/[^A-Za-z0-9._+-]/g, '_');
  if (cleaned === '' || cleaned === '.' || cleaned === '..') throw new Error(`unusable folder name from "${name}"`);
  return cleaned;
}

/** Where a role's releases are stored: <root> for servers, <root>/clients for clients. */
export function roleRoot(root: string, role: Role = 'server'): string {
  return role === 'client' ? path.join(root, CLIENTS_FOLDER) : root;
}

export function releaseDir(root: string, implementation: string, version: string, role: Role = 'server'): string {
  const name = folderName(implementation);
  // A server called "clients" or "bench" would be read as the folder of that name: refused, not mixed in.
  if (role === 'server' && NOT_IMPLEMENTATIONS.has(name))
    throw new Error(`"${implementation}" cannot be stored as a server: ${root}/${name} holds other results`);
  return path.join(roleRoot(root, role), name, folderName(version));
}

/** Run times become file names: colons are not portable. */
function runFileStem(runAt: string): string {
  return runAt.replace(/:/g, '-');
}

/** Writes through a temporary file and a rename, so an interrupt never leaves a stored file half written. */
async function writeWhole(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

/** A new file in `dir` named after the run; never overwrites an earlier run stored at the same time. */
async function writeRunFile(dir: string, stem: string, text: string): Promise<string> {
  for (let n = 1; ; n++) {
    const file = path.join(dir, `${stem}${n === 1 ? '' : `-${n}`}.json`);
    try {
      await writeFile(file, text, { flag: 'wx' });
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    // Never overwrite a stored index we cannot read: that would lose its verdicts.
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); fix or move it before storing a run`);
  }
}

/** The stored entries of a release's index: its only agent, or the one named `agent`. */
function storedEntries(index: unknown, agent: string, file: string): Record<string, IndexEntry> {
  if (index === undefined) return {};
  if (index === null || typeof index !== 'object' || Array.isArray(index))
    throw new Error(`${file} is not an Autobahn index`);
  const agents = Object.entries(index as Record<string, Record<string, IndexEntry>>);
  const found = agents.find(([name]) => name === agent) ?? (agents.length === 1 ? agents[0] : undefined);
  if (agents.length > 0 && !found)
    throw new Error(`${file} holds agents ${agents.map(([n]) => n).join(', ')}, not "${agent}"`);
  return found?.[1] ?? {};
}

/**
 * Throws, naming the file, when a release's stored index.json exists but cannot be merged into (not JSON,
 * not an index, or another agent's): checked before a run, so no run is played that could not be stored.
 */
export async function checkStoredRelease(
  root: string,
  implementation: string,
  version: string,
  agent: string,
  role: Role = 'server',
): Promise<void> {
  const file = path.join(releaseDir(root, implementation, version, role), 'index.json');
  storedEntries(await readJson(file), agent, file);
}

/**
 * Stores one target's run: its own file under runs/, and its verdicts merged into the release's
 * index.json and summary.json case by case. Returns the release folder.
 */
export async function saveRun(
  root: string,
  info: StoredRunInfo,
  agent: string,
  results: readonly CaseResult[],
  gaps: RunGaps = {},
): Promise<string> {
  const role = roleOf(info);
  const dir = releaseDir(root, info.implementation, info.version, role);
  await mkdir(path.join(dir, 'runs'), { recursive: true });
  const played = results.filter((r) => !isTargetDown(r));
  const down = results.filter((r) => isTargetDown(r)).map((r) => r.id);

  const run: StoredRun = {
    ...(role === 'client' ? { role } : {}),
    implementation: info.implementation,
    version: info.version,
    runAt: info.runAt,
    verdicts: verdictMap(played),
    ...(played.some((r) => r.repeats) ? { repeats: repeatsOf(played) } : {}),
    target: info.target,
    options: info.options,
    wsmatrixVersion: info.wsmatrixVersion,
    durationMs: info.durationMs,
    ...(info.reuseKey ? { reuseKey: info.reuseKey } : {}),
    ...(gaps.reused?.length ? { reused: countByStart(gaps.reused) } : {}),
    ...(gaps.interrupted?.length
      ? { interrupted: [...gaps.interrupted], ...(gaps.interruptedBy ? { interruptedBy: gaps.interruptedBy } : {}) }
      : {}),
    ...(down.length ? { targetDown: down } : {}),
    ...(gaps.notPlayed?.length ? { notPlayed: [...gaps.notPlayed] } : {}),
  };
  await writeRunFile(path.join(dir, 'runs'), runFileStem(info.runAt), `${JSON.stringify(run)}\n`);

  const indexFile = path.join(dir, 'index.json');
  const merged: Record<string, IndexEntry> = { ...storedEntries(await readJson(indexFile), agent, indexFile) };
  // A reused verdict only replaces an entry that says otherwise (a run of other code measured it since).
  const reusedEntries = buildIndex(new Map([[agent, [...(gaps.reused ?? [])]]]))[agent] ?? {};
  for (const [id, entry] of Object.entries(reusedEntries)) {
    const stored = merged[id];
    if (
      !stored ||
      verdictString(stored) !== verdictString(entry) ||
      JSON.stringify(stored.repeats) !== JSON.stringify(entry.repeats)
    )
      merged[id] = entry;
  }
  Object.assign(merged, buildIndex(new Map([[agent, played]]))[agent]);
  const ids = Object.keys(merged).sort(compareCaseIds);
  const entries: Record<string, IndexEntry> = {};
  for (const id of ids) entries[id] = merged[id]!;
  const index: AutobahnIndex = { [agent]: entries };
  const verdicts: Record<string, string> = {};
  for (const id of ids) verdicts[id] = verdictString(entries[id]!);
  const { role: _role, ...rest } = info;
  const summary: StoredSummary = {
    ...(role === 'client' ? { role } : {}),
    ...rest,
    totals: summarize(Object.values(entries)),
    verdicts,
  };
  await writeWhole(indexFile, `${JSON.stringify(index, null, 1)}\n`);
  await writeWhole(path.join(dir, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
  return dir;
}

/** case id → the counts of each case played more than once. */
function repeatsOf(results: readonly CaseResult[]): Record<string, RepeatCounts> {
  const out: Record<string, RepeatCounts> = {};
  for (const r of results) if (r.repeats) out[r.id] = r.repeats;
  return out;
}

/** A run file's `repeats` as far as it is well formed: a hand-edited entry is dropped, not trusted. */
function readRepeats(raw: unknown): Record<string, RepeatCounts> | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const out: Record<string, RepeatCounts> = {};
  for (const [id, r] of Object.entries(raw as Record<string, unknown>)) {
    const c = r as Partial<RepeatCounts> | null;
    if (
      c !== null &&
      typeof c === 'object' &&
      Number.isInteger(c.runs) &&
      c.verdicts !== null &&
      typeof c.verdicts === 'object' &&
      Object.values(c.verdicts).every((n) => Number.isInteger(n))
    )
      out[id] = { runs: c.runs!, verdicts: { ...c.verdicts } };
  }
  return out;
}

/** How many records started at each time (a reused record's start is when its verdict was measured). */
function countByStart(results: readonly CaseResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.started] = (counts[r.started] ?? 0) + 1;
  return counts;
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/**
 * Every stored run of every release, servers' and clients', oldest first; each run's role is where it is stored.
 * Unreadable files are skipped, not fatal.
 */
export async function loadHistory(root: string): Promise<StoredRun[]> {
  const runs = [
    ...(await loadReleaseRuns(roleRoot(root, 'server'), 'server')),
    ...(await loadReleaseRuns(roleRoot(root, 'client'), 'client')),
  ];
  return runs.sort((a, b) => a.runAt.localeCompare(b.runAt));
}

/** The runs of the releases under `base` (<implementation>/<version>/runs/), all of one role, in no order. */
export async function loadReleaseRuns(base: string, role: Role): Promise<StoredRun[]> {
  const runs: StoredRun[] = [];
  for (const impl of await subdirs(base)) {
    if (role === 'server' && NOT_IMPLEMENTATIONS.has(impl)) continue;
    for (const version of await subdirs(path.join(base, impl)))
      runs.push(...(await loadRunsIn(path.join(base, impl, version, 'runs'), role)));
  }
  return runs;
}

/** The runs stored in one release's runs/ folder (none when it does not exist); unreadable files are skipped. */
export async function loadRunsIn(runsDir: string, role: Role): Promise<StoredRun[]> {
  let files: string[] = [];
  try {
    files = (await readdir(runsDir)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const runs: StoredRun[] = [];
  for (const f of files) {
    try {
      const run = JSON.parse(await readFile(path.join(runsDir, f), 'utf8')) as StoredRun;
      if (typeof run.runAt !== 'string' || !run.verdicts || typeof run.verdicts !== 'object') continue;
      const { repeats: rawRepeats, ...rest } = run;
      const repeats = readRepeats(rawRepeats);
      runs.push({ ...rest, ...(repeats ? { repeats } : {}), role });
    } catch {
      // A hand-edited or truncated file must not take the whole report down.
    }
  }
  return runs;
}

/**
 * Every stored release's verdicts (its index.json), servers' and clients': what the report's Releases view
 * compares. An unreadable release is skipped, not fatal.
 */
export async function loadStoredReleases(root: string): Promise<StoredRelease[]> {
  return [
    ...(await loadReleasesIn(roleRoot(root, 'server'), 'server')),
    ...(await loadReleasesIn(roleRoot(root, 'client'), 'client')),
  ];
}

/** The releases under `base` (<implementation>/<version>/ with summary.json and index.json), all of one role. */
export async function loadReleasesIn(base: string, role: Role): Promise<StoredRelease[]> {
  const releases: StoredRelease[] = [];
  for (const impl of await subdirs(base)) {
    if (role === 'server' && NOT_IMPLEMENTATIONS.has(impl)) continue;
    for (const version of await subdirs(path.join(base, impl))) {
      const dir = path.join(base, impl, version);
      try {
        const summary = (await readJson(path.join(dir, 'summary.json'))) as Partial<StoredSummary> | undefined;
        if (summary === undefined) continue;
        const { byAgent, seenByAgent } = await loadVerdicts(dir);
        const [agent, verdicts] = [...byAgent][0] ?? [];
        if (agent === undefined || verdicts === undefined) continue;
        const seen = seenByAgent.get(agent) ?? {};
        releases.push({
          role,
          implementation: summary.implementation ?? impl,
          version: summary.version ?? version,
          verdicts,
          ...(Object.keys(seen).length > 0 ? { seen } : {}),
        });
      } catch {
        // A hand-edited or truncated file must not take the whole report down.
      }
    }
  }
  return releases;
}

/** Verdicts per agent from an index, and whose they are. */
export interface LoadedVerdicts {
  /** From the folder: a stored release's summary.json says "role": "client", Autobahn's reports/clients is named so. */
  role: Role;
  byAgent: Map<string, Record<string, string>>;
  /** Per agent, the verdicts seen across --repeat runs, for each case that was played more than once. */
  seenByAgent: Map<string, Record<string, string[]>>;
}

/**
 * The role of the results in `dir`: a stored release's summary.json names a client's, else the folder's name does
 * (Autobahn's reports/clients, our matrix report's clients/), else they are a server's.
 */
async function roleOfResults(dir: string): Promise<Role> {
  try {
    const summary = JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8')) as { role?: unknown };
    return summary.role === 'client' ? 'client' : 'server';
  } catch {
    return roleOfFolderName(path.basename(path.resolve(dir))) ?? 'server';
  }
}

/**
 * Verdicts per agent from a results folder (our summary.json, or any Autobahn-shaped index.json,
 * including Autobahn's own reports/servers and reports/clients) or from an index.json path.
 */
export async function loadVerdicts(location: string): Promise<LoadedVerdicts> {
  const file = location.endsWith('.json') ? location : path.join(location, 'index.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`no index.json at ${location}`);
  }
  let index: unknown;
  try {
    index = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (index === null || typeof index !== 'object') throw new Error(`${file} is not an Autobahn index`);
  const byAgent = new Map<string, Record<string, string>>();
  const seenByAgent = new Map<string, Record<string, string[]>>();
  for (const [agent, cases] of Object.entries(index as Record<string, unknown>)) {
    if (cases === null || typeof cases !== 'object') throw new Error(`${file}: agent "${agent}" has no cases`);
    const verdicts: Record<string, string> = {};
    const seen: Record<string, string[]> = {};
    for (const [id, entry] of Object.entries(
      cases as Record<string, { behavior?: unknown; behaviorClose?: unknown; repeats?: { verdicts?: unknown } }>,
    )) {
      const repeated = entry?.repeats?.verdicts;
      if (repeated !== null && typeof repeated === 'object') seen[id] = Object.keys(repeated);
      if (typeof entry?.behavior !== 'string' || typeof entry.behaviorClose !== 'string') {
        throw new Error(`${file}: case ${id} of "${agent}" has no behavior/behaviorClose`);
      }
      verdicts[id] = verdictString({ behavior: entry.behavior, behaviorClose: entry.behaviorClose } as Pick<
        CaseResult,
        'behavior' | 'behaviorClose'
      >);
    }
    byAgent.set(agent, verdicts);
    seenByAgent.set(agent, seen);
  }
  return { role: await roleOfResults(path.dirname(file)), byAgent, seenByAgent };
}

/** The newest stored benchmark result (`<root>/bench/<time>.json`), or null when there is none. */
export async function loadLatestBench(root: string): Promise<BenchResult | null> {
  const dir = path.join(root, 'bench');
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return null;
  }
  for (const file of files.reverse()) {
    try {
      return JSON.parse(await readFile(path.join(dir, file), 'utf8')) as BenchResult;
    } catch {
      // a truncated file: try the one before
    }
  }
  return null;
}
