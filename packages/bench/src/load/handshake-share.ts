/**
 * Handshake load: `loops` loops, each opening a connection, completing the upgrade, doing the close
 * handshake and waiting for TCP to close, then starting over. Against the raw TCP echo the same loop
 * sends the same bytes (request, then a close frame), reads their echo, and closes.
 */
import { buildCloseFrame } from '../frames.js';
import { buildUpgradeRequest, randomKey } from '../handshake.js';
import { ReplyCounter } from '../reply-counter.js';
import { LatencyHistogram } from '../stats.js';
import type { HandshakeWorkload } from '../workloads.js';
import { ClientConnection } from './client-connection.js';
import { withTimeout } from './echo-share.js';
import { absNow, ErrorLog, type LoadJob, type LoadShare, type MeasureWindow, type ShareResult } from './types.js';

/** A cycle that takes longer than this is abandoned and counted as an error. */
const CYCLE_TIMEOUT_MS = 5000;

export class HandshakeShare implements LoadShare {
  private readonly key = randomKey();
  private readonly request: Buffer;
  private readonly closeFrame = buildCloseFrame();
  private readonly latency = new LatencyHistogram();
  private readonly errors = new ErrorLog();
  private completed = 0;
  private started = 0;
  private finished = 0;

  constructor(
    private readonly job: LoadJob & { workload: HandshakeWorkload },
    private readonly loops: number,
    private readonly readBuffer: Buffer,
  ) {
    // Deflate targets pay for negotiating the extension in every handshake, as their users do.
    this.request = buildUpgradeRequest(job.host, job.port, this.key, { deflate: job.deflate ?? false });
  }

  async prepare(): Promise<void> {}

  async run(window: MeasureWindow): Promise<ShareResult> {
    await Promise.all(Array.from({ length: this.loops }, () => this.loop(window)));
    return {
      completed: this.completed,
      payloadBytes: 0,
      sent: this.started,
      received: this.finished,
      latency: this.latency.toSparse(),
      errorCount: this.errors.count,
      errors: this.errors.first,
    };
  }

  private async loop(window: MeasureWindow): Promise<void> {
    while (absNow() < window.end) {
      const began = absNow();
      this.started++;
      try {
        const cycle = this.job.protocol === 'ws' ? this.wsCycle() : this.tcpCycle();
        if (!(await withTimeout(cycle, CYCLE_TIMEOUT_MS))) throw new Error('connection cycle timed out');
      } catch (err) {
        this.errors.add(err);
        continue;
      }
      this.finished++;
      const done = absNow();
      if (done >= window.start && done < window.end) {
        this.completed++;
        this.latency.record((done - began) * 1000);
      }
    }
  }

  /** Open, upgrade, close handshake, TCP close. */
  private async wsCycle(): Promise<void> {
    const { host, port } = this.job;
    const conn = await ClientConnection.open({
      host, port, protocol: 'ws', request: this.request, key: this.key, deflate: this.job.deflate, readBuffer: this.readBuffer,
    });
    const counter = new ReplyCounter();
    conn.setReceiver((chunk, start, end) => counter.push(chunk, start, end));
    conn.socket.write(this.closeFrame);
    const closed = await withTimeout(conn.closed, CYCLE_TIMEOUT_MS);
    if (!closed) conn.socket.destroy();
    if (counter.closeFrames !== 1) throw new Error(`expected the server's close frame, got ${counter.closeFrames}`);
    if (conn.error) throw conn.error;
  }

  /** Same bytes through the raw echo: request out and back, close frame out and back, then FIN. */
  private async tcpCycle(): Promise<void> {
    const { host, port } = this.job;
    const conn = await ClientConnection.open({ host, port, protocol: 'tcp', request: this.request, key: this.key, readBuffer: this.readBuffer });
    const wanted = [this.request.length, this.closeFrame.length];
    let got = 0;
    await new Promise<void>((resolve, reject) => {
      conn.setReceiver((_chunk, start, end) => {
        got += end - start;
        if (got === wanted[0]) conn.socket.write(this.closeFrame);
        else if (got === wanted[0]! + wanted[1]!) resolve();
      });
      conn.closed.then(() => reject(conn.error ?? new Error('closed before the echo came back')), reject);
      conn.socket.write(this.request);
    });
    conn.socket.end();
    await conn.closed;
  }
}
