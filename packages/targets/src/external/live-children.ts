/**
 * Every child process this Node process started and that has not exited yet: external targets (each the
 * leader of its own process group, which a terminal's Ctrl-C does not reach) and the benchmark's servers,
 * load generators and probes. On an interrupt the CLI stops them all with stopLiveChildren(); whatever
 * else ends the process, the exit hook kills those left, so no child outlives its parent.
 *
 * After stopLiveChildren() the registry stays closed: a child started later (by code still unwinding
 * from the interrupt) is stopped as soon as it is tracked.
 */
import type { ChildProcess } from 'node:child_process';

interface LiveChild {
  pid: number;
  /** The child leads its own process group: signals go to the whole group (-pid). */
  group: boolean;
  /**
   * The signal that ends it at once when we cannot wait (forced exit, process exit). A group is killed;
   * a child that stops its own children on SIGTERM (the bench's server process) is asked, since a kill
   * would orphan them.
   */
  forceSignal: NodeJS.Signals;
  exited: Promise<void>;
}

const live = new Map<number, LiveChild>();
let closed = false;
let exitHookInstalled = false;

function send(child: Pick<LiveChild, 'pid' | 'group'>, signal: NodeJS.Signals): void {
  try {
    process.kill(child.group ? -child.pid : child.pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => killLiveChildren());
}

export interface TrackOptions {
  /** The child was spawned detached and leads its own process group. */
  group: boolean;
  /** Signal for an immediate end (see LiveChild.forceSignal); default SIGKILL. */
  forceSignal?: NodeJS.Signals;
}

/** Registers a spawned child until it exits. */
export function trackChild(child: ChildProcess, options: TrackOptions): void {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    const done = (): void => {
      if (live.get(pid)?.exited === exited) live.delete(pid);
      resolve();
    };
    child.once('exit', done);
    child.once('error', done);
  });
  const entry: LiveChild = { pid, group: options.group, forceSignal: options.forceSignal ?? 'SIGKILL', exited };
  live.set(pid, entry);
  installExitHook();
  if (closed) void stopChildren([entry], 0);
}

/** The pids of the children still running (group leaders included). */
export function liveChildPids(): number[] {
  return [...live.keys()];
}

/** Ends every child now, without waiting (the forced exit, the exit hook). */
export function killLiveChildren(): void {
  closed = true;
  for (const child of live.values()) send(child, child.forceSignal);
}

async function stopChildren(children: readonly LiveChild[], graceMs: number): Promise<void> {
  for (const child of children) send(child, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([Promise.all(children.map((c) => c.exited)), graceOver]);
  clearTimeout(timer);
  for (const child of children) {
    if (live.get(child.pid) === child) send(child, 'SIGKILL');
    // Members of a group that outlived their leader (forked handlers). Linux does not reuse a pid while a
    // process group of that id still has members, so this cannot reach a stranger.
    else if (child.group) send(child, 'SIGKILL');
  }
  await Promise.all(children.map((c) => c.exited));
}

/**
 * SIGTERM to every child, SIGKILL to those still running after `graceMs`; resolves once all have exited.
 * Closes the registry: children tracked from now on are stopped at once.
 */
export function stopLiveChildren(graceMs: number): Promise<void> {
  closed = true;
  return stopChildren([...live.values()], graceMs);
}
