/**
 * The benchmark driver: makes the targets ready (bench-targets.ts), starts every server in its own process on the
 * server core and one load-generator process on the client cores, then measures run by run, workload by workload,
 * target by target — interleaved, so drift on the machine touches every target alike.
 */
import { resolveTarget } from '@wsmatrix/targets';
import { prepareTargets, TCP_TARGET, type TargetResolver } from './bench-targets.js';
import { DEFAULT_MAX_HOLD_MS } from './load/run-job.js';
import { allowedCpus, describeMachine, hasTaskset, planPinning } from './machine.js';
import {
  checkProcessEntries,
  type ClientProcess,
  type ProcessRuntime,
  type ServerProcess,
  startClientProcess,
  startServerProcess,
} from './processes.js';
import { type BenchResult, type BenchTarget, RESULT_SCHEMA } from './result.js';
import { addRatios, summarizeCell } from './summary.js';
import { cellKey, measureLoop, type LoopTarget } from './measure-loop.js';
import { TCP_ECHO_STYLE } from './tcp-echo.js';
import { describeMalloc, type MallocMode } from './allocator.js';
import { waitForQuiet } from './quiet.js';
import { selectWorkloads, unitOf } from './workloads.js';

export const DEFAULT_TARGETS = ['core', 'ws', 'uws'] as const;
/** Measured in every benchmark: ratios are taken against them. */
const REFERENCE_TARGETS = ['ws', 'tcp'] as const;

export interface BenchOptions {
  /**
   * Targets to measure: embedded, external (the shipped targets file) or an npm release (NAME@VERSION); ws and tcp
   * are always added. Default DEFAULT_TARGETS. A name that names nothing throws before anything starts.
   */
  targets?: readonly string[];
  /** How a name becomes a target. Default: @wsmatrix/targets' resolveTarget, which server processes use too. */
  resolveTarget?: TargetResolver;
  /** Servers the user runs, measured beside the targets (not started, not pinned, CPU not measured). */
  urls?: readonly UrlServer[];
  /** Workload ids or group names (handshake, small, large, fragmented, all). Default all. */
  workloads?: readonly string[];
  /** Measured seconds per run. Default 2: shorter windows hold too few 1 MiB messages to ride out host hiccups. */
  durationSec?: number;
  /** Runs per workload and target (the median is reported). Default 5: a median of 3 moves with one bad run. */
  runs?: number;
  /** Traffic before each measured window. Default a quarter of the duration, 0.1–0.5 s. */
  warmupSec?: number;
  /** Unmeasured seconds per workload × target before run 1, so every process runs optimised code. Default 1. */
  warmupRoundSec?: number;
  /** Pin server and client to different cores when possible. Default true. */
  pin?: boolean;
  /** Longest wait for a quiet machine before a measurement; a noisy run is measured again once. Default 10000. */
  quietWaitMs?: number;
  /** Hold each window open until this many messages or connections completed in it (see RunJobOptions). */
  minCompleted?: number;
  /** C allocator settings of every process. Default 'steady' (see allocator.ts). */
  malloc?: MallocMode;
  /** 'dist' (default): our compiled JavaScript with plain node, as deployed; 'tsx': the TypeScript sources. */
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

/** A running server to measure, by URL (ws://host:port/). */
export interface UrlServer {
  name: string;
  url: string;
  version: string;
}

export async function runBenchmark(options: BenchOptions = {}): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const durationSec = options.durationSec ?? 2;
  const runs = options.runs ?? 5;
  const warmupSec = options.warmupSec ?? Math.min(0.5, Math.max(0.1, durationSec / 4));
  const warmupRoundSec = options.warmupRoundSec ?? 1;
  const workloads = selectWorkloads(options.workloads ?? ['all']);
  const progress = options.onProgress ?? (() => {});
  const asked = [...new Set([...(options.targets ?? DEFAULT_TARGETS), ...REFERENCE_TARGETS])];
  const resolve = options.resolveTarget ?? ((name: string) => resolveTarget(name, { onInstall: progress }));
  const ready = await prepareTargets(asked, resolve);
  const quietWaitMs = options.quietWaitMs ?? 10000;
  const malloc = options.malloc ?? 'steady';
  const runtime = options.runtime ?? 'dist';

  const machine = describeMachine();
  const pinning = planPinning(allowedCpus(), hasTaskset(), options.pin ?? true);
  progress(`machine: ${machine.cores} cores, ${machine.cpuModel}, node ${machine.node}; ${pinning.note}`);
  progress(describeMalloc(malloc));
  checkProcessEntries(runtime);
  progress(runtime === 'dist' ? 'processes: compiled JavaScript (dist/)' : 'processes: TypeScript sources through tsx');
  const servers = new Map<string, ServerProcess>();
  let client: ClientProcess | undefined;
  try {
    client = await startClientProcess({ cpus: pinning.clientCpus, malloc, runtime });
    const targets: BenchTarget[] = [];
    for (const { name, error } of ready) {
      const deflate = isDeflateTarget(name) ? { deflate: true } : {};
      if (error !== undefined) {
        progress(`${name}: not measured: ${error}`);
        targets.push({ name, implementation: name, version: 'unknown', options: {}, ...deflate, error });
        continue;
      }
      try {
        const server = await startServerProcess(name, { cpus: pinning.serverCpus, malloc, runtime });
        servers.set(name, server);
        const { implementation, version, options } = server.info;
        targets.push({ name, implementation, version, options, ...deflate });
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        progress(`${name}: cannot start: ${why}`);
        targets.push({ name, implementation: name, version: 'unknown', options: {}, ...deflate, error: why });
      }
    }
    progress(`started: ${[...servers.keys()].join(', ')} and the load generator`);
    const urlServers = options.urls ?? [];
    for (const u of urlServers) {
      targets.push({ name: u.name, implementation: u.name, version: u.version, options: {}, url: u.url });
    }

    const { minCompleted } = options;
    const loopTargets: LoopTarget[] = [
      ...[...servers].map(
        ([name, server]): LoopTarget => ({
          name,
          serverPid: server.info.pid,
          jobFor: (workload) => {
            const { host, port } = server.info;
            const protocol = name === TCP_TARGET ? 'tcp' : 'ws';
            return { workload, host, port, protocol, deflate: isDeflateTarget(name) };
          },
        }),
      ),
      ...urlServers.map((u): LoopTarget => {
        const parsed = new URL(u.url);
        const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
        const port = parsed.port === '' ? 80 : Number(parsed.port);
        return { name: u.name, serverPid: undefined, jobFor: (workload) => ({ workload, host, port, protocol: 'ws' }) };
      }),
    ];
    const { runsOf, failuresOf } = await measureLoop({
      workloads,
      targets: loopTargets,
      runs,
      warmupRoundSec,
      jobOptions: {
        warmupMs: warmupSec * 1000,
        durationMs: durationSec * 1000,
        threads: pinning.clientThreads,
        minCompleted,
      },
      timeoutMs: (warmupSec + durationSec) * 1000 + (minCompleted ? DEFAULT_MAX_HOLD_MS : 0) + 30000,
      quietWaitMs,
      runJob: client.run,
      waitForQuiet,
      progress,
    });

    const cells = workloads.flatMap((workload) =>
      loopTargets.map(({ name }) => {
        const k = cellKey(workload.id, name);
        return summarizeCell(workload, name, runsOf.get(k) ?? [], failuresOf.get(k) ?? [], pinning.clientThreads);
      }),
    );
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
    await Promise.all([client?.stop(), ...[...servers.values()].map((s) => s.stop())]);
  }
}
