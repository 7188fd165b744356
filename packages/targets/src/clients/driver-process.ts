/**
 * Runs one client driver as the leader of its own process group (the external targets' machinery: the
 * live-children registry stops it on an interrupt, and the exit hook if the harness dies first), splits
 * what it writes into lines, keeps the tail of its stderr, and stops the whole group on abort.
 */
import { describeExit, groupGone, killGroup, spawnGroup, tail } from '../external/process-group.js';
import { TargetUnavailableError } from '../external/unavailable.js';
import { lineSplitter } from '../line-splitter.js';
import type { DriveOptions, DriveResult } from './types.js';

const STDERR_TAIL_BYTES = 8 * 1024;
/** After SIGTERM on abort, how long the driver may take to exit before SIGKILL. */
const STOP_GRACE_MS = 2_000;
/** How long to wait for members of the group to be gone after the sweep. */
const GROUP_GONE_WAIT_MS = 1_000;
/** How long to wait for the last output to be read from the pipes once the group is gone. */
const OUTPUT_SETTLE_MS = 1_000;

/**
 * Spawns `argv` in `cwd` and resolves once it has exited and its process group is empty. `target` names the
 * client in the TargetUnavailableError thrown when the command does not exist.
 */
export async function runDriver(
  target: string,
  argv: readonly string[],
  cwd: string,
  { signal, onLine }: Pick<DriveOptions, 'signal' | 'onLine'>,
): Promise<DriveResult> {
  signal?.throwIfAborted();
  const stderr = tail(STDERR_TAIL_BYTES);
  const lines = {
    stdout: lineSplitter((line) => onLine?.(line, 'stdout')),
    stderr: lineSplitter((line) => onLine?.(line, 'stderr')),
  };
  const driver = spawnGroup(argv, cwd, (stream, chunk) => {
    if (stream === 'stderr') stderr.push(chunk);
    lines[stream].push(chunk);
  });

  let stopping: Promise<void> | undefined;
  const stop = (): void => {
    if (driver.exitSignal.aborted) return; // it exited on its own just before the abort
    stopping ??= driver.terminate(STOP_GRACE_MS);
  };
  signal?.addEventListener('abort', stop, { once: true });
  const exit = await driver.exited;
  signal?.removeEventListener('abort', stop);
  await stopping;
  if (driver.pid > 0 && !exit.error) {
    // Members the leader left behind (a script's background job) go with it. Right after the leader's exit
    // this reaches no stranger: Linux does not reuse a pid while a process group of that id has members.
    killGroup(driver.pid, 'SIGKILL');
    await groupGone(driver.pid, GROUP_GONE_WAIT_MS);
  }
  await driver.outputEnded(OUTPUT_SETTLE_MS);
  lines.stdout.flush();
  lines.stderr.flush();

  if (exit.error) {
    if (exit.error.code === 'ENOENT') throw new TargetUnavailableError(target, `${argv[0]} not found`);
    throw new Error(`client "${target}": cannot start ${argv[0]}: ${describeExit(exit)}`);
  }
  return {
    pid: driver.pid,
    exitCode: exit.code,
    signal: exit.signal,
    aborted: stopping !== undefined,
    stderrTail: stderr.text(),
  };
}
