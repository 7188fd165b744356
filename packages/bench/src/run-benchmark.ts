/**
 * The benchmark driver: starts every server in its own process on the server core and one
 * load-generator process on the client cores, then measures run by run, workload by workload,
 * target by target — interleaved, so drift on the machine touches every target alike.
 */
import { DEFAULT_MAX_HOLD_MS, type RunJobOptions } from './load/run-job.js';
import type { LoadJob } from './load/types.js';
import { allowedCpus, describeMachine, hasTaskset, planPinning } from './machine.js';
import { bundleBenchProcesses, startClientProcess, startServerProcess, type ProcessRuntime, type ServerProcess } from './processes.js';
import type { ProcessBundle } from './process-bundle.js';
import { RESULT_SCHEMA, type BenchCell, type BenchResult, type BenchTarget } from './result.js';
import { addRatios, summarizeCell, summarizeProbes } from './summary.js';
import { cellKey, measureLoop, type LoopTarget } from './measure-loop.js';
import { describeProbeWork, PROBE_REFERENCE_MS } from './probe.js';
import { startProbeProcess, type ProbeProcess } from './probe-host.js';
import { DEFAULT_TCP_ECHO_STYLE, type TcpEchoStyle } from './tcp-echo.js';
import { describeMalloc, type MallocMode } from './allocator.js';
import { waitForQuiet } from './quiet.js';
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
  /**
   * Unmeasured seconds per workload × target before the first measured run, so every process's code is
   * optimised before it counts. Default 1; 0 skips the round.
   */
  warmupRoundSec?: number;
  /** Time the machine-speed probe on the server's and the client's CPU before each window. Default true. */
  probe?: boolean;
  /** Pin server and client to different cores when possible. Default true. */
  pin?: boolean;
  tcpEcho?: TcpEchoStyle;
  /**
   * Before each measurement, wait up to this long for other processes to leave the machine quiet, and
   * measure a run again (once) when they were busy during it. Default 10000; 0 turns both off.
   */
  quietWaitMs?: number;
  /**
   * Hold each measured window open past `durationSec` until this many messages or connections completed
   * in it (at most DEFAULT_MAX_HOLD_MS longer); see RunJobOptions.minCompleted. Default none.
   */
  minCompleted?: number;
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
export const DEFAULT_WARMUP_ROUND_SEC = 1;

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
  const warmupRoundSec = options.warmupRoundSec ?? DEFAULT_WARMUP_ROUND_SEC;
  const probeOn = options.probe ?? true;
  const probes: ProbeProcess[] = [];
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
    if (probeOn) probes.push(...(await startProbes(pinning.serverCpus, pinning.clientCpus, progress, bundle)));
    const [serverProbe, clientProbe] = probes;
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
      probe: serverProbe && clientProbe
        ? async () => ({ serverMs: (await serverProbe.probe()).ms, clientMs: (await clientProbe.probe()).ms })
        : undefined,
      progress,
    });

    const cells: BenchCell[] = [];
    for (const workload of workloads) {
      for (const name of servers.keys()) {
        const k = cellKey(workload.id, name);
        cells.push(summarizeCell(workload, name, runsOf.get(k) ?? [], failuresOf.get(k) ?? [], pinning.clientThreads));
      }
    }
    const probeSummary = summarizeProbes(cells.flatMap((c) => c.runs));
    return {
      schema: RESULT_SCHEMA,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      pinning,
      settings: {
        durationSec,
        warmupSec,
        warmupRoundSec,
        runs,
        tcpEcho,
        quietWaitMs,
        malloc,
        runtime,
        ...(probeSummary ? { probe: { referenceMs: PROBE_REFERENCE_MS, work: describeProbeWork() } } : {}),
      },
      targets,
      workloads: workloads.map((w) => ({ id: w.id, title: w.title, unit: unitOf(w) })),
      cells: addRatios(cells),
      ...(probeSummary ? { probe: probeSummary } : {}),
    };
  } finally {
    await Promise.all([client.stop(), ...[...servers.values()].map((s) => s.stop()), ...probes.map((p) => p.stop())]);
  }
}

/** One idle probe process pinned to the server's CPU and one to the client's; none when either cannot start. */
async function startProbes(serverCpus: string | undefined, clientCpus: string | undefined, progress: (line: string) => void, bundle: ProcessBundle | undefined): Promise<ProbeProcess[]> {
  const started: ProbeProcess[] = [];
  try {
    for (const cpus of [serverCpus, clientCpus]) started.push(await startProbeProcess(cpus, { bundle }));
    progress(`machine-speed probe before each window on cpu ${serverCpus ?? 'any'} (server) and ${clientCpus ?? 'any'} (client): ${describeProbeWork()}`);
    return started;
  } catch (err) {
    progress(`machine-speed probe unavailable, figures not normalised: ${err instanceof Error ? err.message : String(err)}`);
    await Promise.all(started.map((p) => p.stop()));
    return [];
  }
}
