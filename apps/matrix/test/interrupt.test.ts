import { afterEach, describe, expect, it } from 'vitest';
import {
  exitCodeForSignal,
  installStopSignals,
  InterruptedError,
  interruptedBy,
  raceAbort,
  type StopSignals,
} from '../src/interrupt.js';

describe('stop signals', () => {
  let installed: StopSignals | undefined;
  afterEach(() => installed?.dispose());

  function install() {
    const notices: string[] = [];
    const exits: number[] = [];
    installed = installStopSignals({ notice: (t) => void notices.push(t), exit: (c) => void exits.push(c) });
    return { signal: installed.signal, notices, exits };
  }

  // process.emit runs the handlers as a delivered signal would, without signalling the test runner.
  it('the first signal aborts with its name; a second one exits at once with 128 + the first signal', () => {
    const { signal, notices, exits } = install();
    process.emit('SIGTERM', 'SIGTERM');
    expect(signal.aborted).toBe(true);
    expect(interruptedBy(signal)).toBe('SIGTERM');
    expect(exits).toEqual([]);
    expect(notices).toEqual(['wsmatrix: SIGTERM: stopping (a signal again exits at once)\n']);
    process.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([143]);
    expect(notices[1]).toBe('wsmatrix: SIGINT again: exiting now\n');
  });

  it('SIGHUP is a stop signal too; dispose removes the handlers', () => {
    const listeners = process.listenerCount('SIGHUP');
    const { signal } = install();
    expect(process.listenerCount('SIGHUP')).toBe(listeners + 1);
    process.emit('SIGHUP', 'SIGHUP');
    expect(interruptedBy(signal)).toBe('SIGHUP');
    installed!.dispose();
    installed = undefined;
    expect(process.listenerCount('SIGHUP')).toBe(listeners);
  });

  it('exit codes follow the shell: 128 + the signal number', () => {
    expect(exitCodeForSignal('SIGINT')).toBe(130);
    expect(exitCodeForSignal('SIGTERM')).toBe(143);
    expect(exitCodeForSignal('SIGHUP')).toBe(129);
  });
});

describe('raceAbort', () => {
  it('settles like the work when no signal comes', async () => {
    const controller = new AbortController();
    await expect(raceAbort(Promise.resolve(7), controller.signal)).resolves.toBe(7);
    await expect(raceAbort(Promise.reject(new Error('no')), controller.signal)).rejects.toThrow('no');
  });

  it('rejects with InterruptedError as soon as the signal aborts, without waiting for the work', async () => {
    const controller = new AbortController();
    const never = new Promise<number>(() => {});
    const raced = raceAbort(never, controller.signal);
    controller.abort('SIGINT');
    await expect(raced).rejects.toBeInstanceOf(InterruptedError);
    await expect(raceAbort(never, controller.signal)).rejects.toThrow('interrupted by SIGINT');
  });
});
