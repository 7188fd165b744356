/**
 * The benchmark driver: starts every server in its own process on the server core and one
 * load-generator process on the client cores, then measures run by run, workload by workload,
 * target by target — interleaved, so drift on the machine touches every target alike.
 */
import type { JobResult, RunJobOptions } from './load/run-job.js';
import type { LoadJob } from './load/types.js';
import { allowedCpus, describeMachine, hasTaskset, planPinning } from './machine.js';
import { bundleBenchProcesses, startClientProcess, startServerProcess, type ProcessRuntime, type ServerProcess } from './processes.js';
import type { ProcessBundle } from './process-bundle.js';
import { RESULT_SCHEMA, type BenchCell, type BenchResult, type BenchRun, type BenchTarget } from './result.js';
import { addRatios, summarizeCell, toRun } from './summary.js';
import { DEFAULT_TCP_ECHO_STYLE, type TcpEchoStyle } from './tcp-echo.js';
import { describeMalloc, type MallocMode } from './allocator.js';
import { formatPercent, formatValue } from './format.js';
import { QUIET_THRESHOLD, waitForQuiet } from './quiet.js';
import { selectWorkloads, unitOf, WORKLOADS, type Workload } from './workloads.js';

/** Reference targets measured in every benchmark: ratios are taken against them. */
export const REFERENCE_TARGETS = ['ws', 'tcp'] as const;

export interface BenchOptions {
  /** Targets to measure; ws and tcp are always added. Default core, ws, uws. */
  targets?: readonly string[];
  /** Workload ids or group names (handshake, small, large, fragmented, all). Default all. */
  workloads?: readonly string[];
  /** Measured seconds per run. Default 2 (1 s windows held too few 1 MiB messages and host hiccups). */
  durationSec?: number;
  /** Runs per workload and target (the median is reported). Default 5: a median of 3 moved with one bad run. */
  runs?: number;
  /** Traffic before each measured window. Default a quarter of the duration, 0.1–0.5 s. */
  warmupSec?: number;
  /** Pin server and client to different cores when possible. Default true. */
  pin?: boolean;
  tcpEcho?: TcpEchoStyle;
  /**
   * Before each measurement, wait up to this long for other processes to leave the machine quiet, and
   * measure a run again (once) when they were busy during it. Default 10000; 0 turns both off.
   */
  quietWaitMs?: number;
  /** Load-generator threads; default one per client core of the pinning plan. */
  clientThreads?: number;
  /** C allocator settings of the server and client processes. Default 'steady' (see allocator.ts). */
  malloc?: MallocMode;
  /**
   * How the server and client processes run our code: 'bundle' (default) plain JS bundled by esbuild for
   * this benchmark, as deployed; 'tsx' the TypeScript sources through tsx, the old way.
   */
  runtime?: ProcessRuntime;
  /** Extra node flags for the server processes (e.g. --cpu-prof). */
  serverExecArgv?: readonly string[];
  /** Progress lines (no trailing newline). */
  onProgress?: (line: string) => void;
}

export const DEFAULT_TARGETS = ['core', 'ws', 'uws'] as const;

/**
 * Targets measured over permessage-deflate: the registry's `+deflate` columns (core+deflate, ws+deflate,
 * uws+deflate, uws+deflate-dedicated). The name is the contract: target options spell compression
 * differently per implementation, and a name says what the figure will be labelled with.
 */
export function isDeflateTarget(name: string): boolean {
  return name.includes('+deflate');
}

/** Requested targets first, then the references, each once. */
export function measuredTargets(requested: readonly string[]): string[] {
  return [...new Set([...requested, ...REFERENCE_TARGETS])];
}

export async function runBenchmark(options: BenchOptions = {}): Promise<BenchResult> {
  const runtime = options.runtime ?? 'bundle';
  const bundle = runtime === 'bundle' ? await bundleBenchProcesses() : undefined;
  options.onProgress?.(bundle ? `processes: plain JS bundled into ${bundle.dir}` : 'processes: TypeScript sources through tsx');
  try {
    return await measure(options, runtime, bundle);
  } finally {
    await bundle?.remove();
  }
}

async function measure(options: BenchOptions, runtime: ProcessRuntime, bundle: ProcessBundle | undefined): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const durationSec = options.durationSec ?? 2;
  const runs = options.runs ?? 5;
  const warmupSec = options.warmupSec ?? Math.min(0.5, Math.max(0.1, durationSec / 4));
  const tcpEcho = options.tcpEcho ?? DEFAULT_TCP_ECHO_STYLE;
  const workloads = options.workloads ? selectWorkloads(options.workloads) : [...WORKLOADS];
  const targetNames = measuredTargets(options.targets ?? DEFAULT_TARGETS);
  const progress = options.onProgress ?? (() => {});
  const quietWaitMs = options.quietWaitMs ?? 10000;

  const machine = describeMachine();
  const planned = planPinning(allowedCpus(), hasTaskset(), options.pin ?? true);
  const pinning = options.clientThreads ? { ...planned, clientThreads: options.clientThreads } : planned;
  progress(`machine: ${machine.cores} cores, ${machine.cpuModel}, node ${machine.node}; ${pinning.note}`);

  const servers = new Map<string, ServerProcess>();
  const targets: BenchTarget[] = [];
  const malloc = options.malloc ?? 'steady';
  progress(describeMalloc(malloc));
  const client = await startClientProcess({ cpus: pinning.clientCpus, malloc, bundle });
  try {
    for (const name of targetNames) {
      try {
        const server = await startServerProcess(name, { cpus: pinning.serverCpus, execArgv: options.serverExecArgv, tcpEcho, malloc, bundle });
        servers.set(name, server);
        const { implementation, version, options: targetOptions } = server.info;
        targets.push({ name, implementation, version, options: targetOptions, ...(isDeflateTarget(name) ? { deflate: true } : {}) });
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        progress(`${name}: cannot start: ${why}`);
        targets.push({ name, implementation: name, version: 'unknown', options: {}, ...(isDeflateTarget(name) ? { deflate: true } : {}), error: why });
      }
    }

    const runsOf = new Map<string, BenchRun[]>();
    const failuresOf = new Map<string, string[]>();
    const key = (w: Workload, t: string): string => `${w.id}\u0000${t}`;
    const jobOptions: Omit<RunJobOptions, 'serverPid'> = {
      warmupMs: warmupSec * 1000,
      durationMs: durationSec * 1000,
      threads: pinning.clientThreads,
    };
    const timeoutMs = (warmupSec + durationSec) * 1000 + 30000;
    /** One run, taken while the machine is quiet when possible, and taken again once if it was not. */
    const measureQuietly = async (workload: Workload, measure: () => Promise<JobResult>): Promise<BenchRun> => {
      let measured: BenchRun | undefined;
      for (let attempt = 0; attempt < (quietWaitMs > 0 ? 2 : 1); attempt++) {
        if (quietWaitMs > 0) await waitForQuiet(quietWaitMs);
        measured = toRun(workload, await measure());
        if (!isNoisy(measured)) break;
      }
      return measured!;
    };
    for (let run = 1; run <= runs; run++) {
      for (const workload of workloads) {
        for (const [name, server] of servers) {
          const job: LoadJob = {
            workload,
            host: server.info.host,
            port: server.info.port,
            protocol: name === 'tcp' ? 'tcp' : 'ws',
            deflate: isDeflateTarget(name),
          };
          try {
            const measured = await measureQuietly(workload, () => client.run(job, { ...jobOptions, serverPid: server.info.pid }, timeoutMs));
            append(runsOf, key(workload, name), measured);
            progress(`run ${run}/${runs} ${workload.id} ${name}: ${formatValue(measured.value)} ${unitOf(workload)}${describeWire(measured)}${describeNoise(measured)}${measured.errorCount ? ` (${measured.errorCount} errors: ${measured.errors[0]})` : ''}`);
          } catch (err) {
            const why = err instanceof Error ? err.message : String(err);
            append(failuresOf, key(workload, name), why);
            progress(`run ${run}/${runs} ${workload.id} ${name}: failed: ${why}`);
          }
        }
      }
    }

    const cells: BenchCell[] = [];
    for (const workload of workloads) {
      for (const name of servers.keys()) {
        const k = key(workload, name);
        cells.push(summarizeCell(workload, name, runsOf.get(k) ?? [], failuresOf.get(k) ?? [], pinning.clientThreads));
      }
    }
    return {
      schema: RESULT_SCHEMA,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      pinning,
      settings: { durationSec, warmupSec, runs, tcpEcho, quietWaitMs, malloc, runtime },
      targets,
      workloads: workloads.map((w) => ({ id: w.id, title: w.title, unit: unitOf(w) })),
      cells: addRatios(cells),
    };
  } finally {
    await Promise.all([client.stop(), ...[...servers.values()].map((s) => s.stop())]);
  }
}

function append<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function isNoisy(run: BenchRun): boolean {
  return run.otherCpu !== null && run.otherCpu > QUIET_THRESHOLD;
}

function describeWire(run: BenchRun): string {
  return run.deflate ? `, wire ${formatPercent(run.deflate.wireRatio)} of the message bytes` : '';
}

function describeNoise(run: BenchRun): string {
  return isNoisy(run) ? ` (other processes used ${run.otherCpu!.toFixed(2)} cores meanwhile)` : '';
}
