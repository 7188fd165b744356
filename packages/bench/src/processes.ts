/**
 * Starting the server and client processes, under `taskset -c CPUS` when pinned (taskset execs node, so
 * the pid we get is node's own). Runtime 'dist': the compiled entries in this package's dist/ with plain
 * node, our code measured as deployed, like ws and uWS; 'tsx': the TypeScript sources through tsx, with
 * the other workspace packages' sources too (inside the repository only: src/ is not published).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { trackChild } from '@wsmatrix/targets';
import type { JobResult, RunJobOptions } from './load/run-job.js';
import type { LoadJob } from './load/types.js';
import { allocatorEnv, type MallocMode } from './allocator.js';
import { ipcRequester, stderrText, stopChild } from './ipc-child.js';

export const PROCESS_RUNTIMES = ['dist', 'tsx'] as const;
export type ProcessRuntime = (typeof PROCESS_RUNTIMES)[number];

/**
 * This package's folder, found from this module whether it runs as src/processes.ts or dist/processes.js;
 * children run from here, so `--import tsx` resolves through its node_modules.
 */
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A process entry's file for `runtime`, and the node flags it needs. */
export function processEntry(name: string, runtime: ProcessRuntime): { file: string; nodeFlags: string[] } {
  if (runtime === 'dist') return { file: join(PACKAGE_DIR, 'dist', `${name}.js`), nodeFlags: [] };
  return {
    file: join(PACKAGE_DIR, 'src', `${name}.ts`),
    nodeFlags: ['--conditions=@wsmatrix/source', '--import', 'tsx'],
  };
}

/** Throws one clear line when `runtime`'s entries are absent (not built, or sources not shipped). */
export function checkProcessEntries(runtime: ProcessRuntime): void {
  for (const name of ['server-process', 'client-process']) {
    const { file } = processEntry(name, runtime);
    if (existsSync(file)) continue;
    throw new Error(
      runtime === 'dist'
        ? `the benchmark's processes are not built (${file} missing): run \`npm run build\``
        : `runtime tsx needs the TypeScript sources (${file} missing), found only inside the repository`,
    );
  }
}

export interface SpawnOptions {
  /** taskset CPU list; undefined: not pinned. */
  cpus?: string;
  /** C allocator settings (default 'steady', see allocator.ts). */
  malloc?: MallocMode;
  /** How the entries run (default 'dist'). */
  runtime?: ProcessRuntime;
}

function spawnNode(entry: string, args: readonly string[], opts: SpawnOptions, ipc: boolean): ChildProcess {
  const { file, nodeFlags } = processEntry(entry, opts.runtime ?? 'dist');
  const node = [process.execPath, ...nodeFlags, file, ...args];
  const [command, ...commandArgs] = opts.cpus === undefined ? node : ['taskset', '-c', opts.cpus, ...node];
  const child = spawn(command!, commandArgs, {
    cwd: PACKAGE_DIR,
    env: allocatorEnv(opts.malloc ?? 'steady'),
    // stdin stays open as a lifeline: a server sees it end when its parent dies.
    stdio: ['pipe', 'pipe', 'pipe', ...(ipc ? (['ipc'] as const) : [])],
  });
  // Stopped on an interrupt. A server process is never killed outright, even when forced: it stops the
  // external target it started (its own process group), which a kill would orphan.
  trackChild(child, { group: false, forceSignal: entry === 'server-process' ? 'SIGTERM' : 'SIGKILL' });
  return child;
}

/** What a server process says about itself once listening. */
export interface ServerInfo {
  name: string;
  implementation: string;
  version: string;
  options: Record<string, unknown>;
  host: string;
  port: number;
  pid: number;
}

export interface ServerProcess {
  info: ServerInfo;
  /** SIGTERM, then SIGKILL after a grace period; resolves when it has exited. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20000;

export async function startServerProcess(target: string, opts: SpawnOptions = {}): Promise<ServerProcess> {
  const child = spawnNode('server-process', [target], opts, false);
  const exited = once(child, 'exit');
  const stderr = stderrText(child);
  const listening = new Promise<ServerInfo>((resolve, reject) => {
    const fail = (why: string): void => reject(new Error(`server ${target} ${why}`));
    setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS).unref();
    child.once('exit', (code) => {
      // Its stderr may still be arriving: read to its end first (a grandchild holding it open gets 1 s).
      const read = Promise.race([once(child.stderr!, 'end'), new Promise((r) => setTimeout(r, 1000).unref())]);
      void read.then(() => fail(`exited (${code}) before listening; its stderr:\n${stderr()}`));
    });
    // Its first line says where it listens; reading goes on, so later output never blocks it.
    createInterface({ input: child.stdout! }).once('line', (line) => {
      try {
        resolve(JSON.parse(line) as ServerInfo);
      } catch {
        fail(`printed ${JSON.stringify(line)}`);
      }
    });
  });
  try {
    return { info: await listening, stop: () => stopChild(child, exited, () => child.kill('SIGTERM')) };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

export interface ClientProcess {
  pid: number;
  run(job: LoadJob, options: RunJobOptions, timeoutMs: number): Promise<JobResult>;
  stop(): Promise<void>;
}

export async function startClientProcess(opts: SpawnOptions = {}): Promise<ClientProcess> {
  const child = spawnNode('client-process', [], opts, true);
  const exited = once(child, 'exit');
  const stderr = stderrText(child);
  child.stdout!.resume();
  await once(child, 'spawn');
  const request = ipcRequester<{ job: LoadJob; options: RunJobOptions }, JobResult>(child, 'result', {
    what: 'load job',
    exited: (code) => `load generator exited (${code}); its stderr:\n${stderr()}`,
  });
  return {
    pid: child.pid!,
    run: (job, options, timeoutMs) => request({ job, options }, timeoutMs),
    stop: () => stopChild(child, exited),
  };
}
