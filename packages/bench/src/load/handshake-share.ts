/**
 * Handshake load: `loops` loops, each opening a connection, completing the upgrade, doing the close
 * handshake and waiting for TCP to close, then starting over (see HandshakeLoop). Against the raw TCP
 * echo the same loop sends the same bytes (request, then a close frame), reads their echo, and closes.
 */
import net from 'node:net';
import { buildCloseFrame } from '../frames.js';
import { buildUpgradeRequest, randomKey } from '../handshake.js';
import { LatencyHistogram } from '../stats.js';
import type { HandshakeWorkload } from '../workloads.js';
import { type Connect, connectNet } from './cycle-connection.js';
import { type CycleRecorder, HandshakeLoop } from './handshake-loop.js';
import { rawTcp } from './raw-tcp.js';
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

export type HandshakeTransport = 'raw' | 'net';

export interface HandshakeShareOptions {
  /** Default CYCLE_TIMEOUT_MS. */
  cycleTimeoutMs?: number;
  /**
   * Bare libuv handles ('raw', the default where this Node has them and the host is an IP address:
   * far cheaper per connection, see raw-tcp.ts) or net.Socket ('net').
   */
  transport?: HandshakeTransport;
}

/** The transport a share uses unless told: raw where it can. */
export function defaultTransport(host: string): HandshakeTransport {
  return rawTcp !== undefined && net.isIP(host) !== 0 ? 'raw' : 'net';
}

export class HandshakeShare implements LoadShare {
  private readonly key = randomKey();
  private readonly request: Buffer;
  private readonly closeFrame = buildCloseFrame();
  private readonly check: UpgradeCheck;
  private readonly cycleTimeoutMs: number;
  private readonly connect: Connect;

  constructor(
    private readonly job: LoadJob & { workload: HandshakeWorkload },
    private readonly loops: number,
    private readonly readBuffer: Buffer,
    opts: HandshakeShareOptions = {},
  ) {
    // Deflate targets pay for negotiating the extension in every handshake, as their users do.
    this.request = buildUpgradeRequest(job.host, job.port, this.key, { deflate: job.deflate ?? false });
    this.check = new UpgradeCheck(this.key, job.deflate ?? false);
    this.cycleTimeoutMs = opts.cycleTimeoutMs ?? CYCLE_TIMEOUT_MS;
    const transport = opts.transport ?? defaultTransport(job.host);
    if (transport === 'raw' && rawTcp === undefined) throw new Error(`raw tcp handles are not available in this Node (${process.version})`);
    this.connect = transport === 'raw' ? rawTcp! : connectNet;
  }

  async prepare(): Promise<void> {}

  run(window: MeasureWindow): Promise<ShareResult> {
    const gate = new WindowGate(window);
    const tally = new CycleTally(gate);
    const spec = {
      host: this.job.host, port: this.job.port, protocol: this.job.protocol,
      request: this.request, closeFrame: this.closeFrame, check: this.check, readBuffer: this.readBuffer, connect: this.connect,
    };
    return new Promise((resolve) => {
      let running = this.loops;
      const stopped = (): void => {
        if (--running > 0) return;
        clearInterval(sweep);
        resolve(tally.result());
      };
      const loops = Array.from({ length: this.loops }, () => new HandshakeLoop(spec, tally, (now) => gate.isClosed(now), stopped));
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
    return {
      completed: this.gate.completed,
      windowEnd: this.gate.end,
      payloadBytes: 0,
      sent: this.begun,
      received: this.finished,
      latency: this.latency.toSparse(),
      errorCount: this.errors.count,
      errors: this.errors.first,
    };
  }
}
