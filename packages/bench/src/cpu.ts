/** CPU time of processes: our own from process.cpuUsage(), another's (and its children's) from /proc (Linux). */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** Kernel clock ticks per second (USER_HZ): `getconf CLK_TCK`, 100 when that cannot be asked. */
function clockTicksPerSecond(): number {
  try {
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    ticksPerSecond = 100;
  }
  return ticksPerSecond;
}

/** A file under /proc; undefined where there is no /proc (not Linux) or no such process. */
function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** A /proc/<pid>/stat line's clock ticks: utime + stime (every thread), cutime + cstime (children waited for). */
export function parseProcStatTicks(stat: string): { own: number; reaped: number } | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime, stime, cutime and cstime are fields 14 to 17.
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  if (![utime, stime, cutime, cstime].every((n) => Number.isFinite(n))) return undefined;
  return { own: utime! + stime!, reaped: cutime! + cstime! };
}

/** The threads of `pid` (its task ids); [] where /proc cannot tell. */
function threadIds(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

/** The live children of `pid`, from each of its threads' children list. */
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

/**
 * CPU milliseconds of process `pid` and of every process it started: its live descendants (their live threads'
 * schedstat, else their stat), and the children each has waited for (stat). A benchmark server process runs an
 * external target (wslay, Python, Go…) as its child, which may fork per connection: the server's CPU is the
 * whole tree's. Undefined where /proc has no `pid`.
 */
export function processTreeCpuMs(pid: number): number | undefined {
  const msPerTick = 1000 / clockTicksPerSecond();
  let total: number | undefined;
  const seen = new Set<number>();
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    if (seen.has(p)) continue;
    seen.add(p);
    const stat = readProc(`/proc/${p}/stat`);
    const ticks = stat === undefined ? undefined : parseProcStatTicks(stat);
    // Gone between the reads: its time joins its parent's reaped ticks once waited for.
    if (ticks === undefined) continue;
    const threads = threadIds(p);
    const runtimeNs = threadsRuntimeNs(p, threads);
    const own = runtimeNs === undefined ? ticks.own * msPerTick : runtimeNs / 1e6;
    total = (total ?? 0) + own + ticks.reaped * msPerTick;
    queue.push(...childPids(p, threads));
  }
  return total;
}

/** Our own process's user + system CPU milliseconds (every thread). */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * CPU milliseconds the whole machine spent busy (all cores: user, nice, system, irq, softirq, steal),
 * from the first line of /proc/stat; undefined where /proc is not available. Minus client and server,
 * this is what other processes took during a measurement: noise.
 */
export function machineBusyMs(): number | undefined {
  const stat = readProc('/proc/stat');
  if (stat === undefined) return undefined;
  const fields = stat.slice(0, stat.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const busy = [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (fields[i] ?? 0), 0);
  return (busy * 1000) / clockTicksPerSecond();
}
