/** Processes as a test sees them: alive or not, their children, their group (Linux /proc where needed). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  /** R, S, D, Z (zombie), … */
  state: string;
  ppid: number;
  pgrp: number;
}

/** The fields of /proc/<pid>/stat a test needs, or null when the process is gone (or there is no /proc). */
function procStat(pid: number | string): ProcStat | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may hold spaces: the fields after the last ')' are fixed.
  const [state = '', ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state, ppid: Number(ppid), pgrp: Number(pgrp) };
}

function numericEntries(): string[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
}

/** Whether `pid` runs. A zombie counts as gone: a container's init may be slow (or fail) to reap orphans. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return procStat(pid)?.state !== 'Z';
}

/** No live process has `pgid` as its process group. */
export function groupIsGone(pgid: number): boolean {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0);
      return false;
    } catch {
      return true;
    }
  }
  for (const entry of numericEntries()) {
    const stat = procStat(entry);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') return false;
  }
  return true;
}

/** Every process descending from `pid` (children, grandchildren, …), whatever process group they lead. */
export function descendants(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const entry of numericEntries()) {
    const stat = procStat(entry);
    if (stat) byParent.set(stat.ppid, [...(byParent.get(stat.ppid) ?? []), Number(entry)]);
  }
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

/**
 * The pids of `pids` still alive once each has had the chance to go, as "pid command line": polled until
 * none is left or the safety net runs out (a test's verdict comes from the pids, not from the time it took).
 */
export async function survivors(pids: readonly number[], safetyNetMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + safetyNetMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    alive = alive.filter(isAlive);
  }
  return alive.map((pid) => `${pid} ${commandLine(pid)}`);
}
