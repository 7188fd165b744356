/**
 * Starting the server and client processes, under `taskset -c CPUS` when pinned (taskset execs node, so
 * the pid we get is node's own). Runtime 'bundle': the entries bundled to plain JS (process-bundle.ts),
 * our code measured as deployed, like ws and uWS; 'tsx': the entries as they are, through tsx for .ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { trackChild } from '@wsmatrix/targets';
import type { JobResult, RunJobOptions } from './load/run-job.js';
import type { LoadJob } from './load/types.js';
import { allocatorEnv, type MallocMode } from './allocator.js';
import { bundleProcessEntries, type ProcessBundle } from './process-bundle.js';
import { ipcRequester, stderrTail, stopChild } from './ipc-child.js';

export const PROCESS_RUNTIMES = ['bundle', 'tsx'] as const;
export type ProcessRuntime = (typeof PROCESS_RUNTIMES)[number];

/** This package's folder: children run from here, so `--import tsx` resolves through its node_modules. */
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** An entry as it is: its source file and the loader flags node needs for it (`--import tsx` for .ts). */
function entryPath(name: string): { file: string; loader: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(`./${name}${ts ? '.ts' : '.js'}`, import.meta.url));
  return { file, loader: ts ? ['--import', 'tsx'] : [] };
}

/**
 * The server, the load generator and its worker thread bundled together into one fresh folder (the
 * client finds the worker as ./share-worker.js beside it).
 */
export function bundleBenchProcesses(): Promise<ProcessBundle> {
  return bundleProcessEntries({
    'server-process': entryPath('server-process').file,
    'client-process': entryPath('client-process').file,
    'share-worker': entryPath('load/share-worker').file,
  });
}

export interface SpawnOptions {
  /** taskset CPU list; undefined: not pinned. */
  cpus?: string;
  /** C allocator settings (default 'steady', see allocator.ts). */
  malloc?: MallocMode;
  /** Run the entries of this bundle; undefined: the entries as they are (runtime 'tsx'). */
  bundle?: ProcessBundle;
}

function spawnNode(entry: string, args: readonly string[], opts: SpawnOptions, ipc: boolean): ChildProcess {
  const { file, loader } = opts.bundle ? { file: opts.bundle.file(entry), loader: [] } : entryPath(entry);
  const node = [process.execPath, ...loader, file, ...args];
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
  const lastError = stderrTail(child);
  const listening = new Promise<ServerInfo>((resolve, reject) => {
    const fail = (why: string): void => reject(new Error(`server ${target} ${why}`));
    setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS).unref();
    child.once('exit', (code) => fail(`exited (${code}) before listening: ${lastError()}`));
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
  const lastError = stderrTail(child);
  child.stdout!.resume();
  await once(child, 'spawn');
  const request = ipcRequester<{ job: LoadJob; options: RunJobOptions }, JobResult>(child, 'result', {
    what: 'load job',
    exited: (code) => `load generator exited (${code}): ${lastError()}`,
  });
  return {
    pid: child.pid!,
    run: (job, options, timeoutMs) => request({ job, options }, timeoutMs),
    stop: () => stopChild(child, exited),
  };
}
