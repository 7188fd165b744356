import { runJob } from './src/load/run-job.js';
import { selectWorkloads } from './src/workloads.js';
import { startServerProcess } from './src/processes.js';
import { readFileSync } from 'node:fs';
const us = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'latin1'); const a = f.slice(f.lastIndexOf(')') + 2).split(' '); return [Number(a[11]), Number(a[12])]; };
const [target, cpus, wl, style] = process.argv.slice(2);
const s = await startServerProcess(target!, { cpus: cpus === '-' ? undefined : cpus, tcpEcho: style as any });
for (const id of wl!.split(',')) {
  const w = selectWorkloads([id])[0]!;
  const a = us(s.info.pid); const me0 = process.cpuUsage();
  const r = await runJob({ workload: w, host: '127.0.0.1', port: s.info.port, protocol: target === 'tcp' ? 'tcp' : 'ws' }, { warmupMs: 200, durationMs: 1000, threads: 1, serverPid: s.info.pid });
  const b = us(s.info.pid);
  console.log(target, style ?? '', w.id, (r.payloadBytes/1e6).toFixed(0)+'MB', r.completed, 'srv user', b[0]!-a[0]!, 'sys', b[1]!-a[1]!, 'client', r.clientCpuMs.toFixed(0));
}
await s.stop();
