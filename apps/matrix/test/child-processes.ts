/**
 * The CLI as a real process, for tests that send it real signals: its output as it comes, its exit, and
 * the processes it started (found through /proc, whatever process group they lead).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/wsmatrix.js', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves once the combined output matches `pattern` (rejects if the CLI exits first). */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or the signal's name) once the CLI has exited. */
  exited: Promise<number | string>;
}

export function startCli(args: readonly string[], cwd?: string, env?: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}), ...(env ? { env } : {}) });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const check = (): void => waiters.forEach((w) => w());
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    check();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    check();
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const waiter = (): void => {
          const match = pattern.exec(`${out}\n${err}`);
          if (!match) return;
          waiters.delete(waiter);
          resolve(match);
        };
        waiters.add(waiter);
        waiter();
        void exited.then((code) => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          reject(new Error(`CLI exited (${code}) before printing ${pattern}:\n${out}\n${err}`));
        });
      });
    },
  };
}

/** Parent pid of every process we can see. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name is in parentheses and may hold spaces: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      map.set(Number(entry), Number(fields[1]));
    } catch {
      // exited while we looked
    }
  }
  return map;
}

/** Every process descending from `pid` (children, grandchildren, …), whatever process group they lead. */
export function descendants(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const [child, parent] of parents()) byParent.set(parent, [...(byParent.get(parent) ?? []), child]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The command line of a process ('' once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/**
 * The pids of `pids` still alive once each has had the chance to go: polled until none is left or the
 * safety net runs out (a test's verdict comes from the pids, not from the time it took).
 */
export async function survivors(pids: readonly number[], safetyNetMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + safetyNetMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    alive = alive.filter(isAlive);
  }
  return alive.map((pid) => `${pid} ${commandLine(pid)}`);
}
