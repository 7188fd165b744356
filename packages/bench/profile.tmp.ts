// Profiles one server under one workload: node --cpu-prof in the server process, then top self-time items.
import { readdirSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startClientProcess, startServerProcess } from './src/processes.js';
import { selectWorkloads } from './src/workloads.js';
import { toRun } from './src/summary.js';
const [target = 'core', workloadId = 'small-c16-f32', seconds = '3'] = process.argv.slice(2);
const dir = `/tmp/benchwork/prof-${target}-${workloadId}`;
rmSync(dir, { recursive: true, force: true }); mkdirSync(dir, { recursive: true });
const server = await startServerProcess(target, { cpus: '1', execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
const client = await startClientProcess({ cpus: '0' });
const w = selectWorkloads([workloadId])[0]!;
const t0 = Number(process.hrtime.bigint() / 1000n);
const r = await client.run({ workload: w, host: server.info.host, port: server.info.port, protocol: 'ws' }, { warmupMs: 500, durationMs: Number(seconds) * 1000, threads: 1, serverPid: server.info.pid }, 60000);
const t1 = Number(process.hrtime.bigint() / 1000n);
console.log(JSON.stringify(toRun(w, r)));
await client.stop(); await server.stop();
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
const prof = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[]; samples: number[]; timeDeltas: number[] };
const self = new Map<number, number>();
// Only samples inside the measured traffic (CLOCK_MONOTONIC µs, shared by both processes): no start-up, no shutdown.
let at = (prof as unknown as { startTime: number }).startTime;
prof.samples.forEach((id, i) => {
  at += prof.timeDeltas[i] ?? 0;
  if (at >= t0 + 500_000 && at <= t1 - 50_000) self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
});
const byName = new Map<string, number>();
let total = 0;
for (const n of prof.nodes) {
  const t = self.get(n.id) ?? 0; total += t;
  const url = n.callFrame.url.replace(/^.*\/(packages|node_modules)\//, '$1/').replace(/^node:/, 'node:');
  const k = `${n.callFrame.functionName || '(anonymous)'} ${url}${url ? ':' + (n.callFrame.lineNumber + 1) : ''}`;
  byName.set(k, (byName.get(k) ?? 0) + t);
}
const idle = [...byName].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
console.log(`profile ${file}: window ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms; shares below are of the busy time`);
for (const [k, v] of [...byName].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(100 * v / (total - idle)).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
