import type net from 'node:net';

/**
 * Writes to one socket strictly in order, the way Autobahn's Twisted transport puts bytes on the wire:
 * - plain writes made in the same turn of the event loop leave together (the socket is corked until the
 *   next tick), as Twisted flushes everything written during one reactor iteration at once;
 * - a chopped write goes out `chop` octets per write with a turn of the event loop between pieces;
 * - a sync write is flushed on its own before anything else is written.
 * A write that waits longer than `drainMs` for a server that stopped reading calls `onStall`.
 */
export class SendQueue {
  private readonly items: Array<{ data: Buffer; chop: number; sync: boolean; done: () => void }> = [];
  private pumping = false;
  private corked = false;

  constructor(
    private readonly socket: net.Socket,
    /** Called for every write that reaches the socket (statistics, wire log). */
    private readonly onWrite: (data: Buffer, sync: boolean) => void,
    private readonly drainMs: number,
    private readonly onStall: (reason: string) => void,
  ) {}

  /** Resolves when the bytes were handed to the socket (and flushed, for chopped or sync writes). */
  push(data: Buffer, chop = 0, sync = false): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((done) => {
      this.items.push({ data, chop, sync, done });
      if (!this.pumping) void this.pump();
    });
  }

  /** Releases everything still waiting (the connection is gone). */
  clear(): void {
    for (const item of this.items.splice(0)) item.done();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.items.length > 0) {
        const item = this.items.shift()!;
        if (this.socket.destroyed) {
          item.done();
          continue;
        }
        if (item.chop > 0) {
          this.uncork();
          for (let offset = 0; offset < item.data.length && !this.socket.destroyed; offset += item.chop) {
            await this.writeFlushed(item.data.subarray(offset, offset + item.chop), false);
          }
        } else if (item.sync) {
          this.uncork();
          await this.writeFlushed(item.data, true);
        } else {
          this.cork();
          this.onWrite(item.data, false);
          if (!this.socket.write(item.data)) await this.waitDrain();
        }
        item.done();
      }
    } finally {
      this.pumping = false;
    }
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
        this.onStall(`server stopped reading: a write waited more than ${this.drainMs} ms`);
      }, this.drainMs);
      socket.once('drain', finish);
      socket.once('close', finish);
    });
  }
}
