/**
 * Where a run's time goes: the runner's CPU (this process: the case engine, its codec and compression), the
 * server's CPU (its process, when the target runs in one and can say), and what is left of the cores' time: idle,
 * or other work on the machine. The runner's share tells whether a run measured the server or the runner.
 */
import { availableParallelism } from 'node:os';

export interface CpuAccount {
  wallMs: number;
  /** CPU time of this process (user + system, all threads) while the cases were played. */
  runnerCpuMs: number;
  /** CPU time of the server's process meanwhile; null when it cannot be measured (a URL, an in-process target). */
  serverCpuMs: number | null;
  cores: number;
}

/** A running server that may report its process's CPU time. */
export interface CpuSource {
  cpuTime?: () => number | null;
}

/** Starts counting now; stop() ends the interval; result() is what was counted. */
export function startCpuAccount(
  servers: CpuSource | readonly CpuSource[],
  clock: () => number = () => performance.now(),
  runnerCpu: () => number = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
): { stop(): void; result(): CpuAccount } {
  const list = Array.isArray(servers) ? servers : [servers as CpuSource];
  const serverCpu = (): number | null => {
    let sum = 0;
    for (const s of list) {
      const v = s.cpuTime?.() ?? null;
      if (v === null) return null;
      sum += v;
    }
    return sum;
  };
  const t0 = clock();
  const r0 = runnerCpu();
  const s0 = serverCpu();
  let end: CpuAccount | null = null;
  const stop = (): void => {
    if (end !== null) return;
    const s1 = serverCpu();
    end = {
      wallMs: clock() - t0,
      runnerCpuMs: runnerCpu() - r0,
      serverCpuMs: s0 === null || s1 === null ? null : s1 - s0,
      cores: availableParallelism(),
    };
  };
  return {
    stop,
    result(): CpuAccount {
      stop();
      return end!;
    },
  };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * "CPU: runner 12.1 s, server 30.2 s, idle or other 40.3 s of 2 cores × 41.3 s; runner share 29 %": the share is
 * the runner's part of the CPU the run used; without a server figure it is the runner's part of one core.
 */
export function describeCpu(a: CpuAccount): string {
  if (a.serverCpuMs === null) {
    const ofCore = a.wallMs > 0 ? Math.round((100 * a.runnerCpuMs) / a.wallMs) : 0;
    return `CPU: runner ${seconds(a.runnerCpuMs)} (${ofCore} % of one core), server not measured`;
  }
  const used = a.runnerCpuMs + a.serverCpuMs;
  const idle = Math.max(0, a.cores * a.wallMs - used);
  const share = used > 0 ? Math.round((100 * a.runnerCpuMs) / used) : 0;
  return (
    `CPU: runner ${seconds(a.runnerCpuMs)}, server ${seconds(a.serverCpuMs)}, idle or other ${seconds(idle)} ` +
    `of ${a.cores} cores × ${seconds(a.wallMs)}; runner share ${share} %`
  );
}
