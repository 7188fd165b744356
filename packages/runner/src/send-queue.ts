import type net from 'node:net';

/** One queued write. `bytes` is called when the write reaches the socket, so a frame can be made late. */
interface QueuedWrite {
  bytes: () => Buffer;
  chop: number;
  sync: boolean;
  /** Written on its own with a turn of the event loop after it: chopped, sync, or queued behind such a write. */
  paced?: boolean;
  /** Called once the write is done or dropped; absent for fire-and-forget writes. */
  done: (() => void) | null;
  /** Not bytes: end the connection here, once everything before it was written. */
  end?: true;
}

/**
 * First in, first out with O(1) push and shift: a head index into an array that is compacted once the
 * consumed prefix outweighs what is left, so a long-lived queue never shifts its whole backing array.
 */
class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  drain(): T[] {
    const rest = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return rest;
  }
}

/**
 * Writes to one socket strictly in order, paced as AutobahnPython (0.10.9, the version its testsuite runs)
 * paces them on Twisted:
 * - its sendData queues every chopped piece and every sync write, and a later plain write too while that
 *   queue is not empty; otherwise a plain write goes to the transport at once. Plain writes made in the
 *   same reactor turn leave together, so here the socket is corked until the next tick;
 * - the queue is drained one entry per reactor turn: each entry is written, then the next is scheduled
 *   with callLater(10 µs). Twisted sends a write during the turn's poll step, and CPython 2.7's epoll
 *   rounds that 10 µs timeout down to 0 ms, so pieces are one turn apart (tens of µs), not a millisecond;
 *   the poll step also reads what the peer sent in between. Here: one write handed to the kernel, then
 *   one turn of the event loop (which polls the socket) before the next;
 * - TCP_NODELAY is set (Autobahn's tcpNoDelay defaults to true), so every piece leaves as its own segment.
 * Whether a server reads two pieces apart or together is still up to its scheduler: cases that depend on
 * it (an echo expected before a bad frame that follows) can differ from run to run, in Autobahn's runs as
 * in ours; `--repeat` measures that instead of hiding it.
 * A write that waits longer than `drainMs` for a peer that stopped reading calls `onStall`.
 *
 * Pongs are coalesced: while one is still waiting in the queue (the socket is backed up, earlier writes
 * are pending, or the read that carried the Ping is still being parsed), a newer Ping only replaces its
 * payload, as RFC 6455 5.5.3 allows answering just the most recent Ping. A server streaming Pings
 * therefore costs one queued write per read at most, not one per Ping.
 */
export class SendQueue {
  private readonly items = new Fifo<QueuedWrite>();
  private pumping = false;
  private corked = false;
  /** Payload for the Pong waiting in the queue, or null when no Pong is waiting. */
  private pendingPong: Buffer | null = null;
  private pumpScheduled = false;
  /** Paced writes queued and not yet written: while any is, a plain write is paced too (Autobahn's sendData). */
  private pacedWaiting = 0;

  constructor(
    private readonly socket: net.Socket,
    /** Called for every write that reaches the socket (statistics, wire log). */
    private readonly onWrite: (data: Buffer, sync: boolean) => void,
    private readonly drainMs: number,
    private readonly onStall: (reason: string) => void,
    /** The other end, as result texts name it ("server" or "client"). */
    private readonly peer: string = 'server',
  ) {}

  /** Resolves when the bytes were handed to the socket (and flushed, for chopped or sync writes). */
  push(data: Buffer, chop = 0, sync = false): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((done) => this.enqueue({ bytes: () => data, chop, sync, done }));
  }

  /**
   * Queues a Pong whose frame `encode` makes from the payload when it is written. If a Pong is already
   * waiting, only its payload changes: no second write, no frame encoded (or logged) for the older Ping.
   */
  pushPong(payload: Buffer, encode: (payload: Buffer) => Buffer): void {
    if (this.socket.destroyed) return;
    const waiting = this.pendingPong !== null;
    this.pendingPong = payload;
    if (waiting) return;
    this.enqueueDeferred({
      bytes: () => {
        const bytes = encode(this.pendingPong ?? payload);
        this.pendingPong = null;
        return bytes;
      },
      chop: 0,
      sync: false,
      done: null,
    });
  }

  /**
   * Like enqueue, but an idle queue starts writing only once the current synchronous work is over, so
   * every Ping parsed from the same read is answered by one Pong.
   */
  private enqueueDeferred(item: QueuedWrite): void {
    this.markPaced(item);
    this.items.push(item);
    if (this.pumping || this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      if (!this.pumping) void this.pump();
    });
  }

  /**
   * Twisted's loseConnection: once everything queued so far has been written, the socket is ended and
   * then closed, whether or not the peer ends its side.
   */
  endAfterWrites(): void {
    if (this.socket.destroyed) return;
    this.enqueue({ bytes: () => Buffer.alloc(0), chop: 0, sync: false, done: null, end: true });
  }

  /** Releases everything still waiting (the connection is gone). */
  clear(): void {
    this.pendingPong = null;
    for (const item of this.items.drain()) this.finish(item);
  }

  private enqueue(item: QueuedWrite): void {
    this.markPaced(item);
    this.items.push(item);
    if (!this.pumping) void this.pump();
  }

  private markPaced(item: QueuedWrite): void {
    if (item.end) return;
    if (item.chop > 0 || item.sync || this.pacedWaiting > 0) {
      item.paced = true;
      this.pacedWaiting++;
    }
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (let item = this.items.shift(); item !== undefined; item = this.items.shift()) {
        if (this.socket.destroyed) {
          this.finish(item);
          continue;
        }
        if (item.end) {
          this.uncork();
          const socket = this.socket;
          socket.end(() => socket.destroy());
          continue;
        }
        const data = item.bytes();
        if (item.chop > 0) {
          this.uncork();
          for (let offset = 0; offset < data.length && !this.socket.destroyed; offset += item.chop) {
            await this.writeFlushed(data.subarray(offset, offset + item.chop), false);
          }
        } else if (item.paced) {
          this.uncork();
          await this.writeFlushed(data, item.sync);
        } else {
          this.cork();
          this.onWrite(data, false);
          if (!this.socket.write(data)) await this.waitDrain();
        }
        this.finish(item);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The item is written (or dropped); a paced one leaves Autobahn's queue only now, after its last piece. */
  private finish(item: QueuedWrite): void {
    if (item.paced) this.pacedWaiting--;
    item.done?.();
  }

  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => this.uncork());
  }

  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  /** One write that reached the kernel, then one turn of the event loop, so it leaves as its own segment. */
  private writeFlushed(data: Buffer, sync: boolean): Promise<void> {
    const socket = this.socket;
    return new Promise((resolve) => {
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        socket.off('close', settle);
        setImmediate(resolve);
      };
      socket.once('close', settle);
      this.onWrite(data, sync);
      const ok = socket.write(data, settle);
      if (!ok) void this.waitDrain();
    });
  }

  private waitDrain(): Promise<void> {
    const socket = this.socket;
    if (socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        socket.off('drain', finish);
        socket.off('close', finish);
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        this.onStall(`${this.peer} stopped reading: a write waited more than ${this.drainMs} ms`);
      }, this.drainMs);
      socket.once('drain', finish);
      socket.once('close', finish);
    });
  }
}
