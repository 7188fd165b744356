/**
 * Plays one server's cases `repeat` times (`--repeat N`), a whole pass after the other so each pass is
 * scheduled as a single run is, and folds each case's runs into one result (repeats.ts). After an
 * interrupt, a case keeps the runs it finished; one with none is reported as interrupted. A server that
 * could not be reached is not tried again.
 */
import { compareCaseIds } from '@wsmatrix/cases';
import type { CaseResult } from '@wsmatrix/runner';
import { playServer, type PlayOptions, type PlayOutcome } from './play.js';
import { RepeatTally } from './repeats.js';

export async function playRepeated(repeat: number, options: PlayOptions): Promise<PlayOutcome> {
  if (repeat <= 1) return playServer(options);
  const tally = new RepeatTally();
  let last: PlayOutcome | null = null;
  for (let pass = 0; pass < repeat; pass++) {
    if (pass > 0 && options.signal.aborted) break;
    last = await playServer(options);
    for (const r of last.results) tally.add(r);
    if (last.unreachable !== null || last.interrupted.length > 0) break;
  }
  const results: CaseResult[] = [];
  const interrupted: string[] = [];
  for (const id of options.cases.map((c) => c.id).sort(compareCaseIds)) {
    const r = tally.result(options.agent, id);
    if (r === undefined) interrupted.push(id);
    else results.push(r);
  }
  return { results, interrupted: options.signal.aborted ? interrupted : [], unreachable: last!.unreachable };
}
