/**
 * The CLI as a real process, for tests that send it real signals: its output as it comes and its exit.
 * What became of the processes it started: @wsmatrix/targets/testing (descendants, survivors).
 */
import { spawn, type ChildProcess } from 'node:child_process';
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
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd ? { cwd } : {}),
    ...(env ? { env } : {}),
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const check = (): void => {
    for (const w of waiters) w();
  };
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    check();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    check();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
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
