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

/** The threads of `pid` (its task ids); [] where /proc cannot tell. */
function threadIds(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

/** The live children of `pid` (any of its threads may have forked them); [] where the kernel cannot list them. */
function childPids(pid: number, threads: readonly string[]): number[] {
  return threads.flatMap((tid) =>
    (readProc(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ').filter(Boolean).map(Number),
  );
}

/**
 * Nanoseconds on a CPU of the live threads of `pid`, from their schedstat; undefined where the kernel keeps no
 * schedstat. Exact, where /proc/<pid>/stat rounds each process down to a clock tick: a server that forks per
 * connection spreads its work over many processes, each under a tick in a short window.
 */
function threadsRuntimeNs(pid: number, threads: readonly string[]): number | undefined {
  let total: number | undefined;
  for (const tid of threads) {
    const ns = Number(readProc(`/proc/${pid}/task/${tid}/schedstat`)?.split(' ', 1)[0]);
    if (Number.isFinite(ns)) total = (total ?? 0) + ns;
  }
  return total;
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
 * CPU milliseconds of process `pid` and of every process it started: its live descendants (found through
 * /proc/<pid>/task/<tid>/children, their live threads' schedstat, else their stat) and the children each has
 * waited for (stat). An external server may fork per connection (wslay) or run as a runtime's child: its CPU
 * is the whole tree's. A descendant orphaned to another parent is not counted. Null when /proc has no `pid`.
 */
export function processTreeCpuMs(pid: number): number | null {
  const msPerTick = 1000 / clockTicksPerSecond();
  let total: number | null = null;
  const seen = new Set<number>();
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    if (seen.has(p)) continue;
    seen.add(p);
    const ticks = statTicks(p);
    // Gone between the reads: its time joins its parent's reaped ticks once waited for.
    if (ticks === undefined) continue;
    const threads = threadIds(p);
    const runtimeNs = threadsRuntimeNs(p, threads);
    const own = runtimeNs === undefined ? ticks.own * msPerTick : runtimeNs / 1e6;
    total = (total ?? 0) + own + ticks.reapedChildren * msPerTick;
    queue.push(...childPids(p, threads));
  }
  return total;
}
