/**
 * WebSocketServer: accepts upgrades on its own listening socket (`listen`) or on someone else's
 * node:http server (`attach`), validates the opening handshake with @wsmatrix/protocol, and hands
 * each upgraded socket to a Connection.
 *
 * Own-server mode reads the request head off the raw TCP socket with the protocol package's head
 * parser instead of node:http: an upgrade needs none of node:http's request/response objects, and
 * skipping them makes a handshake markedly cheaper. It also enforces what only the socket owner can:
 * an absolute handshake deadline from accept (408 best effort, then destroy), a cap on sockets still
 * in their handshake, the request head size (→ 431), and 426 + `Upgrade: websocket` for plain HTTP
 * requests. Every non-upgrade request is answered once and the connection closed.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  buildErrorResponse,
  buildUpgradeResponse,
  formatExtensions,
  MaskArena,
  negotiateDeflate,
  validateUpgradeRequest,
  ZlibLimiter,
  type DeflateParams,
} from '@wsmatrix/protocol';
import { Connection, type ConnectionOwner } from './connection.js';
import type { WebSocketConnection } from './connection-types.js';
import { resolveOptions, type ResolvedOptions, type ServerOptions } from './options.js';
import { RequestHeadReader, requestFromNode, type RequestLimits, type UpgradeRequest } from './request-head.js';
import type { ServerSocket } from './server-socket.js';
import { type ReadRoute, SHARED_READ_BYTES } from './read-route.js';
import { adoptAcceptedSockets } from './shared-reads.js';
import { chooseSocketLayer, type SocketLayer } from './socket-layer.js';

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
  /** Its request head is complete, so a response is on its way: the deadline no longer answers 408. */
  requestSeen: boolean;
  /** The socket reads into the server's shared buffer (null: it emits 'data' events). */
  route: ReadRoute | null;
}

type ServerEvents = {
  /** A new WebSocket connection, before any of its frames (including pipelined ones) is processed. */
  connection: [conn: WebSocketConnection, req: UpgradeRequest];
  /** A connection callback threw and its handler has no onError; without a listener it is rethrown. */
  error: [error: unknown, conn?: WebSocketConnection];
};

const noop = (): void => {};

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** A raw HTTP error response, then the end of the connection. A response to HEAD has no body. */
function rejectSocket(
  socket: ServerSocket,
  lingerMs: number,
  status: number,
  message: string,
  headers: Array<[string, string]> = [],
  method = '',
): void {
  socket.on('error', noop);
  if (socket.writable) {
    const response = buildErrorResponse(status, message, headers);
    socket.end(method === 'HEAD' ? response.slice(0, response.indexOf('\r\n\r\n') + 4) : response);
  }
  // End first so the response reaches the peer before a reset; destroy if the peer lingers.
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

export class WebSocketServer extends EventEmitter<ServerEvents> implements ConnectionOwner {
  readonly options: ResolvedOptions;

  private httpServer: Server | NetServer | null = null;
  private ownsServer = false;
  private readonly live = new Set<Connection>();
  private readonly pending = new Map<ServerSocket, PendingHandshake>();
  private closing: Promise<void> | null = null;
  private allClosed: (() => void) | null = null;
  /** Bounds the zlib jobs of all connections of this server (null without permessage-deflate). */
  readonly zlibLimiter: ZlibLimiter | null;
  /** The request-head limits, built once rather than per accepted socket. */
  private readonly requestLimits: RequestLimits;
  /**
   * The shared read buffer's mask arena (own-server mode on 'shared-reads' or 'bare', where WebAssembly
   * SIMD exists), from listen() until close(): connections' decoders unmask payload read into it in place.
   * None on 'net': node allocates its own reads there, so there is no shared buffer to unmask in.
   */
  private arena: MaskArena | null = null;
  private layer: SocketLayer | null = null;
  private layerFallback: string | null = null;

  constructor(options: ServerOptions = {}) {
    super();
    this.options = resolveOptions(options);
    const o = this.options;
    this.requestLimits = {
      maxHeaderSize: o.maxHeaderSize,
      maxHeaderCount: o.maxHeaderCount,
      maxHeaderLineSize: o.maxHeaderLineSize,
      maxUrlLength: o.maxUrlLength,
    };
    const deflate = this.options.perMessageDeflate;
    this.zlibLimiter = deflate ? new ZlibLimiter(deflate.concurrency ?? 10) : null;
  }

  /** The shared read buffer's mask arena while listening (null otherwise, or without WebAssembly SIMD). */
  get maskArena(): MaskArena | null {
    return this.arena;
  }

  /** Open WebSocket connections. */
  get connections(): ReadonlySet<WebSocketConnection> {
    return this.live;
  }

  /** Own-server mode: sockets accepted but not upgraded yet. */
  get pendingHandshakes(): number {
    return this.pending.size;
  }

  /**
   * The socket layer in effect in own-server mode ('net', 'shared-reads' or 'bare'; see socket-layer.ts),
   * which may differ from options.socketLayer when the requested one could not be used; null before
   * listen() and in attach mode (node:http's sockets).
   */
  get socketLayer(): SocketLayer | null {
    return this.layer;
  }

  /** Why socketLayer differs from options.socketLayer; null when it does not. */
  get socketLayerFallback(): string | null {
    return this.layerFallback;
  }

  /** The listening server in use (our own net.Server, or the attached node:http one), or null before listen/attach. */
  get server(): Server | NetServer | null {
    return this.httpServer;
  }

  /** Creates and owns a TCP server bound to host:port; requests are parsed by our own head parser. */
  async listen(opts: ListenOptions = {}): Promise<ListenAddress> {
    this.assertUnbound();
    const host = opts.host ?? '127.0.0.1';
    const port = opts.port ?? 0;
    // Settled before the server exists: an opt-in layer's proof is asynchronous, and accepting must be
    // taken over before the first accept can run.
    const choice = await chooseSocketLayer(this.options.socketLayer);
    this.assertUnbound();
    // Half-open like node:http's sockets: a peer's FIN must not end our side before queued replies
    // (a Close behind a message being inflated) are written.
    const server = createNetServer({ noDelay: true, allowHalfOpen: true });
    this.httpServer = server;
    this.ownsServer = true;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      this.httpServer = null;
      this.ownsServer = false;
      throw err;
    }
    server.on('error', noop);
    this.layer = choice.layer;
    this.layerFallback = choice.fallbackReason;
    if (choice.layer === 'net') {
      server.on('connection', this.onSocket);
    } else {
      // Accepting is taken over before the first accept can run (listen's callback precedes any I/O).
      // The shared read buffer is a mask arena where WebAssembly SIMD exists: frames read into it are unmasked there.
      const arena = MaskArena.create(SHARED_READ_BYTES);
      const readBuffer = arena?.buffer ?? Buffer.allocUnsafe(SHARED_READ_BYTES);
      if (adoptAcceptedSockets(server, readBuffer, this.onSocket, choice.streams)) {
        this.arena = arena;
        // Should this Node ignore the taken-over accept callback after all, its own sockets arrive here.
        server.on('connection', this.onUnadoptedSocket);
      } else {
        arena?.release();
        this.fallBackTo('net', 'the listening handle has no accept callback to take over');
        server.on('connection', this.onSocket);
      }
    }
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
   * Completes (or refuses) an upgrade for a request received by a node:http server: validates the
   * handshake, answers 101 or an HTTP error, and starts the connection, processing `head` first.
   */
  handleUpgrade(req: IncomingMessage, duplex: Duplex, head: Buffer): void {
    // node:http hands over the net.Socket it read the request from.
    const socket = duplex as unknown as ServerSocket;
    socket.on('error', noop);
    const request = requestFromNode(req, this.requestLimits);
    if (!('headers' in request)) {
      rejectSocket(socket, this.options.closeLingerMs, request.status, request.message, [], request.method);
      return;
    }
    this.upgrade(request, socket, head);
  }

  /**
   * Validates a parsed request and answers it: 101 and a Connection, or an error and the end. `route` is
   * set when the socket reads into the shared buffer.
   */
  private upgrade(req: UpgradeRequest, socket: ServerSocket, head: Buffer, route: ReadRoute | null = null): void {
    const o = this.options;
    if (this.closing !== null) {
      this.refuse(socket, req, 503, 'server is shutting down');
      return;
    }
    if (o.path !== undefined && pathOf(req.url) !== o.path) {
      this.refuse(socket, req, 404, 'no WebSocket endpoint at this path');
      return;
    }
    const check = validateUpgradeRequest(req);
    if (!check.ok) {
      this.refuse(socket, req, check.status, check.message, check.headers);
      return;
    }
    if (o.allowedOrigins !== undefined && (check.origin === undefined || !o.allowedOrigins.has(check.origin))) {
      this.refuse(socket, req, 403, 'origin not allowed');
      return;
    }
    if (this.live.size >= o.maxConnections) {
      this.refuse(socket, req, 503, 'too many connections');
      return;
    }

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

    socket.off('error', noop);
    socket.write(response, 'latin1');
    const conn = new Connection(socket, this, protocol, deflate, extensions, route);
    this.live.add(conn);
    this.emit('connection', conn, req);
    conn.start(head);
  }

  /** An HTTP error answer to an upgrade request, then the end of the connection. */
  private refuse(
    socket: ServerSocket,
    req: UpgradeRequest,
    status: number,
    message: string,
    headers?: Array<[string, string]>,
  ): void {
    rejectSocket(socket, this.options.closeLingerMs, status, message, headers, req.method);
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

  /**
   * Own-server mode: every accepted socket gets an absolute handshake deadline, and its request head
   * is read here, chunk by chunk, until it is complete (then answered) or broken (then refused).
   */
  private readonly onSocket = (socket: ServerSocket, route: ReadRoute | null = null): void => {
    socket.on('error', noop);
    if (this.closing !== null || this.pending.size >= this.options.maxPendingHandshakes) {
      socket.destroy();
      return;
    }
    const timer = setTimeout(this.onHandshakeTimeout, this.options.handshakeTimeoutMs, socket);
    timer.unref();
    const entry: PendingHandshake = { timer, requestSeen: false, route };
    this.pending.set(socket, entry);
    const reader = new RequestHeadReader(this.requestLimits);
    const settle = (): void => {
      if (route !== null) route.listener = null;
      else socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onClose);
      clearTimeout(timer);
      this.pending.delete(socket);
    };
    const onData = (chunk: Buffer): void => {
      const outcome = reader.push(chunk);
      if (outcome === null) return;
      entry.requestSeen = true;
      settle();
      if (!outcome.ok) {
        rejectSocket(socket, this.options.closeLingerMs, outcome.status, outcome.message, [], outcome.method);
        return;
      }
      this.upgrade(outcome.request, socket, outcome.rest, route);
    };
    // A peer that ends or drops its side before the head is complete gets nothing.
    const onEnd = (): void => {
      settle();
      socket.destroy();
    };
    const onClose = (): void => settle();
    if (route !== null) route.listener = onData;
    else socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onClose);
  };

  /** A 'connection' event although accepting was taken over: this Node ignored the takeover. */
  private readonly onUnadoptedSocket = (socket: ServerSocket): void => {
    if (this.layer !== 'net') {
      this.fallBackTo('net', 'this Node does not call the taken-over accept callback');
      // No connection reads into the arena on 'net': free it now rather than at close().
      this.arena?.release();
      this.arena = null;
    }
    this.onSocket(socket);
  };

  private fallBackTo(layer: SocketLayer, reason: string): void {
    const before = this.layer;
    this.layer = layer;
    this.layerFallback = before === this.options.socketLayer ? reason : `${this.layerFallback ?? ''}; then ${reason}`;
  }

  private readonly onHandshakeTimeout = (socket: ServerSocket): void => {
    const entry = this.pending.get(socket);
    this.pending.delete(socket);
    if (entry === undefined || entry.requestSeen || !socket.writable) {
      socket.destroy();
      return;
    }
    if (entry.route !== null) entry.route.listener = null;
    else socket.removeAllListeners('data');
    rejectSocket(socket, Math.min(this.options.closeLingerMs, 100), 408, 'opening handshake not completed in time');
  };

  // ---- internals -------------------------------------------------------------------------------

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
    // The arena lives as long as the server listens; connections still holding it finish with it, and
    // dropping it here lets the GC reclaim its WebAssembly memory.
    this.arena?.release();
    this.arena = null;
  }
}
