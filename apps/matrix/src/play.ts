/**
 * Plays the selected cases against one server until they are done or the run is interrupted. On an
 * interrupt it returns at once, without waiting for the cases in flight (their server is being stopped):
 * the cases that finished before the signal are kept, the rest are listed as interrupted, never judged.
 */
import { compareCaseIds, type CaseDef } from '@wsmatrix/cases';
import { isTargetDown, runSuite, type CaseResult } from '@wsmatrix/runner';
import { InterruptedError, raceAbort } from './interrupt.js';

export interface PlayOptions {
  agent: string;
  url: string;
  cases: readonly CaseDef[];
  concurrency?: number | undefined;
  userAgent: string;
  /** AutobahnPython's failByDrop for this server (a spec's options). */
  failByDrop?: boolean | undefined;
  /** Each case that finishes before any interrupt. */
  onResult?: (result: CaseResult) => void;
  signal: AbortSignal;
}

export interface PlayOutcome {
  /** The cases played to the end before any interrupt, in case order (rows of a dead server included). */
  results: CaseResult[];
  /** Ids of the selected cases that did not finish because the run was interrupted, in case order. */
  interrupted: string[];
  /** Why the server could not be reached, when it could not. */
  unreachable: string | null;
}

export async function playServer(options: PlayOptions): Promise<PlayOutcome> {
  const { signal } = options;
  const finished: CaseResult[] = [];
  const unfinished = (): string[] => {
    const done = new Set(finished.map((r) => r.id));
    return options.cases
      .map((c) => c.id)
      .filter((id) => !done.has(id))
      .sort(compareCaseIds);
  };
  if (signal.aborted) return { results: [], interrupted: unfinished(), unreachable: null };
  const suite = runSuite({
    url: options.url,
    agent: options.agent,
    cases: options.cases,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    userAgent: options.userAgent,
    ...(options.failByDrop !== undefined ? { failByDrop: options.failByDrop } : {}),
    // No case starts after the interrupt; those in flight are not waited for (raceAbort below).
    signal,
    onResult: (r) => {
      // A case ending after the interrupt ended because its server was stopped: no verdict.
      if (signal.aborted) return;
      finished.push(r);
      options.onResult?.(r);
    },
  });
  try {
    const done = await raceAbort(suite, signal);
    return { results: done.results, interrupted: [], unreachable: done.unreachable };
  } catch (err) {
    if (!(err instanceof InterruptedError)) throw err;
    const results = [...finished].sort((a, b) => compareCaseIds(a.id, b.id));
    // A server that was already down before the signal stays reported as down.
    const unreachable = results.find(isTargetDown)?.connectFailure?.message ?? null;
    return { results, interrupted: unfinished(), unreachable };
  }
}
