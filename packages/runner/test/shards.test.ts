/**
 * --shard i/n: the split of a selection into n shards. Properties over random selections of the catalogue and
 * random n, with fast-check; each run uses one seed, printed in the test names (replay: WSMATRIX_SEED=<seed>).
 */
import { allCaseIds, allCases, caseById, compareCaseIds, type CaseDef } from '@wsmatrix/cases';
import { PROPERTY_SEED, PROPERTY_TIMEOUT_MS, propertyParams } from '@wsmatrix/protocol/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseCost, MAX_SHARDS, shardCases, splitIntoShards } from '../src/shards.js';

const defs = (list: readonly string[]): CaseDef[] => list.map((id) => caseById(id)!);

/**
 * A selection: any subset of the catalogue, in any order, with a shard count. Drawn as ids, so a failure
 * prints ids rather than whole catalogue entries.
 */
const selection = fc
  .record({
    picked: fc.subarray([...allCaseIds], { minLength: 0 }),
    count: fc.integer({ min: 1, max: MAX_SHARDS }),
    order: fc.array(fc.nat(), { maxLength: allCaseIds.length }),
  })
  .map(({ picked, count, order }) => {
    // A reordering drawn from `order`, so a shrunk failure still names its order.
    const shuffled = picked
      .map((id, i) => ({ id, key: order[i] ?? i }))
      .sort((a, b) => a.key - b.key)
      .map((e) => e.id);
    return { picked, shuffled, count };
  });

const ids = (cases: readonly CaseDef[]): string[] => cases.map((c) => c.id);
const cost = (cases: readonly CaseDef[]): number => cases.reduce((n, c) => n + caseCost(c), 0);

describe(`shards (seed ${PROPERTY_SEED})`, () => {
  it('every selected case is in exactly one shard', { timeout: PROPERTY_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(selection, ({ picked, count }) => {
        const shards = splitIntoShards(defs(picked), count);
        expect(shards).toHaveLength(count);
        const all = shards.flatMap(ids);
        expect(all.slice().sort(compareCaseIds)).toEqual(picked.slice().sort(compareCaseIds));
        expect(new Set(all).size).toBe(all.length);
      }),
      propertyParams(60),
    );
  });

  it('the split depends on the set of cases and n, not on their order', { timeout: PROPERTY_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(selection, ({ picked, shuffled, count }) => {
        const [inOrder, reordered] = [defs(picked), defs(shuffled)];
        expect(splitIntoShards(reordered, count).map(ids)).toEqual(splitIntoShards(inOrder, count).map(ids));
        const shard = { index: 1 + (picked.length % count), count };
        expect(ids(shardCases(reordered, shard))).toEqual(ids(shardCases(inOrder, shard)));
      }),
      propertyParams(60),
    );
  });

  it('shards differ in cost by at most the costliest case; each is in case id order', {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(selection, ({ shuffled, count }) => {
        const shards = splitIntoShards(defs(shuffled), count);
        const costs = shards.map(cost);
        const heaviest = Math.max(0, ...defs(shuffled).map(caseCost));
        expect(Math.max(...costs) - Math.min(...costs)).toBeLessThanOrEqual(heaviest);
        for (const shard of shards) expect(ids(shard)).toEqual(ids(shard).slice().sort(compareCaseIds));
      }),
      propertyParams(60),
    );
  });
});

describe('case costs from the catalogue', () => {
  const c = (id: string): number => caseCost(caseById(id)!);

  it('grow with message size, fragmentation and incompressible data in groups 12/13', () => {
    expect(c('12.1.10')).toBeGreaterThan(c('12.1.1'));
    // Same size, cut into 256-octet frames.
    expect(c('12.1.15')).toBeGreaterThan(c('12.1.10'));
    // PDF hardly compresses: more octets on the wire, and more frames once fragmented.
    expect(c('12.5.10')).toBeGreaterThan(c('12.1.10'));
    expect(c('12.5.15') - c('12.5.10')).toBeGreaterThan(c('12.1.15') - c('12.1.10'));
    // 13.x uses the json data set: the same cost as 12.1.x of the same size.
    expect(c('13.3.7')).toBe(c('12.1.7'));
  });

  it('put a 12.x case above a 9.x case above an ordinary one', () => {
    expect(c('12.1.1')).toBeGreaterThan(c('9.1.6'));
    expect(c('9.3.1')).toBeGreaterThan(c('9.3.9'));
    expect(c('9.5.1')).toBeGreaterThan(c('9.5.6'));
    expect(c('9.1.1')).toBeGreaterThan(c('1.1.1'));
    // An ordinary case that waits costs more than one that does not.
    expect(c('6.4.1')).toBeGreaterThan(c('6.3.1'));
  });

  it('a full run in 4 shards: the costliest shard within the costliest case of the lightest', () => {
    const shards = splitIntoShards(allCases, 4);
    const costs = shards.map(cost);
    expect(Math.max(...costs) - Math.min(...costs)).toBeLessThanOrEqual(Math.max(...allCases.map(caseCost)));
    // Groups 12/13 are most of the cost: every shard gets some of them.
    for (const shard of shards) expect(shard.some((d) => d.compressedEcho !== undefined)).toBe(true);
  });

  it('refuses a shard count or number out of range', () => {
    expect(() => splitIntoShards(allCases, 0)).toThrow(RangeError);
    expect(() => splitIntoShards(allCases, MAX_SHARDS + 1)).toThrow(RangeError);
    expect(() => shardCases(allCases, { index: 5, count: 4 })).toThrow(RangeError);
    expect(() => shardCases(allCases, { index: 0, count: 4 })).toThrow(RangeError);
  });
});
