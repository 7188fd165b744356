/**
 * How a run orders its cases: the ordinary ones concurrently, the CPU-bound ones (12.x/13.x) one per core,
 * the timing ones (9.x) one at a time at the end. The server run (suite.ts) plays these phases, and the
 * fuzzingserver hands the same phases to a client driver that asks for them (/getCasePlan), so a client run
 * is scheduled as a server run is.
 */
import { availableParallelism } from 'node:os';
import { compareCaseIds, type CaseDef } from '@wsmatrix/cases';
import { caseCost } from './shards.js';

/** Cases spend most of their time waiting on timers, so many overlap per core. */
export function defaultConcurrency(): number {
  return Math.max(8, Math.min(64, availableParallelism() * 16));
}

/** Group 9 measures timing: those cases run one at a time with nothing else in flight. */
export function runsAlone(def: CaseDef): boolean {
  return def.echoTiming !== undefined || def.id.startsWith('9.');
}

/**
 * Groups 12/13 are CPU-bound (1000 messages compressed and inflated on both ends) and have time limits
 * from 60 s: they run in their own phase, a few at a time, so they never starve each other.
 */
export function isCpuBound(def: CaseDef): boolean {
  return def.compressedEcho !== undefined;
}

/**
 * Four per core: a compression case is a ping-pong (the next message leaves when the echo is back), so one case
 * keeps at most one side busy at a time; with several per core the runner and the server both have work while
 * the other side is busy. More in flight stretches each case towards its time limit for little gain.
 */
export function cpuBoundConcurrency(): number {
  return Math.max(2, 4 * availableParallelism());
}

/** One phase of a run: positions in the case list in the order to start them, and how many may be in flight. */
export interface CasePhase {
  indices: number[];
  concurrency: number;
}

/**
 * The phases a run plays one after the other: ordinary cases (`concurrency` at once, default
 * defaultConcurrency()), then the CPU-bound ones (longest first, cpuBoundConcurrency() at once), then the timing
 * ones alone.
 * A phase with no case is left out.
 */
export function casePhases(cases: readonly CaseDef[], concurrency = defaultConcurrency()): CasePhase[] {
  const byId = cases.map((_, i) => i).sort((a, b) => compareCaseIds(cases[a]!.id, cases[b]!.id));
  const ordinary: number[] = [];
  const cpuBound: number[] = [];
  const alone: number[] = [];
  for (const i of byId) {
    const def = cases[i]!;
    (runsAlone(def) ? alone : isCpuBound(def) ? cpuBound : ordinary).push(i);
  }
  // The longest compression cases start first, so the phase does not end waiting on one that started last.
  cpuBound.sort((a, b) => caseCost(cases[b]!) - caseCost(cases[a]!) || compareCaseIds(cases[a]!.id, cases[b]!.id));
  const phases: CasePhase[] = [
    { indices: ordinary, concurrency },
    { indices: cpuBound, concurrency: Math.min(concurrency, cpuBoundConcurrency()) },
    { indices: alone, concurrency: 1 },
  ];
  return phases.filter((phase) => phase.indices.length > 0);
}
