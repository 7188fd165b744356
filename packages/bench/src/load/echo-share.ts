/**
 * Echo load: each connection keeps `inFlight` messages outstanding. A read chunk is walked once for
 * the number of replies it completes, and as many new messages go out in ONE write of a pre-built
 * buffer — no per-message callback, allocation or write.
 */
import { buildCloseFrame } from '../frames.js';
import { ReplyCounter } from '../reply-counter.js';
import type { EchoWorkload } from '../workloads.js';
import { ClientConnection } from './client-connection.js';
import { buildEchoMessage, type EchoMessage } from './echo-message.js';
import { ShareTally } from './share-tally.js';
import {
  absNow,
  type DeflateTally,
  type LoadJob,
  type LoadShare,
  type MeasureWindow,
  type ShareResult,
} from './types.js';
import { Upgrade } from './upgrade.js';
import { WindowGate } from './window-gate.js';

/** How long to wait for outstanding replies and for the close handshake at the end. */
const DRAIN_TIMEOUT_MS = 5000;
const CLOSE_TIMEOUT_MS = 2000;

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
    private readonly tally: ShareTally,
  ) {
    conn.receiver = (chunk, start, end) => this.onBytes(chunk, start, end);
  }

  start(inFlight: number): void {
    this.sending = true;
    this.send(inFlight, absNow());
  }

  /** Resolves once no message is outstanding. */
  whenDrained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drained = resolve;
    });
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
    this.inFlight -= replies;
    this.retire(replies, now, this.tally.completed(replies, now));
    if (this.sending && this.tally.gate.isClosed(now)) this.sending = false;
    if (this.sending) this.send(replies, now);
    else if (this.inFlight <= 0 && this.drained) this.drained();
  }

  /** Takes `count` replies off the send-time ring, recording their latency when inside the window. */
  private retire(count: number, now: number, measured: boolean): void {
    let left = count;
    while (left > 0 && this.batches.length > 0) {
      const oldest = this.batches[0]!;
      const take = Math.min(left, oldest.count);
      if (measured) this.tally.latency.record((now - oldest.at) * 1000, take);
      left -= take;
      oldest.count -= take;
      if (oldest.count === 0) this.batches.shift();
    }
    if (left > 0) this.tally.error(new Error(`${left} more replies than messages sent`));
  }
}

export class EchoShare implements LoadShare {
  private connections: EchoConnection[] = [];
  private readonly tally = new ShareTally();
  private readonly bytes: EchoMessage;

  constructor(
    private readonly job: LoadJob & { workload: EchoWorkload },
    private readonly connectionCount: number,
    private readonly readBuffer: Buffer,
  ) {
    this.bytes = buildEchoMessage(job.workload, job.deflate ?? false);
  }

  async prepare(): Promise<void> {
    const { host, port, protocol } = this.job;
    const upgrade = new Upgrade(host, port, this.job.deflate ?? false);
    const open = () => ClientConnection.open({ host, port, protocol, upgrade, readBuffer: this.readBuffer });
    const opened = await Promise.all(Array.from({ length: this.connectionCount }, open));
    this.connections = opened.map((conn) => new EchoConnection(conn, this.bytes, this.tally));
  }

  async run(window: MeasureWindow): Promise<ShareResult> {
    const tally = this.tally;
    tally.gate = new WindowGate(window);
    for (const c of this.connections) c.start(this.job.workload.inFlight);
    // Connections whose replies stop coming would never notice the end of the window themselves.
    await tally.gate.whenClosed(absNow);
    for (const c of this.connections) c.sending = false;
    const drained = await withTimeout(Promise.all(this.connections.map((c) => c.whenDrained())), DRAIN_TIMEOUT_MS);
    if (!drained) tally.error(new Error('replies still missing after the drain timeout'));
    else if (tally.received !== tally.sent)
      tally.error(new Error(`sent ${tally.sent} messages, got ${tally.received} replies`));
    const deflate = this.job.deflate ? this.deflateTally() : undefined;
    this.verify(deflate);
    const closeFrame = buildCloseFrame();
    await Promise.all(this.connections.map((c) => this.closeConnection(c, closeFrame)));
    // What the user gets: whole messages × their uncompressed size, whatever crossed the wire.
    const result = tally.result(tally.gate.completed * this.job.workload.size);
    return deflate ? { ...result, deflate } : result;
  }

  /**
   * Plain replies must be whole uncompressed messages of the size sent (counted messages × size = payload
   * bytes walked). Compressed replies have no known size on the wire, so only their count is checked (in
   * run()) and that every one was compressed: an uncompressed echo would make this no deflate figure.
   */
  private verify(deflate: DeflateTally | undefined): void {
    const size = this.job.workload.size;
    for (const { counter, conn } of this.connections) {
      const { messages, compressedMessages, payloadBytes } = counter;
      if (!deflate && payloadBytes !== messages * size)
        this.tally.error(new Error(`replies carried ${payloadBytes} payload bytes, expected ${messages} × ${size}`));
      if (!deflate && compressedMessages > 0)
        this.tally.error(new Error(`${compressedMessages} replies had RSV1 set, but no extension was negotiated`));
      if (conn.error) this.tally.error(conn.error);
    }
    if (deflate && deflate.compressedReplies !== deflate.replies) {
      const uncompressed = deflate.replies - deflate.compressedReplies;
      this.tally.error(new Error(`${uncompressed} of ${deflate.replies} replies came back uncompressed (RSV1 clear)`));
    }
  }

  private deflateTally(): DeflateTally {
    const counters = this.connections.map((c) => c.counter);
    const sum = (pick: (c: ReplyCounter) => number): number => counters.reduce((a, c) => a + pick(c), 0);
    return {
      messageBytes: this.job.workload.size,
      messageWireBytes: this.bytes.wireBytes,
      replies: sum((c) => c.messages),
      compressedReplies: sum((c) => c.compressedMessages),
      replyWireBytes: sum((c) => c.payloadBytes),
    };
  }

  private async closeConnection(c: EchoConnection, closeFrame: Buffer): Promise<void> {
    const socket = c.conn.socket;
    if (this.job.protocol === 'ws') socket.write(closeFrame);
    else socket.end();
    if (!(await withTimeout(c.conn.closed, CLOSE_TIMEOUT_MS))) socket.destroy();
  }
}

/** True if `promise` settled within `ms`. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
