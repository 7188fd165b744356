import { spawn } from 'node:child_process';
import { trackChild } from './live-children.js';

/** How a server process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all (e.g. ENOENT). */
  error?: NodeJS.ErrnoException;
}

/** A server running as the leader of its own process group (so its forked children go with it). */
export interface GroupProcess {
  readonly pid: number;
  /** Resolves when the leader has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** Aborted, with a descriptive Error as reason, when the leader exits. */
  readonly exitSignal: AbortSignal;
  /** The last bytes the process wrote to stdout and stderr, for error messages. */
  output(): string;
  /** Resolves once stdout and stderr have ended (or after `timeoutMs`), so output() is complete. */
  outputEnded(timeoutMs: number): Promise<void>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader is gone. */
  terminate(graceMs: number): Promise<void>;
}

const OUTPUT_TAIL_BYTES = 16 * 1024;
const GROUP_EXIT_WAIT_MS = 1000;

export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Signals are delivered asynchronously: members may still be exiting after kill() returns.
 * Waits (bounded: an unreaped zombie also counts as a member) until none is left.
 */
export async function groupGone(pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupExists(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

export function describeExit(info: ExitInfo): string {
  if (info.error) return info.error.code === 'ENOENT' ? 'command not found' : info.error.message;
  return info.signal ? `killed by ${info.signal}` : `exited with code ${info.code}`;
}

/** Keeps the last `limit` bytes written to a stream. */
export function tail(limit: number): { push(chunk: Buffer): void; text(): string } {
  let chunks: Buffer[] = [];
  let size = 0;
  return {
    push(chunk) {
      chunks.push(chunk);
      size += chunk.length;
      while (size - chunks[0]!.length >= limit) size -= chunks.shift()!.length;
    },
    text() {
      const all = Buffer.concat(chunks);
      chunks = [all];
      return all.subarray(Math.max(0, all.length - limit)).toString('utf8');
    },
  };
}

/** Sees every chunk the process writes, as it arrives (a client driver's progress lines). */
export type OutputListener = (stream: 'stdout' | 'stderr', chunk: Buffer) => void;

export interface SpawnGroupOptions {
  /**
   * Keep a pipe on the process's stdin that is never written: the process sees it end when we exit,
   * however we exit (SIGKILL included, which no exit hook survives). For processes that watch for it.
   */
  lifeline?: boolean;
}

/** Spawns argv (no shell) as a new process group with stdout/stderr captured. */
export function spawnGroup(
  argv: readonly string[],
  cwd: string,
  onOutput?: OutputListener,
  options: SpawnGroupOptions = {},
): GroupProcess {
  const [file, ...args] = argv as [string, ...string[]];
  // detached: setsid(), so the server leads a new process group whose id is its pid.
  const child = options.lifeline
    ? spawn(file, args, { cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(file, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // Never written: an EPIPE once the process has exited is no error of ours.
  child.stdin?.on('error', () => {});
  const captured = tail(OUTPUT_TAIL_BYTES);
  child.stdout.on('data', (c: Buffer) => {
    captured.push(c);
    onOutput?.('stdout', c);
  });
  child.stderr.on('data', (c: Buffer) => {
    captured.push(c);
    onOutput?.('stderr', c);
  });

  const streamsEnded = Promise.all(
    [child.stdout, child.stderr].map((s) => new Promise<void>((r) => s.once('close', () => r()))),
  );

  const controller = new AbortController();
  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    const finish = (info: ExitInfo): void => {
      if (exitInfo) return;
      exitInfo = info;
      controller.abort(new Error(describeExit(info)));
      resolve(info);
    };
    child.once('error', (error: NodeJS.ErrnoException) => finish({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => finish({ code, signal }));
  });

  const pid = child.pid ?? -1;
  // Stopped with every other child on an interrupt, and killed if this process exits first.
  trackChild(child, { group: true });

  return {
    pid,
    exited,
    exitSignal: controller.signal,
    output: () => captured.text(),
    async outputEnded(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([streamsEnded, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
    },
    async terminate(graceMs) {
      // Already gone on its own: do not signal a group id that may since have been reused.
      if (pid <= 0 || exitInfo) return;
      killGroup(pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
      const outcome = await Promise.race([exited, graceOver]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        killGroup(pid, 'SIGKILL');
        await exited;
      }
      // Sweep members that outlived the leader (e.g. forked connection handlers). Safe right
      // after the leader's exit: Linux does not reuse a pid while it names a live process group.
      killGroup(pid, 'SIGKILL');
      await groupGone(pid, GROUP_EXIT_WAIT_MS);
    },
  };
}
