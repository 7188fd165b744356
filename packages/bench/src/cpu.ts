/** CPU time of processes: our own from process.cpuUsage(), another's from /proc/<pid>/stat (Linux). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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

/** user + system CPU milliseconds of process `pid` (all its threads); undefined where /proc cannot tell. */
export function processCpuMs(pid: number): number | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  return stat === undefined ? undefined : parseProcStatCpuMs(stat, clockTicksPerSecond());
}

/** utime + stime of a /proc/<pid>/stat line in ms. The command name may hold spaces: fields start after ')'. */
export function parseProcStatCpuMs(stat: string, ticks: number): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1000) / ticks;
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
