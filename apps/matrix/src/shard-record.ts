/**
 * A sharded run (`run --shard i/n`, `wstest --shard i/n`): the flag, and shard.json, the record it leaves
 * beside index.json so that `wsmatrix merge` can tell a complete set of shards from one with a shard missing
 * and a case that was selected but not played from one that was never selected. index.json stays exactly
 * Autobahn's; the record is a file of our own.
 */
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { caseById, compareCaseIds, type CaseDef } from '@wsmatrix/cases';
import { caseCost, MAX_SHARDS, shardCases, type ShardSpec } from '@wsmatrix/runner';
import { UsageError, type StringFlag } from './args.js';

export const SHARD_FLAG: StringFlag = {
  type: 'string',
  placeholder: 'SHARD',
  description: `I/N: play only shard I of N of the selected cases (N up to ${MAX_SHARDS}; join with wsmatrix merge)`,
};

export const SHARD_NOTES = [
  '--shard I/N: the split depends only on the selected cases and N (any machine, any flag order), each case in',
  "one shard; shards are balanced by each case's expected duration from the catalogue.",
] as const;

export const SHARD_RECORD_FILE = 'shard.json';

/** `--shard` as given: "I/N" with 1 ≤ I ≤ N ≤ MAX_SHARDS, else a usage error. */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!(index >= 1 && count <= MAX_SHARDS && index <= count)) {
    throw new UsageError(`--shard must be I/N with 1 <= I <= N <= ${MAX_SHARDS}, e.g. 2/4 (was "${text}")`);
  }
  return { index, count };
}

export function shardName(shard: ShardSpec): string {
  return `${shard.index}/${shard.count}`;
}

/** What a sharded run played, as shard.json holds it. */
export interface ShardRecord {
  /** "I/N". */
  shard: string;
  /** The whole selection the shard was cut from: its size and a digest of its ids, to tell selections apart. */
  selection: { cases: number; digest: string };
  /** Per agent, the ids of this shard's cases it was to play (a spec's exclude-agent-cases removed). */
  agents: Record<string, string[]>;
}

/** A digest of a set of case ids (order ignored). */
function selectionDigest(ids: readonly string[]): string {
  const sorted = [...new Set(ids)].sort(compareCaseIds);
  return createHash('sha256').update(sorted.join(',')).digest('hex').slice(0, 16);
}

/** The shard's ids of a selection, and the line that says what the shard holds. */
export function selectShard(selectedIds: readonly string[], shard: ShardSpec): { ids: string[]; summary: string } {
  const all = selectedIds.map((id) => caseById(id)!);
  const mine = shardCases(all, shard);
  const cost = (cases: readonly CaseDef[]) => cases.reduce((n, c) => n + caseCost(c), 0);
  const share = Math.round((100 * cost(mine)) / Math.max(1, cost(all)));
  return {
    ids: mine.map((c) => c.id),
    summary:
      `shard ${shardName(shard)}: ${mine.length} of the ${all.length} selected cases ` +
      `(${share}% of their expected duration)\n`,
  };
}

/** The record of a sharded run (undefined for an unsharded one): per agent, the shard's ids it was to play. */
export function shardRecordOf(
  shard: ShardSpec | undefined,
  selectedIds: readonly string[],
  agents: Iterable<readonly [string, string[]]>,
): ShardRecord | undefined {
  if (shard === undefined) return undefined;
  return {
    shard: shardName(shard),
    selection: { cases: selectedIds.length, digest: selectionDigest(selectedIds) },
    agents: Object.fromEntries(agents),
  };
}

/** Writes shard.json; without a record (an unsharded run), removes one a sharded run left in the folder before. */
export async function writeShardRecord(dir: string, record: ShardRecord | undefined): Promise<void> {
  const file = path.join(dir, SHARD_RECORD_FILE);
  if (record === undefined) await rm(file, { force: true });
  else await writeFile(file, `${JSON.stringify(record, null, 1)}\n`);
}

/** The folder's shard.json, undefined when it has none; a usage error when it is not one of ours. */
export async function readShardRecord(dir: string): Promise<ShardRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dir, SHARD_RECORD_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const bad = (why: string) => new UsageError(`${path.join(dir, SHARD_RECORD_FILE)}: ${why}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad('not valid JSON');
  }
  const r = json as Partial<ShardRecord>;
  if (typeof r.shard !== 'string' || !/^\d+\/\d+$/.test(r.shard)) throw bad('no "shard": "I/N"');
  if (typeof r.selection?.digest !== 'string' || typeof r.selection.cases !== 'number') throw bad('no "selection"');
  if (typeof r.agents !== 'object' || r.agents === null) throw bad('no "agents"');
  for (const ids of Object.values(r.agents)) {
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw bad('"agents" must list case ids');
  }
  return r as ShardRecord;
}
