/**
 * CPU time of a server process, read from Linux's /proc: what a target's `cpuTime()` reports. Elsewhere
 * (no /proc) every reading is null.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** proc(5) gives times in clock ticks (sysconf(_SC_CLK_TCK)); 100 is that value on every Linux build we know. */
const USUAL_CLOCK_TICKS = 100;

let ticksPerSecond: number | undefined;

/** Clock ticks per second, asked of `getconf CLK_TCK` once (Node has no sysconf). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      const asked = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }).trim());
      ticksPerSecond = Number.isInteger(asked) && asked > 0 ? asked : USUAL_CLOCK_TICKS;
    } catch {
      ticksPerSecond = USUAL_CLOCK_TICKS;
    }
  }
  return ticksPerSecond;
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** The CPU fields of a /proc/<pid>/stat line, in clock ticks; undefined when the line is not one. */
export interface StatTicks {
  /** utime + stime: every thread of the process. */
  own: number;
  /** cutime + cstime: its children that have exited and been waited for. */
  reapedChildren: number;
}

export function parseStatTicks(stat: string): StatTicks | undefined {
  // The command name is in parentheses and may hold spaces or ')': the fixed fields follow the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14 to 17.
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  if (![utime, stime, cutime, cstime].every((n) => Number.isInteger(n) && n! >= 0)) return undefined;
  return { own: utime! + stime!, reapedChildren: cutime! + cstime! };
}

/** The live children of `pid` (any of its threads may have forked them); [] where the kernel cannot list them. */
function childPids(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const tid of tasks) {
    const listed = readProc(`/proc/${pid}/task/${tid}/children`);
    if (listed) for (const child of listed.trim().split(' ')) if (child) children.push(Number(child));
  }
  return children;
}

function statTicks(pid: number): StatTicks | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  return stat === undefined ? undefined : parseStatTicks(stat);
}

/**
 * CPU milliseconds (user + system, all threads) process `pid` has used since it started, with those of
 * its children that have exited and been waited for; one read, for a process that forks no workers (a
 * Node process serving one target). Null when /proc has no such process (gone, or not Linux).
 */
export function processCpuMs(pid: number): number | null {
  const ticks = statTicks(pid);
  return ticks === undefined ? null : ((ticks.own + ticks.reapedChildren) * 1000) / clockTicksPerSecond();
}

/**
 * processCpuMs of `pid` and of each of its live descendants (found through /proc/<pid>/task/<tid>/children:
 * no scan of every process, but a read per thread). A descendant orphaned to another parent is not
 * counted. Null when /proc has no process `pid`.
 */
export function processTreeCpuMs(pid: number): number | null {
  const ticks = statTicks(pid);
  if (ticks === undefined) return null;
  let total = ticks.own + ticks.reapedChildren;
  const seen = new Set([pid]);
  const queue = childPids(pid);
  while (queue.length > 0) {
    const child = queue.shift()!;
    if (seen.has(child)) continue;
    seen.add(child);
    const childTicks = statTicks(child);
    // Exited between the two reads: its time is in its parent's reaped children once waited for.
    if (childTicks === undefined) continue;
    total += childTicks.own + childTicks.reapedChildren;
    queue.push(...childPids(child));
  }
  return (total * 1000) / clockTicksPerSecond();
}
