/**
 * The driver's side of the machine-speed probe: one idle probe process pinned to each CPU that is
 * timed (the server's and the client's), asked to probe one after the other right before a window.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ipcRequester, stderrTail, stopChild } from './ipc-child.js';
import type { ProbeTiming } from './probe.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT_MS = 20000;

export interface ProbeProcess {
  /** The taskset CPU list it runs on (undefined: not pinned). */
  cpus: string | undefined;
  probe(timeoutMs?: number): Promise<ProbeTiming>;
  stop(): Promise<void>;
}

/** Starts a probe process on `cpus` (a taskset list; its first CPU is used) and waits until it is warm. */
export async function startProbeProcess(cpus: string | undefined): Promise<ProbeProcess> {
  const ts = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(`./probe-process${ts ? '.ts' : '.js'}`, import.meta.url));
  const nodeArgs = [...(ts ? ['--import', 'tsx'] : []), file];
  const cpu = cpus?.split(',')[0]?.split('-')[0];
  const [command, args] = cpu === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', cpu, process.execPath, ...nodeArgs]];
  const child: ChildProcess = spawn(command, args, { cwd: PACKAGE_DIR, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
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
    probe: (timeoutMs = 10000) => request({}, timeoutMs),
    stop: () => stopChild(child, exited),
  };
}
