/**
 * Client connections on bare libuv TCP handles, the ones net.Socket wraps, without the net.Socket:
 * no Duplex, stream states, event emitter or nextTick hops per connection. Against a uWS server on
 * the 2-core VM a handshake cycle cost the client ~70 µs of CPU this way against ~100 µs through
 * net.Socket (kernel work included), the difference between the load generator or the server being
 * the limit.
 *
 * The handles come from process.binding('tcp_wrap' / 'stream_wrap'): Node internals, deprecated for
 * users (DEP0111, documentation-only: it warns only under --pending-deprecation). Their shape is
 * checked once; when anything is missing `rawTcp` is undefined and callers use net.Socket instead.
 * Used the way node:net uses them (lib/net.js, lib/internal/stream_base_commons.js, Node 20).
 */
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import { loadLibuvStreams, type LibuvStreams, type ShutdownRequest, type TcpHandle, type WriteRequest } from '@wsmatrix/core';
import type { Connect, ConnectionEvents, CycleConnection } from './cycle-connection.js';

/** Write and shutdown requests carry their connection in `owner`, to find it from a shared callback. */
type OwnedWrite = WriteRequest & { owner: RawConnection };
type OwnedShutdown = ShutdownRequest & { owner: RawConnection };

const binding = loadLibuvStreams();

/** Connects on a bare handle; undefined where this Node lacks the internals. Hosts must be IP literals (no lookup). */
export const rawTcp: Connect | undefined =
  binding && ((host, port, readBuffer, events) => new RawConnection(binding, host, port, readBuffer, events));

/** An Error like node:net's: message "connect ECONNREFUSED 127.0.0.1:80", code "ECONNREFUSED". */
function uvError(status: number, syscall: string, address?: string): Error {
  const code = getSystemErrorName(status);
  return Object.assign(new Error(`${syscall} ${code}${address ? ` ${address}` : ''}`), { code, errno: status, syscall });
}

/** Completion of a write or shutdown that did not finish at once: shared, the request knows its connection. */
function onWriteComplete(this: WriteRequest, status: number): void {
  if (status < 0) (this as OwnedWrite).owner.fail(uvError(status, 'write'));
}
function onShutdownComplete(this: ShutdownRequest, status: number): void {
  if (status < 0) (this as OwnedShutdown).owner.fail(uvError(status, 'shutdown'));
}

class RawConnection implements CycleConnection {
  private readonly handle: TcpHandle;
  private closed = false;

  constructor(
    private readonly b: LibuvStreams,
    private readonly host: string,
    private readonly port: number,
    private readonly readBuffer: Buffer,
    private readonly events: ConnectionEvents,
  ) {
    const family = net.isIP(host);
    if (family === 0) throw new Error(`raw tcp connects to IP addresses only, not "${host}"`);
    // node:net checks this in JS before its handle sees the port; so must we.
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`port must be 1-65535, got ${port}`);
    const handle = new b.TCP(b.socketType);
    this.handle = handle;
    // Applied by libuv when it creates the socket, in connect().
    handle.setNoDelay(true);
    handle.useUserBuffer(readBuffer);
    handle.onread = () => {
      this.onRead();
      return undefined; // the next read lands in the same buffer
    };
    const req = new b.TCPConnectWrap();
    req.oncomplete = (status) => this.onConnect(status);
    const err = family === 6 ? handle.connect6(req, host, port) : handle.connect(req, host, port);
    if (err !== 0) {
      handle.close();
      throw uvError(err, 'connect', `${host}:${port}`);
    }
  }

  write(data: Buffer): void {
    if (this.closed) return;
    const req = new this.b.WriteWrap();
    req.handle = this.handle;
    req.oncomplete = onWriteComplete;
    req.async = false;
    req.buffer = null;
    req.owner = this;
    const err = this.handle.writeBuffer(req, data);
    if (err !== 0) this.failSoon(uvError(err, 'write'));
    // Not all taken by the kernel at once: keep the bytes alive until the write completes.
    else if (this.b.streamBaseState[this.b.kLastWriteWasAsync]) req.buffer = data;
  }

  end(): void {
    if (this.closed) return;
    const req = new this.b.ShutdownWrap();
    req.handle = this.handle;
    req.oncomplete = onShutdownComplete;
    req.owner = this;
    const err = this.handle.shutdown(req);
    // 1: done at once; ENOTCONN: the peer already went.
    if (err !== 0 && err !== 1 && err !== this.b.UV_ENOTCONN) this.failSoon(uvError(err, 'shutdown'));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.close();
  }

  /** Reports an error (once, and never after close()). */
  fail(err: Error): void {
    if (!this.closed) this.events.failed(this, err);
  }

  /** From inside write()/end(): reported on the next tick, as node:net does, so the caller finishes first. */
  private failSoon(err: Error): void {
    process.nextTick(() => this.fail(err));
  }

  private onConnect(status: number): void {
    // A handle closed while connecting still completes its request (ECANCELED): ignored.
    if (this.closed) return;
    if (status < 0) {
      this.fail(uvError(status, 'connect', `${this.host}:${this.port}`));
      return;
    }
    const err = this.handle.readStart();
    if (err !== 0) this.fail(uvError(err, 'read'));
    else this.events.connected(this);
  }

  private onRead(): void {
    if (this.closed) return;
    const n = this.b.streamBaseState[this.b.kReadBytesOrError]!;
    if (n > 0) this.events.read(this, this.readBuffer, n);
    else if (n === this.b.UV_EOF) this.events.ended(this);
    else if (n < 0) this.fail(uvError(n, 'read'));
  }
}
