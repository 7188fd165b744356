/** What machine the benchmark ran on, and which cores the server and the client get. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  /** Cores this process may run on. */
  cores: number;
  cpuModel: string;
  node: string;
  platform: string;
  arch: string;
  kernel: string;
  memoryGiB: number;
}

export interface PinningPlan {
  pinned: boolean;
  /** taskset CPU lists, when pinned. */
  serverCpus?: string;
  clientCpus?: string;
  /** Load-generator threads: one per client core. */
  clientThreads: number;
  /** One line for the output: where things ran, or why they were not pinned. */
  note: string;
}

/** CPU ids this process may use: Cpus_allowed_list of /proc/self/status, else 0..n-1. */
export function allowedCpus(): number[] {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
    if (list) return parseCpuList(list);
  } catch {
    // not Linux
  }
  return Array.from({ length: os.availableParallelism() }, (_, i) => i);
}

/** "0-2,5" → [0, 1, 2, 5] */
export function parseCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isInteger(a)) continue;
    for (let c = a; c <= (b ?? a); c++) out.push(c);
  }
  return out;
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: allowedCpus().length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    kernel: os.release(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** Whether `taskset` runs here (it pins the processes). */
export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Servers are single-threaded: the last core is theirs, the load generator gets the rest (up to 8). */
export function planPinning(cpus: readonly number[], taskset: boolean, wanted = true): PinningPlan {
  if (!wanted) return { pinned: false, clientThreads: 1, note: 'not pinned (pinning turned off)' };
  if (cpus.length < 2)
    return { pinned: false, clientThreads: 1, note: 'not pinned: only one core, server and client share it' };
  const client = cpus.slice(0, -1).slice(0, 8);
  const clientThreads = client.length;
  if (!taskset)
    return { pinned: false, clientThreads, note: 'not pinned: taskset not found, server and client may share cores' };
  const serverCpus = String(cpus[cpus.length - 1]);
  const clientCpus = client.join(',');
  const threads = `${clientThreads} thread${clientThreads > 1 ? 's' : ''}`;
  const note = `server on cpu ${serverCpus}, client on cpu ${clientCpus} (${threads})`;
  return { pinned: true, serverCpus, clientCpus, clientThreads, note };
}
