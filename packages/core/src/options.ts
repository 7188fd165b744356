/**
 * Limits and defaults of the server core (the table in this package's README). Every limit is configurable so tests
 * can inject small values; the defaults are safe for an Internet-facing echo server and still let
 * every Autobahn case pass (16 MiB single frames, 65 536-fragment messages).
 */
import type { DeflatePolicy } from '@wsmatrix/protocol';
import type { ConnectionHandler } from './connection-types.js';
import type { UpgradeRequest } from './request-head.js';
import { SOCKET_LAYERS, socketLayerFromEnv, type SocketLayer } from './socket-layer.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * permessage-deflate (RFC 7692). Off unless given. Window sizes and context takeover follow the
 * negotiation (packages/protocol permessage-deflate.ts); these fields set our own policy on top.
 */
export interface PerMessageDeflateOptions extends DeflatePolicy {
  /** zlib level for what we send (default: zlib's default, 6). */
  level?: number;
  /** zlib memLevel for what we send (default 8). */
  memLevel?: number;
  /** zlib jobs (compress or inflate, all connections of this server) running at once. Default 10. */
  concurrency?: number;
}

export interface ServerOptions {
  /** Largest message (single frame or reassembled) in bytes; beyond it → Close 1009. Default 32 MiB. */
  maxMessageSize?: number;
  /**
   * Least a fragment after a message's first is charged against maxMessageSize (its payload when larger),
   * per frame, never per TCP read: too many tiny fragments → 1008. Default 128.
   */
  partOverhead?: number;
  /** Own-server mode: a socket must complete its upgrade within this many ms of accept. Default 10 000. */
  handshakeTimeoutMs?: number;
  /** Own-server mode: largest request head in bytes (Node's `maxHeaderSize`) → 431. Default 16 KiB. */
  maxHeaderSize?: number;
  /** Most header fields in an upgrade request → 431. Default 100. */
  maxHeaderCount?: number;
  /** Longest request target (URL) in an upgrade request → 414. Default 8 KiB. */
  maxUrlLength?: number;
  /** Longest header line (`name: value`) in an upgrade request → 431. Default 8 KiB. */
  maxHeaderLineSize?: number;
  /** Open WebSocket connections; one more upgrade → 503. Default 10 000. */
  maxConnections?: number;
  /** Own-server mode: sockets accepted but not yet upgraded; more are destroyed at accept. Default 1 000. */
  maxPendingHandshakes?: number;
  /** Stop reading a socket while its queued output exceeds this many bytes. Default 1 MiB. */
  highWaterMark?: number;
  /** Resume reading once queued output is at or below this many bytes. Default 256 KiB. */
  lowWaterMark?: number;
  /** While reading is paused for backpressure: no write progress for this long → destroy. Default 30 000. */
  stallTimeoutMs?: number;
  /** After we send a Close: how long to wait for the peer's Close before destroying. Default 5 000. */
  closeTimeoutMs?: number;
  /**
   * After the close handshake completes or the connection fails, we end TCP at once and destroy the
   * socket if the peer has not closed its side within this many ms. Default 1 000 (Autobahn waits 1 s).
   */
  closeLingerMs?: number;
  /** `close()`: how long open connections get to answer our 1001 before they are destroyed. Default 1 000. */
  shutdownGraceMs?: number;
  /** No traffic in either direction for this long → Close 1001. 0 disables. Default 120 000. */
  idleTimeoutMs?: number;
  /** Only upgrades whose path (URL without query) equals this are handled. Default: any path. */
  path?: string | undefined;
  /** When set, an upgrade whose Origin is not listed (exact match) → 403. Default: any origin. */
  allowedOrigins?: readonly string[] | undefined;
  /** Picks a subprotocol among those offered; a value not offered is ignored. Default: none chosen. */
  selectProtocol?: ((offered: readonly string[], req: UpgradeRequest) => string | undefined) | undefined;
  /** Per-connection callbacks (can be replaced per connection in the 'connection' event). */
  handler?: ConnectionHandler | undefined;
  /**
   * Negotiate permessage-deflate (true = default policy). Default false: offers are declined. The
   * inflated size of a message is bounded by maxMessageSize (1009), checked while inflating.
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions | undefined;
  /**
   * Own-server mode's socket layer (socket-layer.ts): 'net' (the default) uses net.Server's own sockets
   * and their 'data' events, public API only. Opt-in, both on taken-over accepts (a Node internal) and
   * used only after a loopback check of their behaviour passes, else 'net': 'shared-reads' wraps accepted
   * connections in net.Socket reading into one shared buffer; 'bare' runs them on their bare libuv TCP
   * handles (RawSocket, process.binding). The layer in effect is `server.socketLayer` (with
   * `server.socketLayerFallback` saying why when it differs). attach() always uses node:http's sockets.
   * The default can be set for a whole process with the environment variable
   * WSMATRIX_CORE_SOCKETS=net|shared-reads|bare (the tests run every one).
   */
  socketLayer?: SocketLayer | undefined;
}

export interface ResolvedOptions {
  maxMessageSize: number;
  partOverhead: number;
  handshakeTimeoutMs: number;
  maxHeaderSize: number;
  maxHeaderCount: number;
  maxUrlLength: number;
  maxHeaderLineSize: number;
  maxConnections: number;
  maxPendingHandshakes: number;
  highWaterMark: number;
  lowWaterMark: number;
  stallTimeoutMs: number;
  closeTimeoutMs: number;
  closeLingerMs: number;
  shutdownGraceMs: number;
  idleTimeoutMs: number;
  path: string | undefined;
  allowedOrigins: ReadonlySet<string> | undefined;
  selectProtocol: ((offered: readonly string[], req: UpgradeRequest) => string | undefined) | undefined;
  handler: ConnectionHandler;
  perMessageDeflate: PerMessageDeflateOptions | undefined;
  socketLayer: SocketLayer;
}

export const DEFAULTS = Object.freeze({
  maxMessageSize: 32 * MiB,
  partOverhead: 128,
  handshakeTimeoutMs: 10_000,
  maxHeaderSize: 16 * KiB,
  maxHeaderCount: 100,
  maxUrlLength: 8 * KiB,
  maxHeaderLineSize: 8 * KiB,
  maxConnections: 10_000,
  maxPendingHandshakes: 1_000,
  highWaterMark: 1 * MiB,
  lowWaterMark: 256 * KiB,
  stallTimeoutMs: 30_000,
  closeTimeoutMs: 5_000,
  closeLingerMs: 1_000,
  shutdownGraceMs: 1_000,
  idleTimeoutMs: 120_000,
});

type NumericKey = keyof typeof DEFAULTS;

function pick(options: ServerOptions, key: NumericKey, min: number): number {
  const value = options[key] ?? DEFAULTS[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`option ${key} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** Fills in defaults and checks every value; throws RangeError on nonsense. */
export function resolveOptions(options: ServerOptions = {}): ResolvedOptions {
  const resolved: ResolvedOptions = {
    maxMessageSize: pick(options, 'maxMessageSize', 1),
    partOverhead: pick(options, 'partOverhead', 0),
    handshakeTimeoutMs: pick(options, 'handshakeTimeoutMs', 1),
    maxHeaderSize: pick(options, 'maxHeaderSize', 1024),
    maxHeaderCount: pick(options, 'maxHeaderCount', 1),
    maxUrlLength: pick(options, 'maxUrlLength', 1),
    maxHeaderLineSize: pick(options, 'maxHeaderLineSize', 1),
    maxConnections: pick(options, 'maxConnections', 1),
    maxPendingHandshakes: pick(options, 'maxPendingHandshakes', 1),
    highWaterMark: pick(options, 'highWaterMark', 1),
    lowWaterMark: pick(options, 'lowWaterMark', 0),
    stallTimeoutMs: pick(options, 'stallTimeoutMs', 1),
    closeTimeoutMs: pick(options, 'closeTimeoutMs', 1),
    closeLingerMs: pick(options, 'closeLingerMs', 1),
    shutdownGraceMs: pick(options, 'shutdownGraceMs', 0),
    idleTimeoutMs: pick(options, 'idleTimeoutMs', 0),
    path: options.path,
    allowedOrigins: options.allowedOrigins ? new Set(options.allowedOrigins) : undefined,
    selectProtocol: options.selectProtocol,
    handler: options.handler ?? {},
    perMessageDeflate:
      options.perMessageDeflate === true
        ? {}
        : options.perMessageDeflate
          ? { ...options.perMessageDeflate }
          : undefined,
    socketLayer: options.socketLayer ?? socketLayerFromEnv(),
  };
  if (!SOCKET_LAYERS.includes(resolved.socketLayer)) {
    throw new RangeError(
      `option socketLayer must be one of ${SOCKET_LAYERS.join(', ')}, got ${JSON.stringify(resolved.socketLayer)}`,
    );
  }
  const c = resolved.perMessageDeflate?.concurrency;
  if (c !== undefined && (!Number.isInteger(c) || c < 1)) {
    throw new RangeError(`option perMessageDeflate.concurrency must be an integer >= 1, got ${String(c)}`);
  }
  if (resolved.lowWaterMark > resolved.highWaterMark) {
    throw new RangeError('option lowWaterMark must not exceed highWaterMark');
  }
  if (resolved.path !== undefined && !resolved.path.startsWith('/')) {
    throw new RangeError(`option path must start with "/", got ${JSON.stringify(resolved.path)}`);
  }
  return resolved;
}
