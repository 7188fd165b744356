/**
 * Echo load: each connection keeps `inFlight` messages outstanding. A read chunk is walked once for
 * the number of replies it completes, and as many new messages go out in ONE write of a pre-built
 * buffer — no per-message callback, allocation or write.
 */
import { generateKey } from '@wsmatrix/protocol';
import { buildCloseFrame } from '../frames.js';
import { upgradeRequest } from '../handshake.js';
import { ReplyCounter } from '../reply-counter.js';
import { LatencyHistogram } from '../stats.js';
import type { EchoWorkload } from '../workloads.js';
import { ClientConnection } from './client-connection.js';
import { buildEchoMessage, type EchoMessage } from './echo-message.js';
import {
  absNow,
  ErrorLog,
  type DeflateTally,
  type LoadJob,
  type LoadShare,
  type MeasureWindow,
  type ShareResult,
} from './types.js';
import { UpgradeCheck } from './upgrade-check.js';
import { WindowGate } from './window-gate.js';

/** How long to wait for outstanding replies and for the close handshake at the end. */
const DRAIN_TIMEOUT_MS = 5000;
const CLOSE_TIMEOUT_MS = 2000;

/** State shared by the connections of one share. */
interface ShareTally {
  gate: WindowGate;
  sent: number;
  received: number;
  latency: LatencyHistogram;
  errors: ErrorLog;
}

class EchoConnection {
  readonly counter = new ReplyCounter();
  inFlight = 0;
  sending = false;
  private drained: (() => void) | undefined;
  /** Send time and size of each outstanding batch, oldest first: replies come back in order. */
  private readonly batches: Array<{ at: number; count: number }> = [];

  constructor(
    readonly conn: ClientConnection,
    private readonly bytes: EchoMessage,
    private readonly workload: EchoWorkload,
    private readonly tally: ShareTally,
  ) {
    conn.setReceiver((chunk, start, end) => this.onBytes(chunk, start, end));
  }

  start(): void {
    this.sending = true;
    this.send(this.workload.inFlight, absNow());
  }

  /** Resolves once no message is outstanding. */
  whenDrained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => (this.drained = resolve));
  }

  private send(count: number, now: number): void {
    const { unit, batch } = this.bytes;
    const socket = this.conn.socket;
    if (batch) socket.write(batch.subarray(0, count * unit.length));
    else {
      socket.cork();
      for (let i = 0; i < count; i++) socket.write(unit);
      socket.uncork();
    }
    this.inFlight += count;
    this.tally.sent += count;
    this.batches.push({ at: now, count });
  }

  private onBytes(chunk: Buffer, start: number, end: number): void {
    const replies = this.counter.push(chunk, start, end);
    if (replies === 0) return;
    const now = absNow();
    const tally = this.tally;
    const inWindow = tally.gate.record(replies, now);
    this.inFlight -= replies;
    tally.received += replies;
    this.retire(replies, now, inWindow);
    if (this.sending && tally.gate.isClosed(now)) this.sending = false;
    if (this.sending) this.send(replies, now);
    else if (this.inFlight <= 0 && this.drained) this.drained();
  }

  /** Takes `count` replies off the send-time ring, recording their latency when inside the window. */
  private retire(count: number, now: number, record: boolean): void {
    let left = count;
    while (left > 0 && this.batches.length > 0) {
      const oldest = this.batches[0]!;
      const take = Math.min(left, oldest.count);
      if (record) this.tally.latency.record((now - oldest.at) * 1000, take);
      left -= take;
      oldest.count -= take;
      if (oldest.count === 0) this.batches.shift();
    }
    if (left > 0) this.tally.errors.add(new Error(`${left} more replies than messages sent`));
  }
}

export class EchoShare implements LoadShare {
  private connections: EchoConnection[] = [];
  private readonly tally: ShareTally;
  private readonly bytes: EchoMessage;
  private readonly closeFrame = buildCloseFrame();

  constructor(
    private readonly job: LoadJob & { workload: EchoWorkload },
    private readonly connectionCount: number,
    private readonly readBuffer: Buffer,
  ) {
    this.bytes = buildEchoMessage(job.workload, job.deflate ?? false);
    this.tally = {
      gate: new WindowGate({ start: Infinity, end: Infinity }),
      sent: 0,
      received: 0,
      latency: new LatencyHistogram(),
      errors: new ErrorLog(),
    };
  }

  async prepare(): Promise<void> {
    const { host, port, protocol } = this.job;
    const deflate = this.job.deflate ?? false;
    const key = generateKey();
    const request = upgradeRequest(host, port, key, deflate);
    const check = new UpgradeCheck(key, deflate);
    const opened = await Promise.all(
      Array.from({ length: this.connectionCount }, () =>
        ClientConnection.open({ host, port, protocol, request, check, readBuffer: this.readBuffer }),
      ),
    );
    this.connections = opened.map((conn) => new EchoConnection(conn, this.bytes, this.job.workload, this.tally));
  }

  async run(window: MeasureWindow): Promise<ShareResult> {
    const tally = this.tally;
    tally.gate = new WindowGate(window);
    for (const c of this.connections) c.start();
    // Connections whose replies stop coming would never notice the end of the window themselves.
    await tally.gate.whenClosed(absNow);
    for (const c of this.connections) c.sending = false;
    const drained = await withTimeout(Promise.all(this.connections.map((c) => c.whenDrained())), DRAIN_TIMEOUT_MS);
    if (!drained) tally.errors.add(new Error('replies still missing after the drain timeout'));
    else if (tally.received !== tally.sent)
      tally.errors.add(new Error(`sent ${tally.sent} messages, got ${tally.received} replies`));
    this.verify();
    await Promise.all(this.connections.map((c) => this.closeConnection(c)));
    const { gate, sent, received, errors } = tally;
    return {
      completed: gate.completed,
      windowEnd: gate.end,
      // What the user gets: whole messages × their uncompressed size, whatever crossed the wire.
      payloadBytes: gate.completed * this.job.workload.size,
      ...{ sent, received, latency: tally.latency.toSparse(), errorCount: errors.count, errors: errors.first },
      ...(this.job.deflate ? { deflate: this.deflateTally() } : {}),
    };
  }

  private verify(): void {
    if (this.job.deflate) this.verifyCompressed();
    else this.verifyPlain();
    for (const c of this.connections) if (c.conn.error) this.tally.errors.add(c.conn.error);
  }

  /** Every reply must be a whole uncompressed message of the size sent: counted messages × size = payload bytes walked. */
  private verifyPlain(): void {
    const size = this.job.workload.size;
    for (const c of this.connections) {
      const { messages, compressedMessages, payloadBytes } = c.counter;
      if (payloadBytes !== messages * size) {
        this.tally.errors.add(
          new Error(`replies carried ${payloadBytes} payload bytes, expected ${messages} × ${size}`),
        );
      }
      if (compressedMessages > 0)
        this.tally.errors.add(new Error(`${compressedMessages} replies had RSV1 set, but no extension was negotiated`));
    }
  }

  /**
   * Compressed replies have no known size on the wire, so only their count is checked (in run()) and
   * that every one was compressed: an uncompressed echo would make this no deflate figure.
   */
  private verifyCompressed(): void {
    const { replies, compressedReplies } = this.deflateTally();
    if (compressedReplies !== replies) {
      this.tally.errors.add(
        new Error(`${replies - compressedReplies} of ${replies} replies came back uncompressed (RSV1 clear)`),
      );
    }
  }

  private deflateTally(): DeflateTally {
    const tally = {
      messageBytes: this.job.workload.size,
      messageWireBytes: this.bytes.wireBytes,
      replies: 0,
      compressedReplies: 0,
      replyWireBytes: 0,
    };
    for (const { counter } of this.connections) {
      tally.replies += counter.messages;
      tally.compressedReplies += counter.compressedMessages;
      tally.replyWireBytes += counter.payloadBytes;
    }
    return tally;
  }

  private async closeConnection(c: EchoConnection): Promise<void> {
    const socket = c.conn.socket;
    if (this.job.protocol === 'ws') socket.write(this.closeFrame);
    else socket.end();
    if (!(await withTimeout(c.conn.closed, CLOSE_TIMEOUT_MS))) socket.destroy();
  }
}

export function sleepUntil(time: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, time - absNow())));
}

/** True if `promise` settled within `ms`. */
export async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
