/**
 * An accepted TCP connection on its bare libuv handle, without net.Socket around it: no Duplex stream
 * states, buffered-write bookkeeping or nextTick hops, and no timer refresh on every read and write.
 * At thousands of handshakes a second net.Socket's construction, teardown and per-event machinery were
 * a large share of the server's CPU per connection.
 *
 * What it keeps of net.Socket's contract (see ServerSocket): writes go to the kernel at once, and what
 * it could not take yet counts in `writableLength` until libuv finishes it ('drain' when all is out);
 * end() sends FIN once pending writes are out (libuv's shutdown waits for them); a peer FIN emits
 * 'end' and the socket closes once both directions are done; destroy() closes the handle and 'close'
 * follows asynchronously, once, after any 'error'. Reads go through a ReadRoute into the server's
 * shared buffer or a payload block, never as 'data' events.
 *
 * The idle timeout is lazy: activity only stamps a time, and the one timer checks the stamp when it
 * fires and re-arms itself for the rest of the period.
 */
import { EventEmitter } from 'node:events';
import { getSystemErrorName } from 'node:util';
import type { LibuvStreams, ShutdownRequest, TcpHandle, WriteRequest } from './libuv-stream.js';
import type { ServerSocket } from './server-socket.js';
import type { ReadRoute } from './read-route.js';

/** Like node:net's errors: message "read ECONNRESET", code "ECONNRESET". */
function uvError(status: number, syscall: string): Error {
  const code = getSystemErrorName(status);
  return Object.assign(new Error(`${syscall} ${code}`), { code, errno: status, syscall });
}

// Shared callbacks: libuv calls them with the handle or request as `this`; `owner` leads back to us.
function onHandleRead(this: TcpHandle): Uint8Array | undefined {
  return (this.owner as RawSocket).onRead();
}
function onWriteComplete(this: WriteRequest, status: number): void {
  (this.owner as RawSocket).writeDone(this, status);
}
function onShutdownComplete(this: ShutdownRequest, status: number): void {
  (this.owner as RawSocket).shutdownDone(status);
}

export class RawSocket extends EventEmitter implements ServerSocket {
  destroyed = false;
  writableLength = 0;

  private readonly uv: LibuvStreams;
  private readonly handle: TcpHandle;
  private readonly route: ReadRoute;
  private readonly shared: Buffer;
  /** The buffer the next read lands in; held so the memory libuv writes to stays alive. */
  private readTarget: Buffer;
  private reading = false;
  private paused = false;
  private peerEnded = false;
  private endCalled = false;
  private finSent = false;
  private corks = 0;
  private corked: Buffer[] = [];
  private closeError: Error | null = null;

  private timeoutMs = 0;
  private lastActive = 0;
  private timer: NodeJS.Timeout | null = null;
  private peer: { address?: string; port?: number } | null = null;

  constructor(uv: LibuvStreams, handle: TcpHandle, route: ReadRoute, shared: Buffer) {
    super();
    this.uv = uv;
    this.handle = handle;
    this.route = route;
    this.shared = shared;
    handle.owner = this;
    handle.onread = onHandleRead;
    this.readTarget = shared.subarray(0, route.readBytes);
    handle.useUserBuffer(this.readTarget);
    this.startReading();
  }

  get writable(): boolean {
    return !this.destroyed && !this.endCalled;
  }

  get remoteAddress(): string | undefined {
    return this.peerName().address;
  }

  get remotePort(): number | undefined {
    return this.peerName().port;
  }

  write(data: Buffer | string, _encoding?: 'latin1'): boolean {
    if (this.destroyed || this.endCalled) return false;
    if (this.corks !== 0 && typeof data !== 'string') {
      this.corked.push(data);
      this.writableLength += data.length;
      return true;
    }
    const req = this.writeRequest();
    const err =
      typeof data === 'string' ? this.handle.writeLatin1String(req, data) : this.handle.writeBuffer(req, data);
    this.dispatched(req, err, data, data.length);
    return this.writableLength === 0;
  }

  cork(): void {
    this.corks++;
  }

  uncork(): void {
    if (this.corks === 0 || --this.corks !== 0) return;
    const parts = this.corked;
    if (parts.length === 0) return;
    this.corked = [];
    let bytes = 0;
    for (const p of parts) bytes += p.length;
    // The corked bytes were counted when queued; the write request counts them from here on.
    this.writableLength -= bytes;
    if (this.destroyed || this.endCalled) return;
    const req = this.writeRequest();
    const err = parts.length === 1 ? this.handle.writeBuffer(req, parts[0]!) : this.handle.writev(req, parts, true);
    this.dispatched(req, err, parts, bytes);
  }

  end(data?: string): this {
    if (data !== undefined) this.write(data, 'latin1');
    if (this.endCalled || this.destroyed) return this;
    this.uncorkAll();
    this.endCalled = true;
    const req = new this.uv.ShutdownWrap();
    req.handle = this.handle;
    req.oncomplete = onShutdownComplete;
    req.owner = this;
    const err = this.handle.shutdown(req);
    // 1: done at once (Node's convention for a synchronous completion).
    if (err === 1) this.shutdownDone(0);
    else if (err !== 0) this.failSoon(err === this.uv.UV_ENOTCONN ? null : uvError(err, 'shutdown'));
    return this;
  }

  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.closeError = error ?? null;
    this.clearTimer();
    this.reading = false;
    this.handle.close(() => this.closed());
    return this;
  }

  pause(): this {
    this.paused = true;
    if (this.reading) {
      this.reading = false;
      this.handle.readStop();
    }
    return this;
  }

  resume(): this {
    this.paused = false;
    this.startReading();
    return this;
  }

  setNoDelay(noDelay = true): this {
    if (!this.destroyed) this.handle.setNoDelay(noDelay);
    return this;
  }

  setTimeout(ms: number): this {
    this.clearTimer();
    this.timeoutMs = ms;
    if (ms > 0 && !this.destroyed) {
      this.lastActive = Date.now();
      this.armTimer(ms);
    }
    return this;
  }

  // ---- called by libuv through the shared callbacks ---------------------------------------

  /** A read finished; returns where the next one should land. */
  onRead(): Uint8Array | undefined {
    const n = this.uv.streamBaseState[this.uv.kReadBytesOrError]!;
    if (this.destroyed) return undefined;
    if (n > 0) {
      this.touch();
      const listener = this.route.listener;
      if (listener !== null) listener(this.readTarget.subarray(0, n));
      if (this.destroyed) return undefined;
      const route = this.route;
      const next =
        route.direct ??
        (route.readBytes === this.readTarget.length && this.readTarget.buffer === this.shared.buffer
          ? this.readTarget
          : this.shared.subarray(0, route.readBytes));
      if (next === this.readTarget) return undefined;
      this.readTarget = next;
      return next;
    }
    if (n === this.uv.UV_EOF) {
      this.peerEnded = true;
      if (this.reading) {
        this.reading = false;
        this.handle.readStop();
      }
      this.emit('end');
      this.maybeClose();
    } else if (n < 0) {
      this.destroy(uvError(n, 'read'));
    }
    return undefined;
  }

  writeDone(req: WriteRequest, status: number): void {
    req.buffer = null;
    if (this.destroyed) return;
    if (status < 0) {
      this.destroy(uvError(status, 'write'));
      return;
    }
    this.writableLength -= req.bytes;
    this.touch();
    if (this.writableLength === 0) this.emit('drain');
  }

  shutdownDone(status: number): void {
    if (this.destroyed) return;
    if (status < 0) {
      // ENOTCONN and friends: the peer is gone, there is nothing left to say.
      this.destroy(status === this.uv.UV_ENOTCONN ? undefined : uvError(status, 'shutdown'));
      return;
    }
    this.finSent = true;
    this.maybeClose();
  }

  // ---- internals -----------------------------------------------------------------------------

  private writeRequest(): WriteRequest {
    const req = new this.uv.WriteWrap();
    req.handle = this.handle;
    req.oncomplete = onWriteComplete;
    req.async = false;
    req.buffer = null;
    req.bytes = 0;
    req.owner = this;
    return req;
  }

  /** After a write was handed to libuv: late writes keep their bytes and count toward writableLength. */
  private dispatched(req: WriteRequest, err: number, data: Buffer | Buffer[] | string, bytes: number): void {
    if (err !== 0) {
      this.failSoon(uvError(err, 'write'));
      return;
    }
    this.touch();
    if (this.uv.streamBaseState[this.uv.kLastWriteWasAsync]) {
      req.async = true;
      req.buffer = data;
      req.bytes = bytes;
      this.writableLength += bytes;
    }
  }

  private uncorkAll(): void {
    if (this.corks === 0) return;
    this.corks = 1;
    this.uncork();
  }

  private startReading(): void {
    if (this.reading || this.paused || this.peerEnded || this.destroyed) return;
    const err = this.handle.readStart();
    if (err !== 0) this.failSoon(uvError(err, 'read'));
    else this.reading = true;
  }

  /** Both directions are done (peer FIN seen, ours sent): the connection is over. */
  private maybeClose(): void {
    if (this.peerEnded && this.finSent) this.destroy();
  }

  /** An error found inside a call: reported after the caller's own code has run, as node:net does. */
  private failSoon(error: Error | null): void {
    process.nextTick(() => this.destroy(error ?? undefined));
  }

  private closed(): void {
    if (this.closeError !== null && this.listenerCount('error') > 0) this.emit('error', this.closeError);
    this.emit('close', this.closeError !== null);
  }

  private touch(): void {
    if (this.timeoutMs === 0) return;
    this.lastActive = Date.now();
    if (this.timer === null) this.armTimer(this.timeoutMs);
  }

  private armTimer(ms: number): void {
    this.timer = setTimeout(() => this.onTimer(), ms);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private onTimer(): void {
    this.timer = null;
    if (this.destroyed || this.timeoutMs === 0) return;
    const idle = Date.now() - this.lastActive;
    if (idle < this.timeoutMs) {
      this.armTimer(this.timeoutMs - idle);
      return;
    }
    // Like net.Socket: one 'timeout' per idle period; the next activity arms the timer again.
    this.emit('timeout');
  }

  private peerName(): { address?: string; port?: number } {
    if (this.peer === null && !this.destroyed) {
      const out: { address?: string; port?: number } = {};
      if (this.handle.getpeername(out) === 0) this.peer = out;
    }
    return this.peer ?? {};
  }
}
