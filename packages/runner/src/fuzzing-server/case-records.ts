/**
 * The fuzzingserver's results, per agent and case id, kept in memory until /updateReports writes them. A
 * later run of the same case for the same agent replaces the earlier one, as in Autobahn. /getCaseStatus
 * asks here: a finished case answers at once, a case being played answers once it ends.
 */
import type { CaseResult } from '../result.js';

export type CaseStatus =
  | { state: 'finished'; result: CaseResult }
  /** Resolves with the run's result, or null when the run ended without one. */
  | { state: 'running'; result: Promise<CaseResult | null> }
  | { state: 'not-run' };

interface RunsInFlight {
  count: number;
  waiters: Array<(result: CaseResult | null) => void>;
}

export class CaseRecords {
  private readonly byAgent = new Map<string, Map<string, CaseResult>>();
  private readonly inFlight = new Map<string, RunsInFlight>();

  private static key(agent: string, caseId: string): string {
    return JSON.stringify([agent, caseId]);
  }

  /** A run of `caseId` for `agent` starts; end it with `finish` (with its result, or null). */
  start(agent: string, caseId: string): void {
    const key = CaseRecords.key(agent, caseId);
    const runs = this.inFlight.get(key);
    if (runs) runs.count++;
    else this.inFlight.set(key, { count: 1, waiters: [] });
  }

  /** A run ends: its result is kept, and whoever waits for this case's status is answered. */
  finish(agent: string, caseId: string, result: CaseResult | null): void {
    if (result) {
      const cases = this.byAgent.get(agent) ?? new Map<string, CaseResult>();
      this.byAgent.set(agent, cases);
      cases.set(caseId, result);
    }
    const key = CaseRecords.key(agent, caseId);
    const runs = this.inFlight.get(key);
    if (!runs) return;
    runs.count--;
    const waiters = runs.waiters;
    runs.waiters = [];
    if (runs.count === 0) this.inFlight.delete(key);
    for (const answer of waiters) answer(result ?? this.byAgent.get(agent)?.get(caseId) ?? null);
  }

  /** Whether the case has been played (or is being played) for the agent. */
  known(agent: string, caseId: string): boolean {
    return this.inFlight.has(CaseRecords.key(agent, caseId)) || this.byAgent.get(agent)?.has(caseId) === true;
  }

  /** A run in flight is waited for, so a driver that asks right after its runCase closed gets that run. */
  status(agent: string, caseId: string): CaseStatus {
    const runs = this.inFlight.get(CaseRecords.key(agent, caseId));
    if (runs) return { state: 'running', result: new Promise((resolve) => runs.waiters.push(resolve)) };
    const result = this.byAgent.get(agent)?.get(caseId);
    return result ? { state: 'finished', result } : { state: 'not-run' };
  }

  /** Every kept result, by agent (the form the report writers take). */
  snapshot(): Map<string, CaseResult[]> {
    return new Map([...this.byAgent].map(([agent, cases]) => [agent, [...cases.values()]]));
  }
}
