/**
 * A server that dies during a column (an uncaught exception on one odd request, a crash) would leave every
 * later case "target down", and the column would say nothing about them. So the matrix starts it again and
 * plays the cases it never reached on the new process, a few times at most; the cases that were in flight when
 * it died keep the verdicts their bytes gave (the connection ended without a close), and the column says so.
 */
import { compareCaseIds } from '@wsmatrix/cases';
import { isTargetDown } from '@wsmatrix/runner';
import type { RunningTarget } from '@wsmatrix/targets';
import type { PlayOptions, PlayOutcome } from './play.js';
import { playRepeated } from './play-repeated.js';

/** A server that died more often than this is left down: it is not one odd request. */
export const MAX_RESTARTS = 3;

/** One death of the server and what was done about it. */
export interface ServerRestart {
  /** Why the runner could not reach it. */
  unreachable: string;
  /** The last line the dead process wrote, when it ran as one and said something. */
  lastWords?: string;
  /** The cases it had not reached, played again on the new process. */
  replayed: number;
}

export interface RestartingOutcome {
  outcome: PlayOutcome;
  /** The process serving at the end (the first one when it never died). */
  running: RunningTarget;
  restarts: ServerRestart[];
}

/** Lines that name what went wrong, in the languages our targets are written in. */
const ERROR_LINE = /error|exception|panic|fatal|abort|segmentation|traceback/i;

/**
 * What a process last said about its death, for the targets that keep their output: the last line naming an
 * error (a runtime's own last words, such as its version line, follow the one that matters), else the last line.
 */
function lastWordsOf(running: RunningTarget): string | undefined {
  const lines = (running as { output?: () => string })
    .output?.()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines?.findLast((l) => ERROR_LINE.test(l) && !l.startsWith('at ')) ?? lines?.at(-1);
  return line === undefined ? undefined : line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

/**
 * Plays `options.cases` against `first`; each time the server stops answering, closes what is left of it, starts
 * it again with `restart` and plays the cases it never reached. `onRestart` sees each restart before its cases.
 */
export async function playRestarting(
  repeat: number,
  first: RunningTarget,
  restart: () => Promise<RunningTarget>,
  options: Omit<PlayOptions, 'url'>,
  onRestart?: (r: ServerRestart) => void,
): Promise<RestartingOutcome> {
  let running = first;
  let outcome = await playRepeated(repeat, { ...options, url: running.url });
  const restarts: ServerRestart[] = [];
  while (outcome.unreachable !== null && restarts.length < MAX_RESTARTS && !options.signal.aborted) {
    const down = new Set(outcome.results.filter(isTargetDown).map((r) => r.id));
    if (down.size === 0) break;
    const lastWords = lastWordsOf(running);
    await running.close().catch(() => {});
    let next: RunningTarget;
    try {
      next = await restart();
    } catch {
      break; // it does not start again: the column stays down, as it was
    }
    running = next;
    const r: ServerRestart = {
      unreachable: outcome.unreachable,
      ...(lastWords !== undefined ? { lastWords } : {}),
      replayed: down.size,
    };
    restarts.push(r);
    onRestart?.(r);
    const again = await playRepeated(repeat, {
      ...options,
      url: running.url,
      cases: options.cases.filter((c) => down.has(c.id)),
    });
    outcome = {
      results: [...outcome.results.filter((x) => !down.has(x.id)), ...again.results].sort((a, b) =>
        compareCaseIds(a.id, b.id),
      ),
      interrupted: [...outcome.interrupted, ...again.interrupted].sort(compareCaseIds),
      unreachable: again.unreachable,
    };
  }
  return { outcome, running, restarts };
}
