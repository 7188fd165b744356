/**
 * The libuv TCP stream bindings that node:net is built on (process.binding('tcp_wrap' / 'stream_wrap' /
 * 'uv')), as far as our server sockets (RawSocket) need them. They are
 * Node internals, deprecated for users (DEP0111), so they are loaded only on request (the 'bare' socket
 * layer; never at import), and a shape check here is only the first gate: the server also proves the
 * layer by behaviour before using it (socket-layer.ts). Used the way Node 20's lib/net.js and
 * lib/internal/stream_base_commons.js use them.
 */

/** An accepted TCP handle (TCPWrap). `onread` is called with the handle as `this`. */
export interface TcpHandle {
  /** Must stay a function (the binding asserts it); reads stop when the handle closes. */
  onread: (this: TcpHandle) => Uint8Array | undefined;
  /** Ours: the object that reads from this handle. */
  owner: unknown;
  readStart(): number;
  readStop(): number;
  useUserBuffer(buffer: Uint8Array): void;
  writeBuffer(req: WriteRequest, data: Uint8Array): number;
  writeLatin1String(req: WriteRequest, data: string): number;
  writev(req: WriteRequest, chunks: Uint8Array[], allBuffers: true): number;
  shutdown(req: ShutdownRequest): number;
  close(onClose?: () => void): void;
  setNoDelay(on: boolean): number;
  getpeername(out: { address?: string; port?: number }): number;
}

/** A write request: libuv calls `oncomplete` with the request as `this` when a write finishes late. */
export interface WriteRequest {
  handle: TcpHandle;
  oncomplete: (this: WriteRequest, status: number) => void;
  async: boolean;
  /** Keeps the bytes of a late write alive until it completes. */
  buffer: Uint8Array | Uint8Array[] | string | null;
  bytes: number;
  owner: unknown;
}

export interface ShutdownRequest {
  handle: TcpHandle;
  oncomplete: (this: ShutdownRequest, status: number) => void;
  owner: unknown;
}

export interface LibuvStreams {
  /** The TCP handle class; accepted handles share its prototype, where the methods above are checked. */
  TCP: { prototype: TcpHandle };
  WriteWrap: new () => WriteRequest;
  ShutdownWrap: new () => ShutdownRequest;
  /** Where a read callback finds the byte count (or error), and whether the last write went async. */
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
  UV_EOF: number;
  UV_ENOTCONN: number;
}

const HANDLE_METHODS = [
  'readStart',
  'readStop',
  'useUserBuffer',
  'writeBuffer',
  'writeLatin1String',
  'writev',
  'shutdown',
  'close',
  'setNoDelay',
  'getpeername',
] as const;

/** The bindings, or why they cannot be used. */
function load(): LibuvStreams | string {
  try {
    // biome-ignore lint/suspicious/noExplicitAny: process.binding returns untyped internals, each member checked below
    const binding = (process as unknown as { binding(name: string): Record<string, any> }).binding;
    const tcp = binding('tcp_wrap');
    const stream = binding('stream_wrap');
    const uv = binding('uv');
    const proto = tcp.TCP?.prototype;
    const usable =
      proto !== undefined &&
      HANDLE_METHODS.every((m) => typeof proto[m] === 'function') &&
      typeof stream.WriteWrap === 'function' &&
      typeof stream.ShutdownWrap === 'function' &&
      stream.streamBaseState instanceof Int32Array &&
      typeof stream.kReadBytesOrError === 'number' &&
      typeof stream.kLastWriteWasAsync === 'number' &&
      typeof uv.UV_EOF === 'number' &&
      typeof uv.UV_ENOTCONN === 'number';
    if (!usable) return 'the tcp_wrap/stream_wrap bindings lack a method or constant RawSocket uses';
    return {
      TCP: tcp.TCP,
      WriteWrap: stream.WriteWrap,
      ShutdownWrap: stream.ShutdownWrap,
      streamBaseState: stream.streamBaseState,
      kReadBytesOrError: stream.kReadBytesOrError,
      kLastWriteWasAsync: stream.kLastWriteWasAsync,
      UV_EOF: uv.UV_EOF,
      UV_ENOTCONN: uv.UV_ENOTCONN,
    };
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    const message = err instanceof Error ? err.message : String(err);
    return `process.binding is not available (${typeof code === 'string' ? `${code}: ` : ''}${message})`;
  }
}

/** Loaded once, on the first request: one value per process, never per server. */
let loaded: LibuvStreams | string | undefined;

/**
 * The bindings, or a sentence saying why they are unusable (then the server runs on 'net'). Calls
 * process.binding on the first call only; nothing calls this unless bare handles were asked for.
 */
export function loadLibuvStreamsOrReason(): LibuvStreams | string {
  loaded ??= load();
  return loaded;
}

/** The bindings, or undefined where they are unusable. */
export function loadLibuvStreams(): LibuvStreams | undefined {
  const result = loadLibuvStreamsOrReason();
  return typeof result === 'string' ? undefined : result;
}

/** Whether `handle` (an accepted client handle) has every method a RawSocket calls. */
export function isTcpHandle(handle: unknown): handle is TcpHandle {
  if (typeof handle !== 'object' || handle === null) return false;
  const h = handle as Record<string, unknown>;
  return HANDLE_METHODS.every((m) => typeof h[m] === 'function');
}
