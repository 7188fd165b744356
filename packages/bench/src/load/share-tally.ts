/** What one share counts while it runs, and its result: both kinds of share (echo, handshake) use it. */
import { LatencyHistogram } from '../stats.js';
import type { ShareResult } from './types.js';
import { WindowGate } from './window-gate.js';

export class ShareTally {
  /** Decides what counts; a share that opens its connections before the window gets it with run(). */
  gate = new WindowGate({ start: Infinity, end: Infinity });
  /** Messages (or connection cycles) begun and replies (or cycles) completed, over the whole job. */
  sent = 0;
  received = 0;
  readonly latency = new LatencyHistogram();
  errorCount = 0;
  /** The first few error messages, never thousands of them. */
  readonly errors: string[] = [];

  error(err: unknown): void {
    this.errorCount++;
    if (this.errors.length < 5) this.errors.push(err instanceof Error ? err.message : String(err));
  }

  /** `count` replies (or cycles) completed at `now`; true when inside the window (then measure their latency). */
  completed(count: number, now: number): boolean {
    this.received += count;
    return this.gate.record(count, now);
  }

  result(payloadBytes: number): ShareResult {
    const { gate, sent, received, errorCount, errors } = this;
    return {
      completed: gate.completed,
      windowEnd: gate.end,
      payloadBytes,
      sent,
      received,
      errorCount,
      errors,
      latency: this.latency.toSparse(),
    };
  }
}
