/**
 * A server that dies during a column (an uncaught exception on one odd request, a crash) would leave every
 * later case "target down", and the column would say nothing about them. So the matrix starts it again and
 * plays the cases it never reached on the new process, a few times at most. The cases whose connection the
 * server dropped in the pass where it died may have been in flight when it died, not dropped for their own
 * sake: they are played again first, one at a time, so a death during one of them is that case's own (it keeps
 * the verdict of what it saw) and the others get the verdict the living server gives them.
 */
import { connect } from 'node:net';
import { compareCaseIds } from '@wsmatrix/cases';
import { isTargetDown, type CaseResult } from '@wsmatrix/runner';
import type { RunningTarget } from '@wsmatrix/targets';
import type { PlayOptions, PlayOutcome } from './play.js';
import { playRepeated } from './play-repeated.js';

/** A server that died more often than this is left down: it is not one odd request. */
export const MAX_RESTARTS = 3;
/** Deaths while suspects are replayed one at a time: each is a case's own, so more are allowed. */
const MAX_ATTRIBUTED_RESTARTS = 10;

/** One death of the server and what was done about it. */
export interface ServerRestart {
  /** Why the runner could not reach it. */
  unreachable: string;
  /** The last line the dead process wrote, when it ran as one and said something. */
  lastWords?: string;
  /** The cases it had not reached, and those whose connection it dropped in that pass, played again. */
  replayed: number;
  /** The case that was playing, alone, when it died: a death of its own. */
  culprit?: string;
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

/** Whether anything still accepts TCP connections where the server listened. */
function acceptsConnections(running: RunningTarget): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(running.port, running.host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** How many times, and how far apart, a server that just dropped a connection is asked whether it still serves. */
const ALIVE_CHECKS = 3;
const ALIVE_CHECK_GAP_MS = 100;

/**
 * Whether the server still serves after it dropped a connection. A process that is dying may still have its
 * listening socket for a moment, so it is asked a few times: its exit (where the target reports its CPU, null
 * once the process is gone) or a refused connection says it died.
 */
async function stillServing(running: RunningTarget): Promise<boolean> {
  for (let check = 0; check < ALIVE_CHECKS; check++) {
    if (check > 0) await new Promise((r) => setTimeout(r, ALIVE_CHECK_GAP_MS));
    if (running.cpuTime !== undefined && running.cpuTime() === null) return false;
    if (!(await acceptsConnections(running))) return false;
  }
  return true;
}

/** The server ended the connection without a closing handshake: maybe its own verdict, maybe its death. */
function droppedByServer(r: CaseResult): boolean {
  return !isTargetDown(r) && !r.wasClean && !r.droppedByMe;
}

function byId(a: CaseResult, b: CaseResult): number {
  return compareCaseIds(a.id, b.id);
}

/**
 * Plays `options.cases` against `first`; each time the server stops answering, closes what is left of it, starts
 * it again with `restart`, plays the cases it dropped in that pass one at a time, then the cases it never
 * reached. `onRestart` sees each restart.
 */
export async function playRestarting(
  repeat: number,
  first: RunningTarget,
  restart: () => Promise<RunningTarget>,
  options: Omit<PlayOptions, 'url'>,
  onRestart?: (r: ServerRestart) => void,
): Promise<RestartingOutcome> {
  let running = first;
  const restarts: ServerRestart[] = [];
  const byCase = new Map<string, CaseResult>();
  const interrupted: string[] = [];
  const casesOf = (ids: ReadonlySet<string>) => options.cases.filter((c) => ids.has(c.id));
  let unreachable: string | null = null;
  /** Starts the server again after a death; false when it may not or cannot be. */
  const revive = async (r: Omit<ServerRestart, 'lastWords'>, budget: number): Promise<boolean> => {
    if (restarts.length >= budget || options.signal.aborted) return false;
    const lastWords = lastWordsOf(running);
    await running.close().catch(() => {});
    try {
      running = await restart();
    } catch {
      return false; // it does not start again: the column stays down, as it was
    }
    const restarted: ServerRestart = { ...r, ...(lastWords !== undefined ? { lastWords } : {}) };
    restarts.push(restarted);
    onRestart?.(restarted);
    return true;
  };
  const play = async (cases: PlayOptions['cases'], concurrency?: number) => {
    const o = await playRepeated(repeat, {
      ...options,
      ...(concurrency !== undefined ? { concurrency } : {}),
      url: running.url,
      cases,
    });
    interrupted.push(...o.interrupted);
    return o;
  };

  let pass = await play(options.cases);
  for (;;) {
    for (const r of pass.results) byCase.set(r.id, r);
    unreachable = pass.unreachable;
    const down = new Set(pass.results.filter(isTargetDown).map((r) => r.id));
    const suspects = new Set(pass.results.filter(droppedByServer).map((r) => r.id));
    // A server that died after every case had connected leaves no case "target down": ask it directly.
    const died = unreachable !== null ? down.size > 0 : suspects.size > 0 && !(await acceptsConnections(running));
    if (!died) break;
    const why = unreachable ?? `it stopped accepting connections on ${running.host}:${running.port}`;
    if (!(await revive({ unreachable: why, replayed: down.size + suspects.size }, MAX_RESTARTS))) {
      unreachable = why;
      break;
    }
    // The suspects one at a time: one after which the server no longer accepts connections killed it.
    const queue = casesOf(suspects);
    while (queue.length > 0 && !options.signal.aborted) {
      const suspect = queue.shift()!;
      const alone = await play([suspect], 1);
      const result = alone.results[0];
      if (result === undefined) break; // interrupted
      if (isTargetDown(result)) {
        // Gone before this case could connect (it died on its own): start it again and play this one there.
        queue.unshift(suspect);
        const why = alone.unreachable ?? 'stopped answering';
        if (await revive({ unreachable: why, replayed: queue.length }, MAX_ATTRIBUTED_RESTARTS)) continue;
        for (const c of queue) down.add(c.id);
        break;
      }
      byCase.set(suspect.id, result);
      if (!droppedByServer(result) || (await stillServing(running))) continue;
      const why = `it stopped accepting connections on ${running.host}:${running.port}`;
      const restarted = await revive(
        { unreachable: why, replayed: queue.length, culprit: suspect.id },
        MAX_ATTRIBUTED_RESTARTS,
      );
      if (!restarted) {
        for (const c of queue) down.add(c.id);
        break;
      }
    }
    pass = await play(casesOf(down));
  }
  const results = [...byCase.values()].sort(byId);
  return {
    outcome: { results, interrupted: [...new Set(interrupted)].sort(compareCaseIds), unreachable },
    running,
    restarts,
  };
}
