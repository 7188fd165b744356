/** From job results to runs, and from runs to the summarised cells with their ratios. */
import { COMPRESSIBLE_PAYLOAD_KIND } from './compressible-payload.js';
import type { JobResult } from './load/run-job.js';
import type { DeflateTally } from './load/types.js';
import { QUIET_THRESHOLD } from './quiet.js';
import type { BenchCell, BenchRun, CellDeflate, RunDeflate } from './result.js';
import { LatencyHistogram, median, spread } from './stats.js';
import { unitOf, type Workload } from './workloads.js';

/** A client this close to its cores' limit is likely what held the figure back. */
const BOUND_THRESHOLD = 0.9;

/** Other processes took a noticeable share of the machine during the run. */
export function isNoisy(run: BenchRun): boolean {
  return run.otherCpu !== null && run.otherCpu > QUIET_THRESHOLD;
}

function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

export function toRun(workload: Workload, job: JobResult): BenchRun {
  const seconds = job.elapsedMs / 1000;
  const perSecond = job.completed / seconds;
  const value = workload.kind === 'echo' && workload.measure === 'bytes' ? job.payloadBytes / seconds / 1e6 : perSecond;
  const latency = LatencyHistogram.fromSparse(job.latency);
  const cpuSeconds = job.cpuWallMs > 0 ? job.cpuWallMs : job.elapsedMs;
  return {
    value,
    perSecond,
    completed: job.completed,
    payloadBytes: job.payloadBytes,
    sent: job.sent,
    received: job.received,
    elapsedMs: job.elapsedMs,
    p50Us: finiteOrNull(latency.percentile(50)),
    p99Us: finiteOrNull(latency.percentile(99)),
    clientCpu: job.clientCpuMs / cpuSeconds,
    serverCpu: job.serverCpuMs === undefined ? null : job.serverCpuMs / cpuSeconds,
    otherCpu:
      job.machineCpuMs === undefined || job.serverCpuMs === undefined
        ? null
        : Math.max(0, job.machineCpuMs - job.serverCpuMs - job.clientCpuMs) / cpuSeconds,
    errorCount: job.errorCount,
    errors: job.errors,
    ...(job.deflate ? { deflate: runDeflate(job.deflate) } : {}),
  };
}

function runDeflate(t: DeflateTally): RunDeflate {
  const replyBytes = t.replies * t.messageBytes;
  return {
    replies: t.replies,
    compressedReplies: t.compressedReplies,
    wireRatio: replyBytes > 0 ? t.replyWireBytes / replyBytes : null,
    sentRatio: t.messageBytes > 0 ? t.messageWireBytes / t.messageBytes : 1,
  };
}

/** The runs' compression together; undefined when no run was a deflate echo job. */
function cellDeflate(runs: readonly BenchRun[]): CellDeflate | undefined {
  const measured = runs.flatMap((r) => (r.deflate ? [r.deflate] : []));
  if (measured.length === 0) return undefined;
  return {
    payload: COMPRESSIBLE_PAYLOAD_KIND,
    sentRatio: measured[0]!.sentRatio,
    wireRatio: medianOf(measured.map((d) => d.wireRatio)),
    replies: measured.reduce((a, d) => a + d.replies, 0),
    uncompressedReplies: measured.reduce((a, d) => a + d.replies - d.compressedReplies, 0),
  };
}

function medianOf(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? median(present) : null;
}

/** Summarises the runs of one cell (ratios are filled in by addRatios). `failures` are runs that did not complete. */
export function summarizeCell(
  workload: Workload,
  target: string,
  runs: BenchRun[],
  failures: string[],
  clientCores: number,
): BenchCell {
  const values = runs.map((r) => r.value);
  const clientCpu = medianOf(runs.map((r) => r.clientCpu));
  const serverCpu = medianOf(runs.map((r) => r.serverCpu));
  const otherCpu = medianOf(runs.map((r) => r.otherCpu));
  const deflate = cellDeflate(runs);
  return {
    workload: workload.id,
    target,
    unit: unitOf(workload),
    runs,
    median: values.length ? median(values) : null,
    min: values.length ? Math.min(...values) : null,
    max: values.length ? Math.max(...values) : null,
    spread: values.length ? spread(values) : null,
    p50Us: medianOf(runs.map((r) => r.p50Us)),
    p99Us: medianOf(runs.map((r) => r.p99Us)),
    clientCpu,
    serverCpu,
    otherCpu,
    ratioToWs: null,
    ratioToTcp: null,
    clientBound: clientCpu !== null && clientCpu >= BOUND_THRESHOLD * clientCores,
    serverBound: serverCpu !== null && serverCpu >= BOUND_THRESHOLD,
    noisy: runs.some(isNoisy),
    errors: [...failures, ...new Set(runs.flatMap((r) => r.errors))].slice(0, 5),
    ...(deflate ? { deflate } : {}),
  };
}

/**
 * Median of the per-run ratios of `cell` to `reference` (run k with run k); null unless both have the
 * same number of runs, all with a positive reference value.
 */
export function pairedRatio(cell: BenchCell, reference: BenchCell | undefined): number | null {
  if (reference === undefined || cell.runs.length === 0 || cell.runs.length !== reference.runs.length) return null;
  const ratios: number[] = [];
  for (let k = 0; k < cell.runs.length; k++) {
    const ref = reference.runs[k]!.value;
    if (!(ref > 0)) return null;
    ratios.push(cell.runs[k]!.value / ref);
  }
  return median(ratios);
}

/** `cell`'s median over the reference's; null unless both have one, the reference's above 0. */
function ratio(cell: BenchCell, reference: BenchCell | undefined): number | null {
  const ref = reference?.median;
  return cell.median !== null && ref != null && ref > 0 ? cell.median / ref : null;
}

/** Fills the ratios to ws and tcp (of the medians, and paired run by run) from the same workload's cells. */
export function addRatios(cells: BenchCell[]): BenchCell[] {
  return cells.map((c) => {
    const [ws, tcp] = ['ws', 'tcp'].map((t) => cells.find((r) => r.workload === c.workload && r.target === t));
    const [ratioToWs, ratioToTcp] = [ratio(c, ws), ratio(c, tcp)];
    return { ...c, ratioToWs, ratioToTcp, pairedRatioToWs: pairedRatio(c, ws), pairedRatioToTcp: pairedRatio(c, tcp) };
  });
}
