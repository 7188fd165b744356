/**
 * CPU time of processes: our own from process.cpuUsage(), the machine's from /proc/stat; a server's (and its
 * children's) is the targets' reading (processTreeCpuMs).
 */
import { readFileSync } from 'node:fs';
import { clockTicksPerSecond } from '@wsmatrix/targets';

export { processTreeCpuMs } from '@wsmatrix/targets';

/** A file under /proc; undefined where there is no /proc (not Linux). */
function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
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
