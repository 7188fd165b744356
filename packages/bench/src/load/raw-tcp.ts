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
import type { Connect, ConnectionEvents, CycleConnection } from './cycle-connection.js';

interface TcpHandle {
  onread: (() => void) | null;
  connect(req: ConnectReq, address: string, port: number): number;
  connect6(req: ConnectReq, address: string, port: number): number;
  setNoDelay(on: boolean): number;
  useUserBuffer(buffer: Uint8Array): void;
  readStart(): number;
  writeBuffer(req: WriteReq, data: Uint8Array): number;
  shutdown(req: ShutdownReq): number;
  close(): void;
}
interface ConnectReq {
  oncomplete: (status: number) => void;
}
/** Write and shutdown requests: `owner` is ours, to find the connection from a shared callback. */
interface WriteReq {
  handle: TcpHandle;
  oncomplete: (this: WriteReq, status: number) => void;
  async: boolean;
  buffer: Uint8Array | null;
  owner: RawConnection;
}
interface ShutdownReq {
  handle: TcpHandle;
  oncomplete: (this: ShutdownReq, status: number) => void;
  owner: RawConnection;
}
interface Binding {
  TCP: new (type: number) => TcpHandle;
  socketType: number;
  TCPConnectWrap: new () => ConnectReq;
  WriteWrap: new () => WriteReq;
  ShutdownWrap: new () => ShutdownReq;
  /** Where a read callback finds how many bytes were read (or the error), and whether a write went async. */
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
  UV_EOF: number;
  UV_ENOTCONN: number;
}

function loadBinding(): Binding | undefined {
  try {
    const binding = (process as unknown as { binding(name: string): Record<string, any> }).binding;
    const tcp = binding('tcp_wrap');
    const stream = binding('stream_wrap');
    const uv = binding('uv');
    const methods = ['connect', 'connect6', 'setNoDelay', 'useUserBuffer', 'readStart', 'writeBuffer', 'shutdown', 'close'];
    const usable =
      typeof tcp.TCP === 'function' && methods.every((m) => typeof tcp.TCP.prototype[m] === 'function') &&
      typeof tcp.constants?.SOCKET === 'number' && typeof tcp.TCPConnectWrap === 'function' &&
      typeof stream.WriteWrap === 'function' && typeof stream.ShutdownWrap === 'function' &&
      stream.streamBaseState instanceof Int32Array &&
      typeof stream.kReadBytesOrError === 'number' && typeof stream.kLastWriteWasAsync === 'number' &&
      typeof uv.UV_EOF === 'number' && typeof uv.UV_ENOTCONN === 'number';
    if (!usable) return undefined;
    return {
      TCP: tcp.TCP, socketType: tcp.constants.SOCKET, TCPConnectWrap: tcp.TCPConnectWrap,
      WriteWrap: stream.WriteWrap, ShutdownWrap: stream.ShutdownWrap, streamBaseState: stream.streamBaseState,
      kReadBytesOrError: stream.kReadBytesOrError, kLastWriteWasAsync: stream.kLastWriteWasAsync,
      UV_EOF: uv.UV_EOF, UV_ENOTCONN: uv.UV_ENOTCONN,
    };
  } catch {
    return undefined;
  }
}

const binding = loadBinding();

/** Connects on a bare handle; undefined where this Node lacks the internals. Hosts must be IP literals (no lookup). */
export const rawTcp: Connect | undefined =
  binding && ((host, port, readBuffer, events) => new RawConnection(binding, host, port, readBuffer, events));

/** An Error like node:net's: message "connect ECONNREFUSED 127.0.0.1:80", code "ECONNREFUSED". */
function uvError(status: number, syscall: string, address?: string): Error {
  const code = getSystemErrorName(status);
  return Object.assign(new Error(`${syscall} ${code}${address ? ` ${address}` : ''}`), { code, errno: status, syscall });
}

/** Completion of a write or shutdown that did not finish at once: shared, the request knows its connection. */
function onWriteComplete(this: WriteReq, status: number): void {
  if (status < 0) this.owner.fail(uvError(status, 'write'));
}
function onShutdownComplete(this: ShutdownReq, status: number): void {
  if (status < 0) this.owner.fail(uvError(status, 'shutdown'));
}

class RawConnection implements CycleConnection {
  private readonly handle: TcpHandle;
  private closed = false;

  constructor(
    private readonly b: Binding,
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
    handle.onread = () => this.onRead();
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
