/** The shape of a benchmark result: what `--json` prints and what is stored under matrix/results/bench/. */
import type { MachineInfo, PinningPlan } from './machine.js';

/**
 * Fields added since /1 first shipped are optional, so older results still read as /1. Results stored
 * while the bench had a machine-speed probe carry `probe` and `normalized` fields, never read.
 */
export const RESULT_SCHEMA = 'wsmatrix-bench/1';

/** Compression seen in one run of a permessage-deflate echo job. */
export interface RunDeflate {
  /** Replies over the whole job (warm-up and drain included), and how many came compressed (RSV1). */
  replies: number;
  compressedReplies: number;
  /** Reply payload bytes on the wire ÷ their uncompressed size (replies × message size): 0.2 = a fifth of it. */
  wireRatio: number | null;
  /** The same for the message the client sent (compressed once, before the run). */
  sentRatio: number;
}

/** Compression of one workload × deflate target, over its runs. */
export interface CellDeflate {
  /** What the messages carried (compressible data: random bytes would not compress). */
  payload: string;
  /** Compressed ÷ uncompressed size of the message the client sent. */
  sentRatio: number;
  /** Median over the runs of the replies' wire ratio. */
  wireRatio: number | null;
  /** Replies over all runs, and how many came back uncompressed (each run with some also has an error). */
  replies: number;
  uncompressedReplies: number;
}

/** One measured window of one workload against one target. */
export interface BenchRun {
  /** Headline figure in the workload's unit (conn/s, msg/s or MB/s). */
  value: number;
  /** Messages or connections completed per second. */
  perSecond: number;
  completed: number;
  payloadBytes: number;
  /** Messages (or connection cycles) sent and replies received over the whole job; equal when nothing was lost. */
  sent: number;
  received: number;
  elapsedMs: number;
  /** Latency percentiles in microseconds (round trip, or whole connection cycle for handshakes). */
  p50Us: number | null;
  p99Us: number | null;
  /** CPU used during the window, in cores (1 = one core busy the whole time). */
  clientCpu: number;
  serverCpu: number | null;
  /** CPU taken by every other process on the machine meanwhile (noise), in cores. */
  otherCpu: number | null;
  errorCount: number;
  errors: string[];
  /** Deflate echo jobs only. Throughput (value, payloadBytes) still counts uncompressed message bytes. */
  deflate?: RunDeflate;
}

/** The runs of one workload × target, summarised. */
export interface BenchCell {
  workload: string;
  target: string;
  unit: string;
  runs: BenchRun[];
  /** Medians over the runs; null when no run succeeded. */
  median: number | null;
  min: number | null;
  max: number | null;
  /** (max − min) / median. */
  spread: number | null;
  p50Us: number | null;
  p99Us: number | null;
  clientCpu: number | null;
  serverCpu: number | null;
  otherCpu: number | null;
  /** median / median of ws and of tcp for the same workload. */
  ratioToWs: number | null;
  ratioToTcp: number | null;
  /**
   * Median of value ÷ the reference's value in the same run, measured seconds apart (runs are
   * interleaved), so a drift of the whole machine cancels; null when runs do not pair up; absent in old results.
   */
  pairedRatioToWs?: number | null;
  pairedRatioToTcp?: number | null;
  /** The load generator was near its cores' limit: the figure is a lower bound for the server. */
  clientBound: boolean;
  serverBound: boolean;
  /** Other processes took a noticeable share of the machine during the runs. */
  noisy: boolean;
  /** Why runs failed or what went wrong inside them. */
  errors: string[];
  /** Echo workloads against a deflate target only. */
  deflate?: CellDeflate;
}

export interface BenchTarget {
  name: string;
  implementation: string;
  version: string;
  options: Record<string, unknown>;
  /**
   * True: measured over permessage-deflate. The client offered it to every connection (handshake
   * workloads included) and failed any whose server declined it.
   */
  deflate?: boolean;
  /** Set when the target could not be started; it then has no cells. */
  error?: string;
  /** A server the user runs, reached at this URL: not started or pinned by the benchmark, its CPU not measured. */
  url?: string;
}

export interface BenchResult {
  schema: typeof RESULT_SCHEMA;
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  pinning: PinningPlan;
  settings: {
    durationSec: number;
    warmupSec: number;
    runs: number;
    /** How the tcp ceiling echoes (TCP_ECHO_STYLE; results stored while there was a choice may name another). */
    tcpEcho: string;
    /** Longest wait for a quiet machine before each measurement (0: no waiting, no re-runs). */
    quietWaitMs: number;
    /** C allocator settings of every process (absent in results stored before it existed: glibc defaults). */
    malloc?: string;
    /** Unmeasured seconds per workload × target before the first run (0: none; absent in older results). */
    warmupRoundSec?: number;
    /** How the processes ran our code: 'dist' (compiled JS), 'bundle' (older: esbuild) or 'tsx' (absent: tsx). */
    runtime?: string;
  };
  targets: BenchTarget[];
  workloads: Array<{ id: string; title: string; unit: string }>;
  cells: BenchCell[];
}
