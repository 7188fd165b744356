/**
 * WebSocketServer: accepts upgrades on its own node:http server (`listen`) or on someone else's
 * (`attach`), validates the opening handshake with @wsmatrix/protocol, and hands each upgraded
 * socket to a Connection.
 *
 * Own-server mode also enforces what only the socket owner can: an absolute handshake deadline
 * from accept (408 best effort, then destroy), a cap on sockets still in their handshake, the
 * request head size (Node's `maxHeaderSize` → 431), and 426 + `Upgrade: websocket` for plain
 * HTTP requests.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  HeaderList,
  HttpHeadError,
  buildErrorResponse,
  buildUpgradeResponse,
  formatExtensions,
  negotiateDeflate,
  validateUpgradeRequest,
  ZlibLimiter,
  type DeflateParams,
  type UpgradeRequestCheck,
} from '@wsmatrix/protocol';
import { Connection, type ConnectionOwner } from './connection.js';
import type { WebSocketConnection } from './connection-types.js';
import { resolveOptions, type ResolvedOptions, type ServerOptions } from './options.js';
import { overlongHeaderLine, statusForParseError } from './request-limits.js';

export interface ListenOptions {
  /** 0 (the default) picks any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface ListenAddress {
  port: number;
  host: string;
}

/** An accepted socket that has not completed its upgrade yet (own-server mode). */
interface PendingHandshake {
  timer: NodeJS.Timeout;
  /** An HTTP request was parsed on it, so Node may be writing a response: never write raw bytes. */
  requestSeen: boolean;
}

type ServerEvents = {
  /** A new WebSocket connection, before any of its frames (including pipelined ones) is processed. */
  connection: [conn: WebSocketConnection, req: IncomingMessage];
  /** A connection callback threw and its handler has no onError; without a listener it is rethrown. */
  error: [error: unknown, conn?: WebSocketConnection];
};

const noop = (): void => {};

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** A raw HTTP error response on a socket that is not (or no longer) driven by node:http. */
function rejectSocket(
  socket: Duplex,
  lingerMs: number,
  status: number,
  message: string,
  headers: Array<[string, string]> = [],
): void {
  socket.on('error', noop);
  if (socket.writable) socket.end(buildErrorResponse(status, message, headers));
  // End first so the response reaches the peer before a reset; destroy if the peer lingers.
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

export class WebSocketServer extends EventEmitter<ServerEvents> implements ConnectionOwner {
  readonly options: ResolvedOptions;

  private httpServer: Server | null = null;
  private ownsServer = false;
  private readonly live = new Set<Connection>();
  private readonly pending = new Map<Socket, PendingHandshake>();
  /** Sockets whose handshake deadline passed: whatever Node parses on them later is ignored. */
  private readonly expired = new WeakSet<Duplex>();
  private closing: Promise<void> | null = null;
  private allClosed: (() => void) | null = null;
  /** Bounds the zlib jobs of all connections of this server (null without permessage-deflate). */
  readonly zlibLimiter: ZlibLimiter | null;

  constructor(options: ServerOptions = {}) {
    super();
    this.options = resolveOptions(options);
    const deflate = this.options.perMessageDeflate;
    this.zlibLimiter = deflate ? new ZlibLimiter(deflate.concurrency ?? 10) : null;
  }

  /** Open WebSocket connections. */
  get connections(): ReadonlySet<WebSocketConnection> {
    return this.live;
  }

  /** Own-server mode: sockets accepted but not upgraded yet. */
  get pendingHandshakes(): number {
    return this.pending.size;
  }

  /** The node:http server in use (own or attached), or null before listen/attach. */
  get server(): Server | null {
    return this.httpServer;
  }

  /** Creates and owns a node:http server bound to host:port. */
  async listen(opts: ListenOptions = {}): Promise<ListenAddress> {
    this.assertUnbound();
    const host = opts.host ?? '127.0.0.1';
    const port = opts.port ?? 0;
    const server = createServer({ maxHeaderSize: this.options.maxHeaderSize, noDelay: true });
    // Node silently drops headers beyond maxHeadersCount; keep one more so the overflow is seen (→ 431).
    server.maxHeadersCount = this.options.maxHeaderCount + 1;
    this.httpServer = server;
    this.ownsServer = true;
    server.on('connection', this.onConnection);
    server.on('request', this.onRequest);
    server.on('upgrade', this.onUpgrade);
    server.on('clientError', this.onClientError);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      server.off('connection', this.onConnection);
      server.off('request', this.onRequest);
      server.off('upgrade', this.onUpgrade);
      this.httpServer = null;
      this.ownsServer = false;
      throw err;
    }
    server.on('error', noop);
    const address = server.address() as AddressInfo;
    return { port: address.port, host: address.address };
  }

  /**
   * Handles the 'upgrade' events of an existing server; its 'request' handling is left alone.
   * With `path` set, upgrades for other paths are left to other 'upgrade' listeners when there are any
   * (404 otherwise).
   */
  attach(server: Server): this {
    this.assertUnbound();
    this.httpServer = server;
    this.ownsServer = false;
    server.on('upgrade', this.onUpgrade);
    return this;
  }

  /**
   * Stops accepting, sends 1001 to every open connection and destroys whatever is still open after
   * `shutdownGraceMs`. An attached server keeps running; an own server is closed. Never hangs.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * Completes (or refuses) an upgrade for a request received elsewhere: validates the handshake,
   * answers 101 or an HTTP error, and starts the connection, processing `head` first.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', noop);
    const o = this.options;
    const reject = (status: number, message: string, headers?: Array<[string, string]>): void =>
      rejectSocket(socket, o.closeLingerMs, status, message, headers);
    if (this.expired.has(socket)) {
      socket.destroy();
      return;
    }
    if (this.closing !== null) return reject(503, 'server is shutting down');
    if (o.path !== undefined && pathOf(req.url) !== o.path) return reject(404, 'no WebSocket endpoint at this path');
    if (req.url !== undefined && req.url.length > o.maxUrlLength) {
      return reject(414, `request target longer than ${o.maxUrlLength} bytes`);
    }
    const check = this.validate(req);
    if (!check.ok) return reject(check.status, check.message, check.headers);
    if (o.allowedOrigins !== undefined && (check.origin === undefined || !o.allowedOrigins.has(check.origin))) {
      return reject(403, 'origin not allowed');
    }
    if (this.live.size >= o.maxConnections) return reject(503, 'too many connections');

    let protocol = '';
    if (o.selectProtocol !== undefined && check.protocols.length !== 0) {
      const chosen = o.selectProtocol(check.protocols, req);
      if (chosen !== undefined && check.protocols.includes(chosen)) protocol = chosen;
    }
    // permessage-deflate: invalid or unsupported offers are declined (RFC 7692 §7), never refused.
    let deflate: DeflateParams | null = null;
    let extensions = '';
    if (o.perMessageDeflate !== undefined && check.extensions.length !== 0) {
      const negotiated = negotiateDeflate(check.extensions, o.perMessageDeflate);
      if (negotiated.accepted) {
        deflate = negotiated.params;
        extensions = formatExtensions([negotiated.response]);
      }
    }
    const response = buildUpgradeResponse({ key: check.key, ...(protocol === '' ? {} : { protocol }), extensions });

    const tcp = socket as Socket;
    const pending = this.pending.get(tcp);
    if (pending !== undefined) {
      clearTimeout(pending.timer);
      this.pending.delete(tcp);
    }
    socket.off('error', noop);
    socket.write(response);
    const conn = new Connection(tcp, this, protocol, deflate, extensions);
    this.live.add(conn);
    this.emit('connection', conn, req);
    conn.start(head);
  }

  // ---- ConnectionOwner -------------------------------------------------------------------------

  connectionClosed(conn: Connection): void {
    this.live.delete(conn);
    if (this.live.size === 0 && this.allClosed !== null) {
      const done = this.allClosed;
      this.allClosed = null;
      done();
    }
  }

  reportError(conn: Connection, error: unknown): void {
    if (this.listenerCount('error') > 0) {
      this.emit('error', error, conn);
      return;
    }
    process.nextTick(() => {
      throw error;
    });
  }

  // ---- node:http listeners ---------------------------------------------------------------------

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const server = this.httpServer;
    if (
      !this.ownsServer &&
      server !== null &&
      this.options.path !== undefined &&
      pathOf(req.url) !== this.options.path &&
      server.listenerCount('upgrade') > 1
    ) {
      return; // another listener's path
    }
    this.handleUpgrade(req, socket, head);
  };

  /** Own-server mode: every accepted socket gets an absolute handshake deadline. */
  private readonly onConnection = (socket: Socket): void => {
    socket.on('error', noop);
    if (this.closing !== null || this.pending.size >= this.options.maxPendingHandshakes) {
      socket.destroy();
      return;
    }
    const timer = setTimeout(this.onHandshakeTimeout, this.options.handshakeTimeoutMs, socket);
    timer.unref();
    this.pending.set(socket, { timer, requestSeen: false });
    socket.once('close', () => {
      const entry = this.pending.get(socket);
      if (entry !== undefined) {
        clearTimeout(entry.timer);
        this.pending.delete(socket);
      }
    });
  };

  private readonly onHandshakeTimeout = (socket: Socket): void => {
    const entry = this.pending.get(socket);
    this.pending.delete(socket);
    this.expired.add(socket);
    if (entry === undefined || entry.requestSeen || !socket.writable) {
      socket.destroy();
      return;
    }
    rejectSocket(socket, Math.min(this.options.closeLingerMs, 100), 408, 'opening handshake not completed in time');
  };

  /** Own-server mode: plain HTTP requests are told to upgrade (or why their upgrade is wrong). */
  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket;
    if (this.expired.has(socket)) {
      socket.destroy();
      return;
    }
    const entry = this.pending.get(socket);
    if (entry !== undefined) entry.requestSeen = true;
    let status = 426;
    let message = 'this endpoint only speaks WebSocket';
    let headers: Array<[string, string]> = [['Upgrade', 'websocket']];
    if (this.options.path !== undefined && pathOf(req.url) !== this.options.path) {
      status = 404;
      message = 'not found';
      headers = [];
    } else {
      const check = this.validate(req);
      if (!check.ok) ({ status, message, headers } = check);
    }
    const body = `${message}\n`;
    res.statusCode = status;
    for (const [name, value] of headers) res.setHeader(name, value);
    res.setHeader('Connection', status === 426 ? 'Upgrade, close' : 'close');
    res.setHeader('Content-Type', 'text/plain');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.shouldKeepAlive = false;
    res.end(body);
  };

  /** Own-server mode: a request Node's parser refused gets a specific status (statusForParseError). */
  private readonly onClientError = (err: NodeJS.ErrnoException, socket: Duplex): void => {
    socket.on('error', noop);
    // Nothing to answer on a reset socket, or once a response has started (Node's own rule).
    if (err.code === 'ECONNRESET' || !socket.writable || (socket as Socket).bytesWritten > 0) {
      socket.destroy();
      return;
    }
    const { status, message } = statusForParseError(err.code);
    rejectSocket(socket, this.options.closeLingerMs, status, message);
  };

  // ---- internals -------------------------------------------------------------------------------

  private validate(req: IncomingMessage): UpgradeRequestCheck {
    const overlong = overlongHeaderLine(req.rawHeaders, this.options.maxHeaderLineSize);
    if (overlong !== null) return { ok: false, status: 431, message: overlong, headers: [] };
    let headers: HeaderList;
    try {
      headers = HeaderList.fromNodeRaw(req.rawHeaders, { maxHeaders: this.options.maxHeaderCount });
    } catch (err) {
      if (!(err instanceof HttpHeadError)) throw err;
      return { ok: false, status: err.status, message: err.message, headers: [] };
    }
    return validateUpgradeRequest({ method: req.method ?? '', httpVersion: req.httpVersion, headers });
  }

  private assertUnbound(): void {
    if (this.httpServer !== null) throw new Error('this WebSocketServer is already listening or attached');
    if (this.closing !== null) throw new Error('this WebSocketServer has been closed');
  }

  private async shutdown(): Promise<void> {
    const server = this.httpServer;
    let serverClosed: Promise<void> = Promise.resolve();
    if (server !== null) {
      server.off('upgrade', this.onUpgrade);
      if (this.ownsServer) {
        serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const [socket, entry] of this.pending) {
          clearTimeout(entry.timer);
          socket.destroy();
        }
        this.pending.clear();
        server.closeAllConnections();
      }
    }
    if (this.live.size !== 0) {
      const allClosed = new Promise<void>((resolve) => {
        this.allClosed = resolve;
      });
      const grace = this.options.shutdownGraceMs;
      for (const conn of [...this.live]) conn.shutdown(grace);
      await allClosed;
    }
    await serverClosed;
  }
}
