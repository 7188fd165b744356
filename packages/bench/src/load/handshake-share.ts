/**
 * Handshake load: `loops` loops, each opening a connection, completing the upgrade, doing the close
 * handshake and waiting for TCP to close, then starting over (see HandshakeLoop). Against the raw TCP
 * echo the same loop sends the same bytes (request, then a close frame), reads their echo, and closes.
 */
import { generateKey } from '@wsmatrix/protocol';
import { buildCloseFrame } from '../frames.js';
import { upgradeRequest } from '../handshake.js';
import { LatencyHistogram } from '../stats.js';
import type { HandshakeWorkload } from '../workloads.js';
import { type CycleRecorder, HandshakeLoop } from './handshake-loop.js';
import { absNow, ErrorLog, type LoadJob, type LoadShare, type MeasureWindow, type ShareResult } from './types.js';
import { UpgradeCheck } from './upgrade-check.js';
import { WindowGate } from './window-gate.js';

/** A cycle that takes longer than this is abandoned and counted as an error. */
export const CYCLE_TIMEOUT_MS = 5000;
/**
 * How often one timer looks for cycles over the timeout, instead of a timer per cycle: a cycle is
 * abandoned between 1 and 1.25 timeouts after it began.
 */
const SWEEPS_PER_TIMEOUT = 4;

export class HandshakeShare implements LoadShare {
  private readonly request: Buffer;
  private readonly closeFrame = buildCloseFrame();
  private readonly check: UpgradeCheck;

  constructor(
    private readonly job: LoadJob & { workload: HandshakeWorkload },
    private readonly loops: number,
    private readonly readBuffer: Buffer,
    private readonly cycleTimeoutMs = CYCLE_TIMEOUT_MS,
  ) {
    // Deflate targets pay for negotiating the extension in every handshake, as their users do.
    const key = generateKey();
    this.request = upgradeRequest(job.host, job.port, key, job.deflate ?? false);
    this.check = new UpgradeCheck(key, job.deflate ?? false);
  }

  async prepare(): Promise<void> {}

  run(window: MeasureWindow): Promise<ShareResult> {
    const gate = new WindowGate(window);
    const tally = new CycleTally(gate);
    const spec = {
      host: this.job.host,
      port: this.job.port,
      protocol: this.job.protocol,
      request: this.request,
      closeFrame: this.closeFrame,
      check: this.check,
      readBuffer: this.readBuffer,
    };
    return new Promise((resolve) => {
      let running = this.loops;
      const stopped = (): void => {
        if (--running > 0) return;
        clearInterval(sweep);
        resolve(tally.result());
      };
      const loops = Array.from(
        { length: this.loops },
        () => new HandshakeLoop(spec, tally, (now) => gate.isClosed(now), stopped),
      );
      const sweep = setInterval(() => {
        const deadline = absNow() - this.cycleTimeoutMs;
        for (const loop of loops) loop.expire(deadline);
      }, this.cycleTimeoutMs / SWEEPS_PER_TIMEOUT);
      for (const loop of loops) loop.start();
    });
  }
}

/** Counts the cycles of all loops; only those completing inside the window are measured. */
class CycleTally implements CycleRecorder {
  private readonly latency = new LatencyHistogram();
  private readonly errors = new ErrorLog();
  private begun = 0;
  private finished = 0;

  constructor(private readonly gate: WindowGate) {}

  started(): void {
    this.begun++;
  }

  succeeded(began: number): void {
    this.finished++;
    const done = absNow();
    if (this.gate.record(1, done)) this.latency.record((done - began) * 1000);
  }

  failed(err: unknown): void {
    this.errors.add(err);
  }

  result(): ShareResult {
    const { gate, errors } = this;
    return {
      completed: gate.completed,
      windowEnd: gate.end,
      payloadBytes: 0,
      sent: this.begun,
      received: this.finished,
      latency: this.latency.toSparse(),
      errorCount: errors.count,
      errors: errors.first,
    };
  }
}
