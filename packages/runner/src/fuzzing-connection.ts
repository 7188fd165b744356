import net from 'node:net';
import {
  DeflateCodec,
  HttpHeadParser,
  MessageReader,
  Opcode,
  PERMESSAGE_DEFLATE,
  ProtocolError,
  isValidUtf8,
  validateDeflateResponse,
  encodeClosePayload,
  encodeFrame,
  validateUpgradeResponse,
  type DeflateOffer,
  type DeflateParams,
  type FrameHeader,
  type HttpResponseHead,
  type ProtocolErrorCode,
  type UpgradeResponseCheck,
} from '@wsmatrix/protocol';
import { readClosePayload } from './autobahn-close.js';
import { freshClosingRecord, type ClosingRecord } from './closing-record.js';
import { nextState, type ConnectionState } from './connection-state.js';
import type { OpeningRequest } from './handshake-request.js';
import { SendQueue } from './send-queue.js';
import { freshMessageTraffic, freshTrafficStats, type MessageTraffic, type TrafficStats } from './traffic-stats.js';
import { WireLog, hexPreview, textPreview } from './wire-log.js';

/**
 * The zlib level of every message the runner compresses (groups 12 and 13). A case's verdict depends only
 * on the echo equalling what was sent, so the level changes no verdict; Autobahn uses zlib's default (6),
 * whose match search costs the runner several times the CPU of the fastest level. Level 1 still sends
 * Huffman-coded blocks with back-references into the window and, with context takeover, into the earlier
 * messages, so the server's whole inflater is exercised; level 0 (stored blocks only) would not.
 */
const RUNNER_DEFLATE_LEVEL = 1;

/** Which end of the connection the runner plays. */
export type Role = 'client' | 'server';

/** AutobahnPython 0.10.9's timing defaults, plus our own guards. */
export interface ConnectionTimeouts {
  /** Client role: the TCP connect. */
  connectMs: number;
  /** Client role: how long the server has to answer the upgrade request. */
  openHandshakeMs: number;
  /** Either role: after we send a Close, how long the peer has to answer with its Close. */
  closeHandshakeMs: number;
  /** Client role: after the close handshake (or a refusal, group 0), how long the server has to drop TCP. */
  serverConnectionDropMs: number;
  /** Either role: how long a write may wait for a peer that stopped reading. */
  drainMs: number;
}

export const DEFAULT_TIMEOUTS: ConnectionTimeouts = {
  connectMs: 5000,
  openHandshakeMs: 5000,
  closeHandshakeMs: 1000,
  serverConnectionDropMs: 1000,
  drainMs: 10000,
};

export interface ConnectionLimits {
  /** Largest message accepted from the peer (also the largest frame). */
  maxMessageSize: number;
  /** Octets the peer may send in one case before the runner calls it a flood and drops it. */
  maxReceivedBytes: number;
  /** Messages + Pongs the peer may send in one case before the runner calls it a flood. */
  maxEvents: number;
  /**
   * Control frames (Close, Ping, Pong) the peer may send in one case before the runner calls it a flood.
   * Counted frame by frame: empty Pings are two octets each, so an octet budget alone lets a peer make
   * the runner answer hundreds of thousands of them.
   */
  maxControlFrames: number;
}

export type ConnectFailureKind = 'refused' | 'connect-timeout' | 'handshake-timeout' | 'handshake-rejected' | 'lost';

export interface ConnectFailure {
  kind: ConnectFailureKind;
  message: string;
}

export interface ConnectionHandlers {
  onMessage(data: Buffer, binary: boolean): void;
  onPong(data: Buffer): void;
}

export interface OutgoingFrame {
  opcode: number;
  payload: Buffer;
  fin?: boolean;
  /** Autobahn's integer: 4 = RSV1, 2 = RSV2, 1 = RSV3. */
  rsv?: number;
  /** The payload was produced by repeating a pattern to this length (logged as Autobahn does). */
  repeatLength?: number | null;
}

/** The client role's opening: where to connect, what to send, what to accept back. */
export interface ClientOpening {
  url: URL;
  request: OpeningRequest;
  /** permessage-deflate offers made in `request`; a response accepting one sets up the codec. */
  deflateOffers: readonly DeflateOffer[];
  /**
   * After an answer other than 101: how long the server has to end TCP before the runner drops it
   * (group 0 watches this). 0: drop at once, as AutobahnPython's failHandshake.
   */
  refusalDropMs: number;
}

/** The server role's answer, decided before the connection takes the socket (server-opening.ts). */
export type ServerAnswer =
  | { ok: true; response: string; deflate: DeflateParams | null }
  | { ok: false; response: string; reason: string };

/** The state of the client role's wait for the response head. */
interface ResponseWait {
  opening: ClientOpening;
  parser: HttpHeadParser;
  chunks: Buffer[];
  settle: (failure: ConnectFailure | null) => void;
}

/**
 * One fuzzing connection in either role: a raw TCP socket, the opening handshake, an ordered send queue
 * that can chop and sync writes, and AutobahnPython 0.10.9's WebSocketProtocol behaviour for that role
 * (answer Pings while open, answer a peer's Close with 1000, fail the connection with a Close on a
 * protocol violation, the close handshake timeout). The roles differ where AutobahnPython's isServer
 * does: the client masks its frames and expects unmasked ones, waits for the server to drop TCP after
 * the close handshake (serverConnectionDropMs); the server sends unmasked frames, requires masked ones,
 * and drops TCP itself as soon as the close handshake is over (onCloseFrame). It records what the
 * verdict and the report need; it never decides a verdict.
 */
export class FuzzingConnection {
  private current: ConnectionState = 'connecting';
  readonly record: ClosingRecord;
  readonly stats: TrafficStats = freshTrafficStats();
  readonly wirelog: WireLog;
  /** The opening handshake as sent and as received (heads exactly as on the wire, latin1). */
  httpRequest = '';
  httpResponse = '';
  /** Client role: the server's response head once complete, and the check of it as a 101. */
  response: HttpResponseHead | null = null;
  upgradeCheck: UpgradeResponseCheck | null = null;
  /** Client role: why the server's bytes were not a response head, if they were not. */
  headError: string | null = null;
  /** performance.now() when the WebSocket opened; 0 while it never did. */
  openedAt = 0;
  /** performance.now() when the connection attempt started (or the socket was handed over): the wire log's origin. */
  connectStartedAt = 0;
  /** performance.now() when TCP was connected; 0 while it never was. */
  tcpConnectedAt = 0;
  /** performance.now() when the TCP connection was gone; 0 while it is not. */
  lostAt = 0;
  receivedBytes = 0;
  /** Why the runner gave up on the peer other than by protocol (flood, stalled writes, hard limit). */
  guardReason: string | null = null;
  /** Socket error text, if any (ECONNRESET, EPIPE...). */
  socketError: string | null = null;
  /** The code of the first peer violation the runner failed the connection for, if any. */
  violation: ProtocolErrorCode | null = null;
  readonly traffic: MessageTraffic = freshMessageTraffic();
  /** permessage-deflate codec once negotiated. */
  deflate: DeflateCodec | null = null;
  /** Client role: RFC 7692 rules the server's deflate response breaks (reported; Autobahn does not fail on them). */
  deflateViolations: string[] = [];

  private socket: net.Socket | null = null;
  private queue: SendQueue | null = null;
  private reader: MessageReader;
  private responseWait: ResponseWait | null = null;
  /** After a protocol error the reader stops; a fresh one reads later chunks to catch the peer's Close. */
  private recovering = false;
  /** The peer's Close was judged already (Autobahn's rules); the reader's own verdict on it is ignored. */
  private closeFrameJudged = false;
  private events = 0;
  private controlFrames = 0;
  private controlPayload: Buffer[] = [];
  private rxPreview: Buffer[] = [];
  private rxPreviewBytes = 0;
  private closeHandshakeTimer: NodeJS.Timeout | null = null;
  private serverDropTimer: NodeJS.Timeout | null = null;
  private refusalTimer: NodeJS.Timeout | null = null;
  private handlers: ConnectionHandlers | null = null;
  private readonly lostPromise: Promise<void>;
  private resolveLost!: () => void;

  constructor(
    readonly role: Role,
    private readonly timeouts: ConnectionTimeouts,
    private readonly limits: ConnectionLimits,
    /** AutobahnPython's failByDrop protocol option (see failConnection). */
    private readonly failByDrop = false,
  ) {
    this.record = { ...freshClosingRecord(), isServer: role === 'server' };
    // One origin for the whole log, handshake included, so its times never go backwards.
    this.wirelog = new WireLog(() => Math.round((performance.now() - this.connectStartedAt) * 1000) / 1000);
    this.lostPromise = new Promise((resolve) => (this.resolveLost = resolve));
    this.reader = this.newReader();
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The other end, as result texts name it. */
  get peer(): 'server' | 'client' {
    return this.role === 'client' ? 'server' : 'client';
  }

  /** Resolves once the TCP connection is gone. */
  get lost(): Promise<void> {
    return this.lostPromise;
  }

  get connectionWasOpen(): boolean {
    return this.openedAt !== 0;
  }

  setHandlers(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
  }

  /** Client role: TCP connect and the opening handshake; null once the WebSocket is open. */
  connect(opening: ClientOpening): Promise<ConnectFailure | null> {
    if (this.role !== 'client') throw new Error('connect() is the client role');
    const { url } = opening;
    return new Promise((resolve) => {
      let settled = false;
      let handshakeTimer: NodeJS.Timeout | undefined;
      const settle = (failure: ConnectFailure | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        clearTimeout(handshakeTimer);
        resolve(failure);
      };
      this.responseWait = { opening, parser: new HttpHeadParser('response'), chunks: [], settle };
      this.connectStartedAt = performance.now();
      const socket = net.connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80) });
      this.attach(socket);
      const connectTimer = setTimeout(() => {
        settle({
          kind: 'connect-timeout',
          message: `TCP connect to ${url.host} timed out after ${this.timeouts.connectMs} ms`,
        });
        this.dropConnection();
      }, this.timeouts.connectMs);
      socket.on('error', () => {
        if (!settled)
          settle({
            kind: this.socketError?.startsWith('ECONNREFUSED') ? 'refused' : 'lost',
            message: `cannot reach ${url.host}: ${this.socketError}`,
          });
      });
      socket.on('close', () =>
        settle({ kind: 'lost', message: 'the server closed the connection during the opening handshake' }),
      );
      socket.on('connect', () => {
        this.tcpConnectedAt = performance.now();
        clearTimeout(connectTimer);
        handshakeTimer = setTimeout(() => {
          this.record.wasOpenHandshakeTimeout = true;
          this.record.wasNotCleanReason = 'peer did not finish (in time) the opening handshake';
          settle({
            kind: 'handshake-timeout',
            message: `no complete handshake response within ${this.timeouts.openHandshakeMs} ms`,
          });
          this.dropConnection();
        }, this.timeouts.openHandshakeMs);
        this.httpRequest = opening.request.head;
        void this.queue!.push(opening.request.bytes);
      });
    });
  }

  /**
   * Server role: takes over an accepted socket whose upgrade request the caller has read (`received`: the
   * request head as received, then any bytes after it) and writes `answer`. A refusal is flushed and the
   * socket closed (AutobahnPython's failHandshake); a 101 opens the WebSocket, calls `onOpen` (the case
   * starts, as AutobahnPython's onOpen) and only then reads the bytes that came after the request.
   * The caller must have removed its own listeners from the socket.
   */
  accept(socket: net.Socket, received: { raw: Buffer; rest: Buffer }, answer: ServerAnswer, onOpen: () => void): void {
    if (this.role !== 'server') throw new Error('accept() is the server role');
    this.connectStartedAt = this.tcpConnectedAt = performance.now();
    this.httpRequest = received.raw.toString('latin1');
    this.attach(socket);
    // What the caller read before handing the socket over, logged as one read.
    const early = Buffer.concat([received.raw, received.rest]);
    this.receivedBytes += early.length;
    this.logRxOctets(early);
    this.httpResponse = answer.response;
    void this.queue!.push(Buffer.from(answer.response, 'latin1'));
    if (!answer.ok) {
      this.record.wasNotCleanReason = answer.reason;
      this.dropConnection(false);
      return;
    }
    if (answer.deflate) {
      this.deflate = this.newDeflateCodec(answer.deflate);
    }
    this.reader = this.newReader();
    this.open();
    onOpen();
    if (received.rest.length > 0) this.feed(received.rest);
    socket.resume();
  }

  /**
   * Autobahn's sendFrame: encodes (masked with a fresh key in the client role, unmasked in the server
   * role) and queues one frame, valid or not, in any state but closed. It does not change the connection
   * state, even for a Close frame.
   */
  sendFrame(frame: OutgoingFrame, chop = 0, sync = false): Promise<void> {
    if (this.current === 'closed' || !this.queue) return Promise.resolve();
    return this.queue.push(this.encodeLogged(frame, chop, sync), chop, sync);
  }

  /**
   * Encodes and logs a frame the caller writes itself in parts (Autobahn's beginMessageFrame /
   * sendMessageFrameData, 6.4.3 / 6.4.4); write the parts with `writeRaw`.
   */
  encodeForParts(frame: OutgoingFrame): Buffer {
    return this.encodeLogged(frame, 0, true);
  }

  /** Queues raw bytes as one flushed write. */
  writeRaw(bytes: Buffer): Promise<void> {
    if (this.current === 'closed' || !this.queue) return Promise.resolve();
    return this.queue.push(bytes, 0, true);
  }

  /**
   * Autobahn's sendMessage: only while open; one frame, or `fragmentSize`-octet fragments followed by a
   * final frame with the remainder (empty when the size divides the length). With permessage-deflate the
   * message is compressed here, unless the caller passes its compressed form.
   */
  async sendMessage(payload: Buffer, binary: boolean, fragmentSize = 0, compressed?: Buffer): Promise<void> {
    if (this.current !== 'open') return;
    const opcode = binary ? Opcode.Binary : Opcode.Text;
    const t = this.traffic;
    t.outgoingWebSocketMessages++;
    t.outgoingOctetsAppLevel += payload.length;
    // With permessage-deflate the whole message is compressed first, then fragmented; RSV1 on frame 1 only.
    const rsv = this.deflate ? 4 : 0;
    // `compressed`: the caller already had the codec account for this message (DeflateCodec.reuseCompressed).
    if (this.deflate) payload = compressed ?? this.deflate.compressSync(payload);
    t.outgoingOctetsWebSocketLevel += payload.length;
    if (fragmentSize <= 0 || payload.length <= fragmentSize) {
      await this.sendFrame({ opcode, payload, rsv });
      return;
    }
    const sends: Promise<void>[] = [];
    const full = Math.floor(payload.length / fragmentSize);
    for (let i = 0; i <= full; i++) {
      const part = payload.subarray(i * fragmentSize, Math.min((i + 1) * fragmentSize, payload.length));
      sends.push(
        this.sendFrame({
          opcode: i === 0 ? opcode : Opcode.Continuation,
          payload: part,
          fin: i === full,
          rsv: i === 0 ? rsv : 0,
        }),
      );
    }
    await Promise.all(sends);
  }

  /**
   * Autobahn's sendCloseFrame: only while open; sends whatever code and reason it is given (invalid ones
   * too), moves to closing and, when we started the close, arms the close handshake timeout.
   */
  sendCloseFrame(code: number | null, reason: Buffer | null, isReply: boolean): void {
    if (this.current !== 'open') return;
    void this.sendFrame({ opcode: Opcode.Close, payload: encodeClosePayload(code, reason ?? undefined) });
    this.moveTo('closing');
    this.record.closedByMe = !isReply;
    this.record.localCloseCode = code;
    this.record.localCloseReason = reason ? reason.toString('utf8') : null;
    if (this.record.closedByMe && this.timeouts.closeHandshakeMs > 0) {
      this.closeHandshakeTimer = setTimeout(() => this.onCloseHandshakeTimeout(), this.timeouts.closeHandshakeMs);
    } else if (isReply && this.role === 'client' && this.timeouts.serverConnectionDropMs > 0) {
      // AutobahnPython arms no timer here and relies on the case's killAfter; we bound the wait so a server
      // that never drops TCP cannot hold a case open. The verdict is the same: the client drops.
      this.serverDropTimer = setTimeout(
        () => this.onServerConnectionDropTimeout(),
        this.timeouts.serverConnectionDropMs,
      );
    }
  }

  /**
   * Autobahn's failConnection. With failByDrop off (the fuzzingclient's and fuzzingserver's default): a
   * Close, or a drop if already closing. With failByDrop on (a spec's "options"): the TCP connection is
   * dropped at once, unclean.
   */
  failConnection(code = 1001, reason = 'Going Away'): void {
    if (this.current === 'closed') return;
    this.record.failedByMe = true;
    if (this.failByDrop) {
      this.record.wasClean = false;
      this.record.wasNotCleanReason = `I dropped the WebSocket TCP connection: ${reason}`;
      this.dropConnection();
    } else if (this.current === 'open') this.sendCloseFrame(code, truncateUtf8(reason, 123), false);
    else this.dropConnection(false);
  }

  /** failConnection for a peer's protocol violation, remembering its code for the result text. */
  private failForViolation(error: ProtocolError): void {
    if (this.current !== 'closed') this.violation ??= error.code;
    this.failConnection(error.closeCode, error.message);
  }

  /**
   * Autobahn's dropConnection: ends the TCP connection from our side. `abort` (Twisted's abortConnection)
   * discards what is still queued; otherwise (loseConnection) the server role first writes what is queued,
   * e.g. the Close it just replied with. The client role always aborts, as the runner always did.
   */
  dropConnection(abort = true): void {
    if (this.current === 'closed') return;
    this.record.droppedByMe = true;
    this.moveTo('closed');
    if (!abort && this.role === 'server' && this.queue) this.queue.endAfterWrites();
    else this.socket?.destroy();
  }

  /** Drops the connection for a reason outside the protocol (hard time limit, flood, stalled writes). */
  abort(reason: string): void {
    if (this.current === 'closed') return;
    this.guardReason ??= reason;
    this.record.wasNotCleanReason ??= reason;
    this.dropConnection();
  }

  private moveTo(state: ConnectionState): void {
    this.current = nextState(this.current, state);
  }

  private open(): void {
    this.moveTo('open');
    this.openedAt = performance.now();
  }

  /** Wires a socket (connecting or accepted) to this connection: the send queue, reads, errors, the end. */
  private attach(socket: net.Socket): void {
    this.socket = socket;
    this.queue = new SendQueue(
      socket,
      (data, sync) => this.logTxOctets(data, sync),
      this.timeouts.drainMs,
      (reason) => this.abort(reason),
      this.peer,
    );
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.socketError = err.code ? `${err.code}: ${err.message}` : err.message;
    });
    socket.on('close', () => this.onConnectionLost());
  }

  private onData(chunk: Buffer): void {
    this.receivedBytes += chunk.length;
    this.logRxOctets(chunk);
    if (this.receivedBytes > this.limits.maxReceivedBytes) {
      this.flood(`more than ${this.limits.maxReceivedBytes} octets`);
      return;
    }
    switch (this.current) {
      case 'connecting':
        this.readResponseHead(chunk);
        return;
      case 'refused':
        // A refusal's body: counted and logged, then discarded.
        return;
      default:
        this.feed(chunk);
    }
  }

  /** Client role: the server's answer to the upgrade request, checked as a client must (RFC 6455 §4.1). */
  private readResponseHead(chunk: Buffer): void {
    const wait = this.responseWait;
    if (!wait) return;
    const { opening, parser, settle } = wait;
    wait.chunks.push(chunk);
    let head: HttpResponseHead | null;
    try {
      head = parser.push(chunk) as HttpResponseHead | null;
    } catch (err) {
      this.headError = (err as Error).message;
      settle({ kind: 'handshake-rejected', message: `invalid handshake response: ${this.headError}` });
      this.dropConnection();
      return;
    }
    if (!head) return;
    this.responseWait = null;
    const rest = parser.rest();
    const raw = Buffer.concat(wait.chunks);
    this.httpResponse = raw.subarray(0, raw.length - rest.length).toString('latin1');
    this.response = head;
    const check = validateUpgradeResponse(head, {
      key: opening.request.key,
      offeredProtocols: opening.request.offeredProtocols,
      offeredExtensions: opening.request.offeredExtensions,
    });
    this.upgradeCheck = check;
    if (!check.ok) {
      settle({ kind: 'handshake-rejected', message: check.message });
      if (head.status !== 101 && opening.refusalDropMs > 0) {
        this.moveTo('refused');
        this.refusalTimer = setTimeout(() => {
          this.record.wasNotCleanReason ??= 'server kept the connection open after refusing';
          this.dropConnection();
        }, opening.refusalDropMs);
      } else this.dropConnection();
      return;
    }
    const accepted = check.extensions.find((e) => e.name.toLowerCase() === PERMESSAGE_DEFLATE);
    if (accepted && opening.deflateOffers.length > 0) {
      // AutobahnPython's rules: parameter syntax must be right; the relation to our offers is only noted.
      const deflate = validateDeflateResponse(accepted, opening.deflateOffers);
      if (!deflate.ok) {
        settle({ kind: 'handshake-rejected', message: deflate.message });
        this.dropConnection();
        return;
      }
      this.deflateViolations = deflate.violations;
      this.deflate = this.newDeflateCodec(deflate.params);
      this.reader = this.newReader();
    }
    this.open();
    settle(null);
    if (rest.length > 0) this.feed(rest);
  }

  /** The permessage-deflate codec of this connection, once its parameters are agreed. */
  private newDeflateCodec(params: DeflateParams): DeflateCodec {
    return new DeflateCodec({
      role: this.role,
      params,
      maxMessageSize: this.limits.maxMessageSize,
      level: RUNNER_DEFLATE_LEVEL,
    });
  }

  private newReader(): MessageReader {
    return new MessageReader(
      {
        // The reader's role is ours: as a server it requires masked frames, as a client unmasked ones.
        role: this.role,
        maxMessageSize: this.limits.maxMessageSize,
        requireMinimalLength: true,
        observer: this.frameObserver(),
        perMessageDeflate: this.deflate !== null,
      },
      {
        onMessage: (data, binary, compressed) => {
          // Autobahn stops delivering messages once it failed the connection, and so stop we.
          if (this.record.failedByMe || this.recovering) return;
          this.traffic.incomingWebSocketMessages++;
          this.traffic.incomingOctetsWebSocketLevel += data.length;
          if (compressed && this.deflate) {
            try {
              data = this.deflate.decompressSync(data);
              if (!binary && !isValidUtf8(data))
                throw new ProtocolError('WS_ERR_INVALID_UTF8', 'inflated text message is not valid UTF-8');
            } catch (err) {
              if (err instanceof ProtocolError) this.failForViolation(err);
              else this.failConnection(1002, String(err));
              return;
            }
          }
          this.traffic.incomingOctetsAppLevel += data.length;
          if (this.countEvent()) this.handlers?.onMessage(data, binary);
        },
        onPing: (data) => {
          // Answered only while open; Autobahn's fuzzing protocol does not record Pings as events. Pongs
          // still waiting to be written are coalesced into one for the latest Ping (send-queue.ts).
          if (this.current === 'open')
            this.queue?.pushPong(Buffer.from(data), (payload) =>
              this.encodeLogged({ opcode: Opcode.Pong, payload }, 0, false),
            );
        },
        onPong: (data) => {
          if (this.countEvent()) this.handlers?.onPong(Buffer.from(data));
        },
        // Close frames are judged from their raw payload in onFrameEnd (Autobahn's rules, not the RFC's).
        onClose: () => undefined,
      },
    );
  }

  private feed(chunk: Buffer): void {
    if (this.current === 'closed') return;
    if (this.recovering && this.reader.error) this.reader = this.newReader();
    const error = this.reader.push(chunk);
    if (!error) return;
    if (this.recovering) return;
    // A Close frame's own problems were handled in onFrameEnd, as Autobahn handles them.
    if (this.reader.closed || this.closeFrameJudged) return;
    // Autobahn fails the connection with the violation's code and, not dropping TCP, keeps reading so the
    // peer's Close can still complete the handshake: a fresh reader takes the following chunks.
    this.failForViolation(error);
    this.recovering = true;
  }

  /** AutobahnPython's onCloseFrame, applied to the raw payload of a Close the peer sent. */
  private onPeerClose(payload: Buffer): void {
    this.closeFrameJudged = true;
    const close = readClosePayload(payload);
    if (close.oneBytePayload) this.failConnection(1002, 'received close control frame with payload len 1');
    this.record.remoteCloseCode = close.code;
    if (close.invalidCode) this.failConnection(1002, `invalid close code ${close.code}`);
    if (close.invalidReason) this.failConnection(1007, 'invalid close reason (non-UTF-8 payload)');
    else this.record.remoteCloseReason = close.reason;
    switch (this.current) {
      case 'closing':
        // The peer's answer to our Close.
        if (this.closeHandshakeTimer) clearTimeout(this.closeHandshakeTimer);
        this.closeHandshakeTimer = null;
        this.record.wasClean = true;
        if (this.role === 'server') {
          // A server drops TCP at once.
          this.dropConnection(true);
        } else if (this.timeouts.serverConnectionDropMs > 0 && !this.serverDropTimer) {
          // A client waits for the server to drop TCP, and drops it itself after the timeout.
          this.serverDropTimer = setTimeout(
            () => this.onServerConnectionDropTimeout(),
            this.timeouts.serverConnectionDropMs,
          );
        }
        break;
      case 'open':
        this.record.wasClean = true;
        // Autobahn answers a peer-initiated close with 1000, not an echo of the peer's code.
        this.sendCloseFrame(1000, null, true);
        // A server then drops TCP (once its Close is written); a client waits for the server to.
        if (this.role === 'server') this.dropConnection(false);
        break;
      default:
        this.record.wasClean = false;
    }
  }

  private onCloseHandshakeTimeout(): void {
    this.closeHandshakeTimer = null;
    if (this.current === 'closed') return;
    this.record.wasClean = false;
    this.record.wasNotCleanReason = 'peer did not respond (in time) in closing handshake';
    this.record.wasCloseHandshakeTimeout = true;
    this.dropConnection();
  }

  private onServerConnectionDropTimeout(): void {
    this.serverDropTimer = null;
    if (this.current === 'closed') return;
    this.record.wasClean = false;
    this.record.wasNotCleanReason = 'server did not drop TCP connection (in time)';
    this.record.wasServerConnectionDropTimeout = true;
    this.dropConnection();
  }

  private onConnectionLost(): void {
    for (const timer of [this.closeHandshakeTimer, this.serverDropTimer, this.refusalTimer])
      clearTimeout(timer ?? undefined);
    this.closeHandshakeTimer = this.serverDropTimer = this.refusalTimer = null;
    if (this.current !== 'closed') this.moveTo('closed');
    this.lostAt = performance.now();
    if (!this.record.wasClean && !this.record.droppedByMe && this.record.wasNotCleanReason === null) {
      this.record.wasNotCleanReason =
        this.socketError ?? 'peer dropped the TCP connection without previous WebSocket closing handshake';
    }
    this.queue?.clear();
    this.resolveLost();
  }

  /** Counts a delivered event; false (and the connection dropped) once the peer floods us with them. */
  private countEvent(): boolean {
    if (++this.events <= this.limits.maxEvents) return true;
    this.flood(`more than ${this.limits.maxEvents} messages and pongs`);
    return false;
  }

  private flood(what: string): void {
    this.abort(`${this.peer} flooded the connection: ${what}`);
  }

  private encodeLogged(frame: OutgoingFrame, chop: number, sync: boolean): Buffer {
    const rsv = frame.rsv ?? 0;
    const fin = frame.fin ?? true;
    // RFC 6455 §5.1: a client masks every frame, a server none.
    const masked = this.role === 'client';
    const bytes = encodeFrame({
      opcode: frame.opcode,
      payload: frame.payload,
      fin,
      rsv1: (rsv & 4) !== 0,
      rsv2: (rsv & 2) !== 0,
      rsv3: (rsv & 1) !== 0,
      mask: masked,
    });
    const maskOffset = bytes.length - frame.payload.length - 4;
    this.stats.txFrameStats[frame.opcode] = (this.stats.txFrameStats[frame.opcode] ?? 0) + 1;
    if (frame.opcode < Opcode.Close) {
      this.traffic.outgoingWebSocketFrames++;
      this.traffic.outgoingOctetsWireLevel += bytes.length;
    }
    // The entry's previews are only built while the log records (groups 9, 12 and 13 switch it off).
    if (!this.wirelog.enabled) return bytes;
    this.wirelog.add([
      'TF',
      [frame.payload.length, textPreview(frame.payload)],
      frame.opcode,
      fin,
      rsv,
      masked ? bytes.subarray(maskOffset, maskOffset + 4).toString('hex') : null,
      frame.repeatLength ?? null,
      chop || null,
      sync,
    ]);
    return bytes;
  }

  private logTxOctets(data: Buffer, sync: boolean): void {
    this.stats.txOctetStats[data.length] = (this.stats.txOctetStats[data.length] ?? 0) + 1;
    if (this.wirelog.enabled) this.wirelog.add(['TO', [data.length, hexPreview(data)], sync]);
  }

  private logRxOctets(chunk: Buffer): void {
    this.stats.rxOctetStats[chunk.length] = (this.stats.rxOctetStats[chunk.length] ?? 0) + 1;
    if (this.wirelog.enabled) this.wirelog.add(['RO', [chunk.length, hexPreview(chunk)]]);
  }

  private frameObserver() {
    return {
      onFrameHeader: (header: FrameHeader) => {
        if (
          header.opcode >= Opcode.Close &&
          ++this.controlFrames > this.limits.maxControlFrames &&
          this.guardReason === null
        ) {
          this.flood(`more than ${this.limits.maxControlFrames} control frames`);
        }
        this.rxPreview = [];
        this.rxPreviewBytes = 0;
        if (header.opcode >= Opcode.Close) this.controlPayload = [];
      },
      onFramePayload: (data: Buffer, header: FrameHeader) => {
        // Once a guard dropped the connection, the rest of the chunk being parsed is of no interest.
        if (this.guardReason !== null) return;
        // Control payloads are at most 125 octets (the decoder enforces it), so keeping them is bounded.
        if (header.opcode >= Opcode.Close) this.controlPayload.push(Buffer.from(data));
        if (this.rxPreviewBytes < 64) {
          const piece = Buffer.from(data.subarray(0, 64 - this.rxPreviewBytes));
          this.rxPreview.push(piece);
          this.rxPreviewBytes += piece.length;
        }
      },
      onFrameEnd: (header: FrameHeader) => {
        if (this.guardReason !== null) return;
        this.stats.rxFrameStats[header.opcode] = (this.stats.rxFrameStats[header.opcode] ?? 0) + 1;
        if (header.opcode < Opcode.Close) {
          this.traffic.incomingWebSocketFrames++;
          this.traffic.incomingOctetsWireLevel += header.headerLength + header.payloadLength;
        }
        if (this.wirelog.enabled) {
          const preview = Buffer.concat(this.rxPreview);
          const text =
            header.payloadLength > preview.length
              ? `${textPreview(preview).replace(/ \.\.\.$/, '')} ...`
              : textPreview(preview);
          const rsv = (header.rsv1 ? 4 : 0) | (header.rsv2 ? 2 : 0) | (header.rsv3 ? 1 : 0);
          this.wirelog.add([
            'RF',
            [header.payloadLength, text],
            header.opcode,
            header.fin,
            rsv,
            header.masked,
            header.mask ? header.mask.toString('hex') : null,
          ]);
        }
        if (header.opcode === Opcode.Close && !this.closeFrameJudged)
          this.onPeerClose(Buffer.concat(this.controlPayload));
      },
    };
  }
}

/** The first `max` octets of a string's UTF-8, as Autobahn cuts a failure reason (reason.encode()[:123]). */
function truncateUtf8(text: string, max: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= max ? bytes : bytes.subarray(0, max);
}
