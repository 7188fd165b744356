/**
 * matrix/results/: the committed history of compliance. One folder per implementation and release:
 *   <implementation>/<version>/index.json    Autobahn-shaped index of the latest run
 *   <implementation>/<version>/summary.json  what ran, when, totals, and one verdict per case
 *   <implementation>/<version>/runs/<time>.json  the verdicts of each run (the last MAX_RUNS kept)
 * Everything here is small (no wire logs), so the folder can live in git.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchResult } from '@wsmatrix/bench';
import { buildIndex, summarize, type AutobahnIndex, type CaseResult } from '@wsmatrix/runner';
import { verdictMap, verdictString } from './report/index.js';

export const MAX_RUNS = 20;

export interface StoredRunInfo {
  /** Matrix column key, e.g. 'ws7'. */
  target: string;
  implementation: string;
  version: string;
  options: Record<string, unknown>;
  runAt: string;
  wsmatrixVersion: string;
  durationMs: number;
}

export interface StoredSummary extends StoredRunInfo {
  totals: ReturnType<typeof summarize>;
  /** caseId → verdict string (see verdictString). */
  verdicts: Record<string, string>;
}

export interface StoredRun {
  implementation: string;
  version: string;
  runAt: string;
  verdicts: Record<string, string>;
}


/** A folder name from a package name: "@wsmatrix/core" → "wsmatrix-core". */
export function folderName(name: string): string {
  const cleaned = name.replace(/^@/, '').replace(/[\/\\]/g, '-').replace(/[^A-Za-z0-9._+-]/g, '_');
  if (cleaned === '' || cleaned === '.' || cleaned === '..') throw new Error(`unusable folder name from "${name}"`);
  return cleaned;
}

export function releaseDir(root: string, implementation: string, version: string): string {
  return path.join(root, folderName(implementation), folderName(version));
}

/** Run times become file names: colons are not portable. */
function runFileName(runAt: string): string {
  return `${runAt.replace(/:/g, '-')}.json`;
}

/** Stores one target's run; returns the folder written. */
export async function saveRun(root: string, info: StoredRunInfo, agent: string, results: readonly CaseResult[]): Promise<string> {
  const dir = releaseDir(root, info.implementation, info.version);
  await mkdir(path.join(dir, 'runs'), { recursive: true });
  const verdicts = verdictMap(results);
  const index: AutobahnIndex = buildIndex(new Map([[agent, results]]));
  const summary: StoredSummary = { ...info, totals: summarize(results), verdicts };
  await writeFile(path.join(dir, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
  await writeFile(path.join(dir, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
  const run: StoredRun = { implementation: info.implementation, version: info.version, runAt: info.runAt, verdicts };
  await writeFile(path.join(dir, 'runs', runFileName(info.runAt)), `${JSON.stringify(run)}\n`);
  await pruneRuns(path.join(dir, 'runs'));
  return dir;
}

async function pruneRuns(runsDir: string): Promise<void> {
  const files = (await readdir(runsDir)).filter((f) => f.endsWith('.json')).sort();
  for (const old of files.slice(0, Math.max(0, files.length - MAX_RUNS))) await rm(path.join(runsDir, old));
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/** Every stored run of every release, oldest first. Unreadable files are skipped, not fatal. */
export async function loadHistory(root: string): Promise<StoredRun[]> {
  const runs: StoredRun[] = [];
  for (const impl of await subdirs(root)) {
    for (const version of await subdirs(path.join(root, impl))) {
      const runsDir = path.join(root, impl, version, 'runs');
      let files: string[] = [];
      try {
        files = (await readdir(runsDir)).filter((f) => f.endsWith('.json'));
      } catch {
        continue;
      }
      for (const f of files) {
        try {
          const run = JSON.parse(await readFile(path.join(runsDir, f), 'utf8')) as StoredRun;
          if (typeof run.runAt === 'string' && run.verdicts && typeof run.verdicts === 'object') runs.push(run);
        } catch {
          // A hand-edited or truncated file must not take the whole report down.
        }
      }
    }
  }
  return runs.sort((a, b) => a.runAt.localeCompare(b.runAt));
}

/**
 * Verdicts per agent from a results folder (our summary.json, or any Autobahn-shaped index.json,
 * including Autobahn's own reports/servers) or from an index.json path.
 */
export async function loadVerdictsByAgent(location: string): Promise<Map<string, Record<string, string>>> {
  const candidates = location.endsWith('.json') ? [location] : [path.join(location, 'index.json')];
  let text: string | undefined;
  let used = candidates[0]!;
  for (const file of candidates) {
    try {
      text = await readFile(file, 'utf8');
      used = file;
      break;
    } catch {
      // try the next
    }
  }
  if (text === undefined) throw new Error(`no index.json at ${location}`);
  let index: unknown;
  try {
    index = JSON.parse(text);
  } catch (err) {
    throw new Error(`${used} is not valid JSON: ${(err as Error).message}`);
  }
  if (index === null || typeof index !== 'object') throw new Error(`${used} is not an Autobahn index`);
  const out = new Map<string, Record<string, string>>();
  for (const [agent, cases] of Object.entries(index as Record<string, unknown>)) {
    if (cases === null || typeof cases !== 'object') throw new Error(`${used}: agent "${agent}" has no cases`);
    const verdicts: Record<string, string> = {};
    for (const [id, entry] of Object.entries(cases as Record<string, { behavior?: unknown; behaviorClose?: unknown }>)) {
      if (typeof entry?.behavior !== 'string' || typeof entry.behaviorClose !== 'string') {
        throw new Error(`${used}: case ${id} of "${agent}" has no behavior/behaviorClose`);
      }
      verdicts[id] = verdictString({ behavior: entry.behavior, behaviorClose: entry.behaviorClose } as Pick<CaseResult, 'behavior' | 'behaviorClose'>);
    }
    out.set(agent, verdicts);
  }
  return out;
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
