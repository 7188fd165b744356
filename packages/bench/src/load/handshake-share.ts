/**
 * Handshake load: `loops` loops, each opening a connection, completing the upgrade, doing the close
 * handshake and waiting for TCP to close, then starting over (see HandshakeLoop). Against the raw TCP
 * echo the same loop sends the same bytes (request, then a close frame), reads their echo, and closes.
 */
import { buildCloseFrame } from '../frames.js';
import type { HandshakeWorkload } from '../workloads.js';
import { HandshakeLoop } from './handshake-loop.js';
import { ShareTally } from './share-tally.js';
import { absNow, type LoadJob, type LoadShare, type MeasureWindow, type ShareResult } from './types.js';
import { Upgrade } from './upgrade.js';
import { WindowGate } from './window-gate.js';

/**
 * How often one timer looks for cycles over the timeout, instead of a timer per cycle: a cycle is
 * abandoned between 1 and 1.25 timeouts after it began.
 */
const SWEEPS_PER_TIMEOUT = 4;

export class HandshakeShare implements LoadShare {
  constructor(
    private readonly job: LoadJob & { workload: HandshakeWorkload },
    private readonly loops: number,
    private readonly readBuffer: Buffer,
    /** A cycle that takes longer than this is abandoned and counted as an error. */
    private readonly cycleTimeoutMs = 5000,
  ) {}

  async prepare(): Promise<void> {}

  run(window: MeasureWindow): Promise<ShareResult> {
    const { host, port, protocol } = this.job;
    const tally = new ShareTally();
    tally.gate = new WindowGate(window);
    // Deflate targets pay for negotiating the extension in every handshake, as their users do.
    const upgrade = new Upgrade(host, port, this.job.deflate ?? false);
    const spec = { host, port, protocol, upgrade, closeFrame: buildCloseFrame(), readBuffer: this.readBuffer };
    return new Promise((resolve) => {
      let running = this.loops;
      const stopped = (): void => {
        if (--running > 0) return;
        clearInterval(sweep);
        resolve(tally.result(0));
      };
      const loops = Array.from({ length: this.loops }, () => new HandshakeLoop(spec, tally, stopped));
      const sweep = setInterval(() => {
        const deadline = absNow() - this.cycleTimeoutMs;
        for (const loop of loops) loop.expire(deadline);
      }, this.cycleTimeoutMs / SWEEPS_PER_TIMEOUT);
      for (const loop of loops) loop.start();
    });
  }
}
