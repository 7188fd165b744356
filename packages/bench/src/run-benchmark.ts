/**
 * The benchmark driver: starts every server in its own process on the server core and one
 * load-generator process on the client cores, then measures run by run, workload by workload,
 * target by target — interleaved, so drift on the machine touches every target alike.
 */
import { DEFAULT_MAX_HOLD_MS, type RunJobOptions } from './load/run-job.js';
import type { LoadJob } from './load/types.js';
import { allowedCpus, describeMachine, hasTaskset, planPinning } from './machine.js';
import {
  bundleBenchProcesses,
  startClientProcess,
  startServerProcess,
  type ProcessRuntime,
  type ServerProcess,
} from './processes.js';
import type { ProcessBundle } from './process-bundle.js';
import { RESULT_SCHEMA, type BenchCell, type BenchResult, type BenchTarget } from './result.js';
import { addRatios, summarizeCell } from './summary.js';
import { cellKey, measureLoop, type LoopTarget } from './measure-loop.js';
import { TCP_ECHO_STYLE } from './tcp-echo.js';
import { describeMalloc, type MallocMode } from './allocator.js';
import { waitForQuiet } from './quiet.js';
import { selectWorkloads, unitOf, WORKLOADS, type Workload } from './workloads.js';

export const DEFAULT_TARGETS = ['core', 'ws', 'uws'] as const;
/** Measured in every benchmark: ratios are taken against them. */
const REFERENCE_TARGETS = ['ws', 'tcp'] as const;

export interface BenchOptions {
  /** Targets to measure; ws and tcp are always added. Default DEFAULT_TARGETS. */
  targets?: readonly string[];
  /** Workload ids or group names (handshake, small, large, fragmented, all). Default all. */
  workloads?: readonly string[];
  /** Measured seconds per run. Default 2: shorter windows hold too few 1 MiB messages to ride out host hiccups. */
  durationSec?: number;
  /** Runs per workload and target (the median is reported). Default 5: a median of 3 moves with one bad run. */
  runs?: number;
  /** Traffic before each measured window. Default a quarter of the duration, 0.1–0.5 s. */
  warmupSec?: number;
  /** Unmeasured seconds per workload × target before run 1, so every process runs optimised code. Default 1; 0 skips. */
  warmupRoundSec?: number;
  /** Pin server and client to different cores when possible. Default true. */
  pin?: boolean;
  /** Longest wait for a quiet machine before a measurement; a noisy run is measured again once. Default 10000; 0 neither. */
  quietWaitMs?: number;
  /** Hold each window open until this many messages or connections completed in it (see RunJobOptions). Default none. */
  minCompleted?: number;
  /** C allocator settings of every process. Default 'steady' (see allocator.ts). */
  malloc?: MallocMode;
  /** 'bundle' (default): our code bundled to plain JS by esbuild, as deployed; 'tsx': the TypeScript sources. */
  runtime?: ProcessRuntime;
  /** Progress lines (no trailing newline). */
  onProgress?: (line: string) => void;
}

/**
 * Targets measured over permessage-deflate: the registry's `+deflate` columns. The name is the
 * contract: target options spell compression differently per implementation.
 */
export function isDeflateTarget(name: string): boolean {
  return name.includes('+deflate');
}

export async function runBenchmark(options: BenchOptions = {}): Promise<BenchResult> {
  const runtime = options.runtime ?? 'bundle';
  const bundle = runtime === 'bundle' ? await bundleBenchProcesses() : undefined;
  options.onProgress?.(
    bundle ? `processes: plain JS bundled into ${bundle.dir}` : 'processes: TypeScript sources through tsx',
  );
  try {
    return await measure(options, runtime, bundle);
  } finally {
    await bundle?.remove();
  }
}

async function measure(
  options: BenchOptions,
  runtime: ProcessRuntime,
  bundle: ProcessBundle | undefined,
): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const durationSec = options.durationSec ?? 2;
  const runs = options.runs ?? 5;
  const warmupSec = options.warmupSec ?? Math.min(0.5, Math.max(0.1, durationSec / 4));
  const warmupRoundSec = options.warmupRoundSec ?? 1;
  const workloads = options.workloads ? selectWorkloads(options.workloads) : [...WORKLOADS];
  const targetNames = [...new Set([...(options.targets ?? DEFAULT_TARGETS), ...REFERENCE_TARGETS])];
  const progress = options.onProgress ?? (() => {});
  const quietWaitMs = options.quietWaitMs ?? 10000;

  const machine = describeMachine();
  const pinning = planPinning(allowedCpus(), hasTaskset(), options.pin ?? true);
  progress(`machine: ${machine.cores} cores, ${machine.cpuModel}, node ${machine.node}; ${pinning.note}`);

  const servers = new Map<string, ServerProcess>();
  const targets: BenchTarget[] = [];
  const malloc = options.malloc ?? 'steady';
  progress(describeMalloc(malloc));
  const client = await startClientProcess({ cpus: pinning.clientCpus, malloc, bundle });
  try {
    for (const name of targetNames) {
      const deflate = isDeflateTarget(name) ? { deflate: true } : {};
      try {
        const server = await startServerProcess(name, { cpus: pinning.serverCpus, malloc, bundle });
        servers.set(name, server);
        targets.push({
          name,
          implementation: server.info.implementation,
          version: server.info.version,
          options: server.info.options,
          ...deflate,
        });
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        progress(`${name}: cannot start: ${why}`);
        targets.push({ name, implementation: name, version: 'unknown', options: {}, ...deflate, error: why });
      }
    }

    const jobOptions: Omit<RunJobOptions, 'serverPid'> = {
      warmupMs: warmupSec * 1000,
      durationMs: durationSec * 1000,
      threads: pinning.clientThreads,
      ...(options.minCompleted ? { minCompleted: options.minCompleted } : {}),
    };
    const loopTargets: LoopTarget[] = [...servers].map(([name, server]) => ({
      name,
      serverPid: server.info.pid,
      jobFor: (workload: Workload): LoadJob => ({
        workload,
        host: server.info.host,
        port: server.info.port,
        protocol: name === 'tcp' ? 'tcp' : 'ws',
        deflate: isDeflateTarget(name),
      }),
    }));
    progress(`started: ${[...servers.keys()].join(', ')} and the load generator`);
    const { runsOf, failuresOf } = await measureLoop({
      workloads,
      targets: loopTargets,
      runs,
      warmupRoundSec,
      jobOptions,
      timeoutMs: (warmupSec + durationSec) * 1000 + (options.minCompleted ? DEFAULT_MAX_HOLD_MS : 0) + 30000,
      quietWaitMs,
      runJob: (job, opts, timeoutMs) => client.run(job, opts, timeoutMs),
      waitForQuiet,
      progress,
    });

    const cells: BenchCell[] = [];
    for (const workload of workloads) {
      for (const name of servers.keys()) {
        const k = cellKey(workload.id, name);
        cells.push(summarizeCell(workload, name, runsOf.get(k) ?? [], failuresOf.get(k) ?? [], pinning.clientThreads));
      }
    }
    return {
      schema: RESULT_SCHEMA,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      pinning,
      settings: { durationSec, warmupSec, warmupRoundSec, runs, tcpEcho: TCP_ECHO_STYLE, quietWaitMs, malloc, runtime },
      targets,
      workloads: workloads.map((w) => ({ id: w.id, title: w.title, unit: unitOf(w) })),
      cells: addRatios(cells),
    };
  } finally {
    await Promise.all([client.stop(), ...[...servers.values()].map((s) => s.stop())]);
  }
}
