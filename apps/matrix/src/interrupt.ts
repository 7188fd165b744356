/**
 * Stopping on a signal. The first SIGINT, SIGTERM or SIGHUP aborts the command's AbortSignal (its reason
 * is the signal's name) and stops every child process at once (see stopLiveChildren in @wsmatrix/targets);
 * the command then writes what it finished and returns. A second signal exits at once.
 */
import { constants } from 'node:os';
import { killLiveChildren, stopLiveChildren } from '@wsmatrix/targets';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** How long a child gets to end on SIGTERM before it is killed. */
export const CHILD_GRACE_MS = 1000;
/** After the first signal, the command gets this long to write what it finished before the process exits anyway. */
export const WRITE_GRACE_MS = 30_000;

/** The shell's convention: 128 + the signal's number (130 for SIGINT). */
export function exitCodeForSignal(signal: string): number {
  const number = (constants.signals as Record<string, number | undefined>)[signal];
  return 128 + (number ?? 2);
}

/** The name of the signal that aborted `signal`, or undefined while it has not been aborted. */
export function interruptedBy(signal: AbortSignal): string | undefined {
  if (!signal.aborted) return undefined;
  return typeof signal.reason === 'string' ? signal.reason : 'SIGINT';
}

/** Thrown by raceAbort when the signal wins. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(readonly signalName: string) {
    super(`interrupted by ${signalName}`);
  }
}

/** Settles like `work`, or rejects with InterruptedError as soon as `signal` aborts (work is left running). */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(new InterruptedError(interruptedBy(signal)!));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      work.catch(() => {});
      reject(new InterruptedError(interruptedBy(signal)!));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export interface StopSignals {
  /** Aborted by the first signal, with the signal's name as reason. */
  signal: AbortSignal;
  /** Resolves once the children have been stopped (at once when no signal came). */
  childrenStopped(): Promise<void>;
  /** Removes the handlers (after the command returned without a signal). */
  dispose(): void;
}

export interface StopSignalHooks {
  /** Says what is happening (one line, above any progress line). */
  notice(text: string): void;
  /** Ends the process with this code (process.exit in the CLI). */
  exit(code: number): void;
}

/** Installs the handlers for SIGINT, SIGTERM and SIGHUP. */
export function installStopSignals(hooks: StopSignalHooks): StopSignals {
  const controller = new AbortController();
  let stopping: Promise<void> = Promise.resolve();
  let deadline: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      hooks.notice(`wsmatrix: ${signal} again: exiting now\n`);
      killLiveChildren();
      hooks.exit(exitCodeForSignal(interruptedBy(controller.signal)!));
      return;
    }
    hooks.notice(
      `wsmatrix: ${signal}: stopping (${signal === 'SIGINT' ? 'Ctrl-C' : 'a signal'} again exits at once)\n`,
    );
    controller.abort(signal);
    stopping = stopLiveChildren(CHILD_GRACE_MS);
    // Whatever the command is waiting on, the process ends in bounded time.
    deadline = setTimeout(() => {
      killLiveChildren();
      hooks.exit(exitCodeForSignal(signal));
    }, WRITE_GRACE_MS).unref();
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  return {
    signal: controller.signal,
    childrenStopped: () => stopping,
    dispose() {
      clearTimeout(deadline);
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
    },
  };
}
