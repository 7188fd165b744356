import { availableParallelism } from 'node:os';
import { caseById, type CaseDef } from '@wsmatrix/cases';
import { describe, expect, it } from 'vitest';
import { casePhases, cpuBoundConcurrency } from '../src/schedule.js';
import { caseCost } from '../src/shards.js';

const defs = (ids: string[]): CaseDef[] => ids.map((id) => caseById(id)!);

describe('the phases of a run', () => {
  const cases = defs(['1.1.1', '12.2.1', '9.1.1', '12.2.15', '13.3.10', '12.1.10', '2.1', '12.1.3']);
  const phases = casePhases(cases, 32);
  const ids = phases.map((p) => p.indices.map((i) => cases[i]!.id));

  it('plays ordinary cases in id order, then the compression cases longest first, then the timing cases', () => {
    expect(ids[0]).toEqual(['1.1.1', '2.1']);
    expect([...ids[1]!].sort()).toEqual(['12.1.10', '12.1.3', '12.2.1', '12.2.15', '13.3.10']);
    const costs = phases[1]!.indices.map((i) => caseCost(cases[i]!));
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
    expect(ids[1]![0]).toBe('12.2.15');
    expect(ids[2]).toEqual(['9.1.1']);
  });

  it('keeps four compression cases per core in flight, never more than the run allows', () => {
    expect(cpuBoundConcurrency()).toBe(Math.max(2, 4 * availableParallelism()));
    expect(phases.map((p) => p.concurrency)).toEqual([32, Math.min(32, cpuBoundConcurrency()), 1]);
    expect(casePhases(cases, 1).map((p) => p.concurrency)).toEqual([1, 1, 1]);
  });
});
