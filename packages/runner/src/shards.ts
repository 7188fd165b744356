/**
 * Splitting a case selection into n shards for n machines (`--shard i/n`). The split is stable: it depends
 * only on the set of case ids and n (never on the machine, the order of the selection or flags), so shard i
 * of n on one runner and shard j of n on another never hold the same case and together hold every one.
 * It is duration-balanced: each case has an expected cost from the catalogue alone (caseCost), and the
 * cases go longest first, each into the shard with the least cost so far (ties: lower shard number), cases
 * of equal cost in case id order. Each shard is then played as any run is (schedule.ts: its ordinary cases,
 * then its CPU-bound ones, then its timing ones alone).
 */
import { compareCaseIds, payloadLength, type CaseDef, type DataSetName } from '@wsmatrix/cases';

/** More shards than this would leave most of them a handful of small cases. */
export const MAX_SHARDS = 64;

/*
 * The cost model, in units of about a microsecond of a case's own work. Only ratios matter (a shard's
 * share of the whole), so the constants are rounded model choices, not timings of one machine.
 */

/** A case's connection, opening and closing handshakes, when it does not share its time with others. */
const CONNECTION = 2000;
/** One message sent and its echo awaited before the next (12.x/13.x play one message at a time). */
const COMPRESSED_ROUND_TRIP = 600;
/** Every KiB compressed, sent, inflated and compared, whatever the data... */
const COMPRESSED_KIB = 30;
/** ...plus this much more per KiB in proportion to the compressed size (deflate works harder on dense data). */
const COMPRESSED_KIB_DENSE = 55;
/** One frame or one separate write (fragments of 9.3/9.4 and 12.x.11-17, chops of 9.5/9.6). */
const WRITE = 20;
/** One uncompressed message sent and echoed (9.7/9.8 send 1000). */
const PLAIN_ROUND_TRIP = 40;
/** Every KiB of an uncompressed message (9.1/9.2 reach 16 MiB). */
const PLAIN_KIB = 13;
/** An ordinary case: connect, handshakes and close among many others in flight, before any wait of its own. */
const ORDINARY_BASE = 20_000;
/**
 * Ordinary cases overlap by the dozen (schedule.ts: many per core), so each adds only a fraction of its
 * time to its shard's wall time. A fixed figure, not the machine's concurrency, keeps the split stable.
 */
const ORDINARY_OVERLAP = 16;

/**
 * Compressed size over original size for long messages of each data set of groups 12/13. A fixed table
 * rather than compressing the data sets here: another zlib build could round differently and move a
 * case to another shard on another machine.
 */
const COMPRESSED_FRACTION: Readonly<Record<DataSetName, number>> = {
  json: 0.2,
  html: 0.2,
  faust: 0.2,
  bmp: 0.8,
  pdf: 0.9,
};

/** The expected cost of a case in the model's units: a pure function of the catalogue entry. */
export function caseCost(def: CaseDef): number {
  const echo = def.compressedEcho;
  if (echo !== undefined) {
    const fraction = COMPRESSED_FRACTION[echo.dataSet];
    const kib = echo.messageLength / 1024;
    const frames = echo.autoFragmentSize > 0 ? Math.ceil((echo.messageLength * fraction) / echo.autoFragmentSize) : 1;
    const perMessage =
      COMPRESSED_ROUND_TRIP + kib * (COMPRESSED_KIB + COMPRESSED_KIB_DENSE * fraction) + frames * WRITE;
    return Math.round(CONNECTION + echo.count * perMessage);
  }
  const timing = def.echoTiming;
  if (timing !== undefined) {
    const length = payloadLength(timing.payload);
    const piece = timing.fragmentSize ?? timing.chop;
    const writes = piece !== undefined && piece > 0 ? Math.ceil(length / piece) : 1;
    return Math.round(CONNECTION + timing.count * (PLAIN_ROUND_TRIP + (length / 1024) * PLAIN_KIB + writes * WRITE));
  }
  return Math.round((ORDINARY_BASE + waitedMs(def) * 1000) / ORDINARY_OVERLAP);
}

/** The pauses a case's steps take (wait steps and the pauses between a frame's parts). */
function waitedMs(def: CaseDef): number {
  let ms = 0;
  for (const step of def.steps) {
    if (step.kind === 'wait') ms += step.ms;
    else if (step.kind === 'frameParts') for (const w of step.waits) ms += w.ms;
  }
  return ms;
}

/** Shard `index` of `count`, both 1-based. */
export interface ShardSpec {
  index: number;
  count: number;
}

/**
 * The selection split into `count` shards, each in case id order. Every case is in exactly one shard; the
 * same set of cases (in any order) and count give the same shards.
 */
export function splitIntoShards(cases: readonly CaseDef[], count: number): CaseDef[][] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) {
    throw new RangeError(`shard count must be an integer from 1 to ${MAX_SHARDS} (was ${count})`);
  }
  const weighed = cases.map((def) => ({ def, cost: caseCost(def) }));
  weighed.sort((a, b) => b.cost - a.cost || compareCaseIds(a.def.id, b.def.id));
  const shards = Array.from({ length: count }, () => ({ cost: 0, cases: [] as CaseDef[] }));
  for (const { def, cost } of weighed) {
    let lightest = shards[0]!;
    for (const shard of shards) if (shard.cost < lightest.cost) lightest = shard;
    lightest.cases.push(def);
    lightest.cost += cost;
  }
  return shards.map((s) => s.cases.sort((a, b) => compareCaseIds(a.id, b.id)));
}

/** The cases of one shard of the selection (see splitIntoShards). */
export function shardCases(cases: readonly CaseDef[], shard: ShardSpec): CaseDef[] {
  if (!Number.isInteger(shard.index) || shard.index < 1 || shard.index > shard.count) {
    throw new RangeError(`shard number must be from 1 to ${shard.count} (was ${shard.index})`);
  }
  return splitIntoShards(cases, shard.count)[shard.index - 1]!;
}
