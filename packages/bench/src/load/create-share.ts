import type { EchoWorkload, HandshakeWorkload } from '../workloads.js';
import { EchoShare } from './echo-share.js';
import { HandshakeShare } from './handshake-share.js';
import type { LoadJob, LoadShare } from './types.js';

/** Size of the read buffer shared by every socket of a thread: big reads mean few callbacks. */
const READ_BUFFER_SIZE = 256 * 1024;
let threadReadBuffer: Buffer | undefined;

/** The share of `job` that runs `units` connections (echo) or loops (handshake) in this thread. */
export function createShare(job: LoadJob, units: number): LoadShare {
  threadReadBuffer ??= Buffer.allocUnsafe(READ_BUFFER_SIZE);
  const { workload } = job;
  if (workload.kind === 'handshake')
    return new HandshakeShare(job as LoadJob & { workload: HandshakeWorkload }, units, threadReadBuffer);
  return new EchoShare(job as LoadJob & { workload: EchoWorkload }, units, threadReadBuffer);
}

/** How many connections or loops the job has in all. */
export function unitsOf(job: LoadJob): number {
  return job.workload.kind === 'handshake' ? job.workload.loops : job.workload.connections;
}

/** `units` split as evenly as possible over `threads` (never an empty share). */
export function splitUnits(units: number, threads: number): number[] {
  const n = Math.max(1, Math.min(units, threads));
  return Array.from({ length: n }, (_, i) => Math.floor(units / n) + (i < units % n ? 1 : 0));
}
