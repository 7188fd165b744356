/**
 * The driver's side of the machine-speed probe: one idle probe process pinned to each CPU that is
 * timed (the server's and the client's), asked to probe one after the other right before a window.
 * It runs like the servers and the load generator: from the benchmark's bundle (runtime 'bundle') or
 * the entry as it is (runtime 'tsx').
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { trackChild } from '@wsmatrix/targets';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ipcRequester, stderrTail, stopChild } from './ipc-child.js';
import type { ProbeTiming } from './probe.js';
import type { ProcessBundle } from './process-bundle.js';
import { entryPath } from './processes.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT_MS = 20000;

export interface ProbeProcess {
  /** The taskset CPU list it runs on (undefined: not pinned). */
  cpus: string | undefined;
  /** The probe process's pid (node's own, taskset execs it). */
  pid: number;
  probe(timeoutMs?: number): Promise<ProbeTiming>;
  stop(): Promise<void>;
}

export interface ProbeProcessOptions {
  /** Run the `probe-process` entry of this bundle (runtime 'bundle'); undefined: the entry as it is ('tsx'). */
  bundle?: ProcessBundle;
}

/** Starts a probe process on `cpus` (a taskset list; its first CPU is used) and waits until it is warm. */
export async function startProbeProcess(cpus: string | undefined, opts: ProbeProcessOptions = {}): Promise<ProbeProcess> {
  const { file, loader } = opts.bundle ? { file: opts.bundle.file('probe-process'), loader: [] } : entryPath('probe-process');
  const nodeArgs = [...loader, file];
  const cpu = cpus?.split(',')[0]?.split('-')[0];
  const [command, args] = cpu === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', cpu, process.execPath, ...nodeArgs]];
  const child: ChildProcess = spawn(command, args, { cwd: PACKAGE_DIR, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  trackChild(child, { group: false });
  const lastError = stderrTail(child);
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`probe process did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    child.once('message', (msg: { ready?: true }) => {
      clearTimeout(timer);
      if (msg.ready) resolve();
      else fail(new Error('probe process answered before it was ready'));
    });
    child.once('exit', (code) => fail(new Error(`probe process exited (${code}): ${lastError()}`)));
  });
  const request = ipcRequester<object, ProbeTiming>(child, 'timing', {
    what: 'probe',
    exited: (code) => `probe process exited (${code}): ${lastError()}`,
  });
  return {
    cpus: cpu,
    pid: child.pid!,
    probe: (timeoutMs = 10000) => request({}, timeoutMs),
    stop: () => stopChild(child, exited),
  };
}
