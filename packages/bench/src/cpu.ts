/** CPU time of processes: our own from process.cpuUsage(), another's from /proc/<pid>/stat (Linux). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** Kernel clock ticks per second (USER_HZ): `getconf CLK_TCK`, 100 when that cannot be asked. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * user + system CPU milliseconds of process `pid` (all its threads), from the utime and stime fields
 * of /proc/<pid>/stat; undefined where /proc is not available.
 */
export function processCpuMs(pid: number, ticks = clockTicksPerSecond()): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  return parseProcStatCpuMs(stat, ticks);
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
export function machineBusyMs(ticks = clockTicksPerSecond()): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'latin1');
  } catch {
    return undefined;
  }
  const fields = stat.slice(0, stat.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const busy = [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (fields[i] ?? 0), 0);
  return (busy * 1000) / ticks;
}
