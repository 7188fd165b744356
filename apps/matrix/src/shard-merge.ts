/**
 * Joining report folders (the shards of one run, each written by `run --out` or `wstest`) into the results
 * one run would have given: every agent's case records, each case once. Refuses what cannot be one run's:
 * a case with two different verdicts for one agent, a set of shards with one missing or given twice, a case
 * record that index.json names but the folder lacks. Everything refused is a MergeError, one line.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { compareCaseIds } from '@wsmatrix/cases';
import type { AutobahnIndex, CaseResult } from '@wsmatrix/runner';
import { readShardRecord, type ShardRecord } from './shard-record.js';

export class MergeError extends Error {
  override readonly name = 'MergeError';
}

/** One report folder as read: its index, every case record it names, and its shard record if any. */
export interface ReportFolder {
  dir: string;
  index: AutobahnIndex;
  records: Map<string, CaseResult[]>;
  shard: ShardRecord | undefined;
  /** Its case files are formatted as AutobahnPython writes them (wstest's), not compact. */
  autobahnFormat: boolean;
  /** It has an index.html beside index.json (wstest's). */
  hasIndexHtml: boolean;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a report folder; a MergeError when it is missing or not a complete report. */
export async function readReportFolder(dir: string): Promise<ReportFolder> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dir);
  } catch {
    throw new MergeError(`${dir}: no such folder`);
  }
  if (!info.isDirectory()) throw new MergeError(`${dir}: not a folder`);
  let index: unknown;
  try {
    index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'));
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new MergeError(`${dir}: ${missing ? 'no index.json (not a report folder)' : 'index.json is not valid JSON'}`);
  }
  if (!isObject(index)) throw new MergeError(`${dir}: index.json is not an Autobahn index`);
  const bundles = new Map<string, Record<string, CaseResult>>();
  const records = new Map<string, CaseResult[]>();
  let autobahnFormat = false;
  for (const [agent, cases] of Object.entries(index)) {
    if (!isObject(cases)) throw new MergeError(`${dir}: index.json: agent "${agent}" has no cases`);
    const list: CaseResult[] = [];
    for (const id of Object.keys(cases).sort(compareCaseIds)) {
      const entry = cases[id];
      const file = isObject(entry) && typeof entry.reportfile === 'string' ? entry.reportfile : undefined;
      if (file === undefined) throw new MergeError(`${dir}: index.json: case ${id} of "${agent}" names no reportfile`);
      const at = path.join(dir, path.basename(file));
      let record: CaseResult | undefined;
      try {
        if (file.endsWith('.json.gz')) {
          if (!bundles.has(at)) bundles.set(at, JSON.parse(gunzipSync(await readFile(at)).toString('utf8')));
          record = bundles.get(at)?.[id];
        } else {
          const text = await readFile(at, 'utf8');
          autobahnFormat ||= text.startsWith('{\n   "');
          record = JSON.parse(text) as CaseResult;
        }
      } catch {
        record = undefined;
      }
      if (!isObject(record) || record.id !== id) {
        throw new MergeError(`${dir}: the record of case ${id} of "${agent}" (${file}) is missing or unreadable`);
      }
      list.push(record);
    }
    records.set(agent, list);
  }
  return {
    dir,
    index: index as AutobahnIndex,
    records,
    shard: await readShardRecord(dir),
    autobahnFormat,
    hasIndexHtml: await exists(path.join(dir, 'index.html')),
  };
}

/** A case selected for a shard that its folder has no record of (the shard was interrupted or failed). */
export interface MissingCase {
  agent: string;
  id: string;
  shard: string;
  dir: string;
}

export interface MergedResults {
  /** Agent → its case records in case id order; agents in the order the folders first name them. */
  results: Map<string, CaseResult[]>;
  missing: MissingCase[];
}

const verdictOf = (r: CaseResult): string => `${r.behavior}/${r.behaviorClose}`;

/** The shards' records as one run's; throws a MergeError on anything that cannot be one run's. */
export function mergeFolders(folders: readonly ReportFolder[]): MergedResults {
  checkShardSets(folders);
  const byAgent = new Map<string, Map<string, { record: CaseResult; dir: string }>>();
  for (const folder of folders) {
    for (const [agent, list] of folder.records) {
      const cases = byAgent.get(agent) ?? new Map<string, { record: CaseResult; dir: string }>();
      byAgent.set(agent, cases);
      for (const record of list) {
        const before = cases.get(record.id);
        if (before === undefined) cases.set(record.id, { record, dir: folder.dir });
        else if (verdictOf(before.record) !== verdictOf(record)) {
          throw new MergeError(
            `${agent} ${record.id} is ${verdictOf(before.record)} in ${before.dir} but ${verdictOf(record)} ` +
              `in ${folder.dir}: not one run's results`,
          );
        }
      }
    }
  }
  const missing: MissingCase[] = [];
  for (const folder of folders) {
    if (folder.shard === undefined) continue;
    for (const [agent, ids] of Object.entries(folder.shard.agents)) {
      for (const id of ids) {
        if (!byAgent.get(agent)?.has(id)) missing.push({ agent, id, shard: folder.shard.shard, dir: folder.dir });
      }
    }
  }
  const results = new Map(
    [...byAgent].map(([agent, cases]) => [
      agent,
      [...cases.values()].map((c) => c.record).sort((a, b) => compareCaseIds(a.id, b.id)),
    ]),
  );
  return { results, missing };
}

/**
 * Shards of one selection (same N, same selection digest) must be all there, each once. Folders without a
 * shard record (an unsharded run) join as they are.
 */
function checkShardSets(folders: readonly ReportFolder[]): void {
  const sets = new Map<string, Map<number, string>>();
  for (const folder of folders) {
    if (folder.shard === undefined) continue;
    const [index, count] = folder.shard.shard.split('/').map(Number) as [number, number];
    const key = `${count}:${folder.shard.selection.digest}`;
    const set = sets.get(key) ?? new Map<number, string>();
    sets.set(key, set);
    const other = set.get(index);
    if (other !== undefined)
      throw new MergeError(`shard ${folder.shard.shard} is given twice: ${other} and ${folder.dir}`);
    set.set(index, folder.dir);
  }
  for (const [key, set] of sets) {
    const count = Number(key.split(':')[0]);
    const absent = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !set.has(i));
    if (absent.length > 0) {
      const have = [...set].sort((x, y) => x[0] - y[0]).map(([i, dir]) => `${i}/${count} in ${dir}`);
      throw new MergeError(
        `shard${absent.length > 1 ? 's' : ''} ${absent.map((i) => `${i}/${count}`).join(', ')} ` +
          `${absent.length > 1 ? 'are' : 'is'} missing (given: ${have.join(', ')})`,
      );
    }
  }
}
