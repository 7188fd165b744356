import net from 'node:net';
import {
  DeflateCodec,
  HttpHeadParser,
  MessageReader,
  Opcode,
  PERMESSAGE_DEFLATE,
  ProtocolError,
  buildUpgradeRequest,
  deflateOfferElement,
  formatExtensions,
  isValidUtf8,
  validateDeflateResponse,
  type DeflateOffer,
  encodeClosePayload,
  encodeFrame,
  generateKey,
  validateUpgradeResponse,
  type FrameHeader,
  type HttpResponseHead,
  type ProtocolErrorCode,
} from '@wsmatrix/protocol';
import { readClosePayload } from './autobahn-close.js';
import { freshClosingRecord, type ClosingRecord } from './closing-record.js';
import { SendQueue } from './send-queue.js';
import { WireLog, hexPreview, textPreview } from './wire-log.js';

/** Autobahn's client-side timing defaults (AutobahnPython 0.10.9), plus our own guards. */
export interface ClientTimeouts {
  connectMs: number;
  openHandshakeMs: number;
  /** After we send a Close: how long the server has to answer with its Close. */
  closeHandshakeMs: number;
  /** After the close handshake: how long the server has to drop TCP. */
  serverConnectionDropMs: number;
  /** How long a write may wait for a server that stopped reading. */
  drainMs: number;
}

export const DEFAULT_TIMEOUTS: ClientTimeouts = {
  connectMs: 5000,
  openHandshakeMs: 5000,
  closeHandshakeMs: 1000,
  serverConnectionDropMs: 1000,
  drainMs: 10000,
};

export interface ClientLimits {
  /** Largest message accepted from the server (also the largest frame). */
  maxMessageSize: number;
  /** Octets the server may send in one case before the runner calls it a flood and drops it. */
  maxReceivedBytes: number;
  /** Messages + Pongs the server may send in one case before the runner calls it a flood. */
  maxEvents: number;
  /**
   * Control frames (Close, Ping, Pong) the server may send in one case before the runner calls it a flood.
   * Counted frame by frame: empty Pings are two octets each, so an octet budget alone lets a server make
   * the runner answer hundreds of thousands of them.
   */
  maxControlFrames: number;
}

/** Octets per write size and frames per opcode, each way (Autobahn's rx/txOctetStats, rx/txFrameStats). */
export interface TrafficStats {
  rxOctetStats: Record<number, number>;
  txOctetStats: Record<number, number>;
  rxFrameStats: Record<number, number>;
  txFrameStats: Record<number, number>;
}

export type ConnectFailureKind = 'refused' | 'connect-timeout' | 'handshake-timeout' | 'handshake-rejected' | 'lost';

export interface ConnectFailure {
  kind: ConnectFailureKind;
  message: string;
}

export interface ClientHandlers {
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

export type ClientState = 'connecting' | 'open' | 'closing' | 'closed';

/**
 * AutobahnPython's TrafficStats (data messages only, not control frames): octets at the wire level
 * (frames with headers), the WebSocket level (payload as sent, i.e. compressed) and the application
 * level (payload before compression), frames and messages, each way.
 */
export interface MessageTraffic {
  outgoingOctetsWireLevel: number;
  outgoingOctetsWebSocketLevel: number;
  outgoingOctetsAppLevel: number;
  outgoingWebSocketFrames: number;
  outgoingWebSocketMessages: number;
  incomingOctetsWireLevel: number;
  incomingOctetsWebSocketLevel: number;
  incomingOctetsAppLevel: number;
  incomingWebSocketFrames: number;
  incomingWebSocketMessages: number;
}

/** The report form of MessageTraffic, with Autobahn's derived figures (null when undefined). */
export interface TrafficStatsJson extends MessageTraffic {
  /** WebSocket-level / application-level octets: compressed size over uncompressed size. */
  outgoingCompressionRatio: number | null;
  incomingCompressionRatio: number | null;
  /** (wire − WebSocket level) / WebSocket level: framing overhead. */
  outgoingWebSocketOverhead: number | null;
  incomingWebSocketOverhead: number | null;
}

export function trafficStatsJson(t: MessageTraffic): TrafficStatsJson {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  return {
    ...t,
    outgoingCompressionRatio: ratio(t.outgoingOctetsWebSocketLevel, t.outgoingOctetsAppLevel),
    incomingCompressionRatio: ratio(t.incomingOctetsWebSocketLevel, t.incomingOctetsAppLevel),
    outgoingWebSocketOverhead: ratio(
      t.outgoingOctetsWireLevel - t.outgoingOctetsWebSocketLevel,
      t.outgoingOctetsWebSocketLevel,
    ),
    incomingWebSocketOverhead: ratio(
      t.incomingOctetsWireLevel - t.incomingOctetsWebSocketLevel,
      t.incomingOctetsWebSocketLevel,
    ),
  };
}

function freshTraffic(): MessageTraffic {
  return {
    outgoingOctetsWireLevel: 0,
    outgoingOctetsWebSocketLevel: 0,
    outgoingOctetsAppLevel: 0,
    outgoingWebSocketFrames: 0,
    outgoingWebSocketMessages: 0,
    incomingOctetsWireLevel: 0,
    incomingOctetsWebSocketLevel: 0,
    incomingOctetsAppLevel: 0,
    incomingWebSocketFrames: 0,
    incomingWebSocketMessages: 0,
  };
}

/**
 * The fuzzing client's side of one connection: a raw TCP socket, the opening handshake, an ordered send
 * queue that can chop and sync writes, and AutobahnPython's client behaviour (answer Pings while open,
 * answer a server's Close with 1000, fail the connection with a Close on a protocol violation, the 1 s
 * close handshake and server drop timers). It records what the verdict and the report need; it never
 * decides a verdict.
 */
export class FuzzingClient {
  state: ClientState = 'connecting';
  readonly record: ClosingRecord = freshClosingRecord();
  readonly stats: TrafficStats = { rxOctetStats: {}, txOctetStats: {}, rxFrameStats: {}, txFrameStats: {} };
  readonly wirelog: WireLog;
  /** The opening handshake as sent and as received (the response head, exactly as it came). */
  httpRequest = '';
  httpResponse = '';
  /** performance.now() when the WebSocket opened; 0 while it never did. */
  openedAt = 0;
  /** performance.now() when the connection attempt started: the origin of every wire log time. */
  connectStartedAt = 0;
  /** performance.now() when the TCP connection was gone; 0 while it is not. */
  lostAt = 0;
  receivedBytes = 0;
  /** Why the runner gave up on the server other than by protocol (flood, stalled writes, hard limit). */
  guardReason: string | null = null;
  /** Socket error text, if any (ECONNRESET, EPIPE...). */
  socketError: string | null = null;
  /** The code of the first server violation the runner failed the connection for, if any. */
  violation: ProtocolErrorCode | null = null;
  readonly traffic: MessageTraffic = freshTraffic();
  /** permessage-deflate codec once the server accepted one of our offers. */
  deflate: DeflateCodec | null = null;
  /** RFC 7692 rules the server's deflate response breaks (reported; Autobahn does not fail on them). */
  deflateViolations: string[] = [];

  private socket: net.Socket | null = null;
  private queue: SendQueue | null = null;
  private reader: MessageReader;
  /** After a protocol error the reader stops; a fresh one reads later chunks to catch the server's Close. */
  private recovering = false;
  /** The server's Close was judged already (Autobahn's rules); the reader's own verdict on it is ignored. */
  private closeFrameJudged = false;
  private events = 0;
  private controlFrames = 0;
  private controlPayload: Buffer[] = [];
  private rxPreview: Buffer[] = [];
  private rxPreviewBytes = 0;
  private closeHandshakeTimer: NodeJS.Timeout | null = null;
  private serverDropTimer: NodeJS.Timeout | null = null;
  private handlers: ClientHandlers | null = null;
  private readonly lostPromise: Promise<void>;
  private resolveLost!: () => void;

  constructor(
    private readonly timeouts: ClientTimeouts,
    private readonly limits: ClientLimits,
    /** AutobahnPython's failByDrop protocol option (see failConnection). */
    private readonly failByDrop = false,
  ) {
    // One origin for the whole log, handshake included, so its times never go backwards.
    this.wirelog = new WireLog(() => Math.round((performance.now() - this.connectStartedAt) * 1000) / 1000);
    this.lostPromise = new Promise((resolve) => (this.resolveLost = resolve));
    this.reader = this.newReader();
  }

  /** Resolves once the TCP connection is gone. */
  get lost(): Promise<void> {
    return this.lostPromise;
  }

  get connectionWasOpen(): boolean {
    return this.openedAt !== 0;
  }

  setHandlers(handlers: ClientHandlers): void {
    this.handlers = handlers;
  }

  /** TCP connect and the opening handshake; null once the WebSocket is open. */
  connect(url: URL, userAgent: string, deflateOffers: readonly DeflateOffer[] = []): Promise<ConnectFailure | null> {
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
      this.connectStartedAt = performance.now();
      const socket = net.connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80) });
      this.socket = socket;
      this.queue = new SendQueue(
        socket,
        (data, sync) => this.logTxOctets(data, sync),
        this.timeouts.drainMs,
        (reason) => this.abort(reason),
      );
      socket.setNoDelay(true);
      const connectTimer = setTimeout(() => {
        settle({
          kind: 'connect-timeout',
          message: `TCP connect to ${url.host} timed out after ${this.timeouts.connectMs} ms`,
        });
        this.dropConnection();
      }, this.timeouts.connectMs);
      const key = generateKey();
      const head = new HttpHeadParser('response');
      const headChunks: Buffer[] = [];
      socket.on('error', (err: NodeJS.ErrnoException) => {
        this.socketError = err.code ? `${err.code}: ${err.message}` : err.message;
        if (!settled)
          settle({
            kind: err.code === 'ECONNREFUSED' ? 'refused' : 'lost',
            message: `cannot reach ${url.host}: ${this.socketError}`,
          });
      });
      socket.on('close', () => {
        settle({ kind: 'lost', message: 'the server closed the connection during the opening handshake' });
        this.onConnectionLost();
      });
      socket.on('connect', () => {
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
        const extensions =
          deflateOffers.length === 0 ? undefined : formatExtensions(deflateOffers.map((o) => deflateOfferElement(o)));
        this.httpRequest = buildUpgradeRequest({
          host: url.host,
          path: (url.pathname || '/') + url.search,
          key,
          userAgent,
          ...(extensions === undefined ? {} : { extensions }),
        });
        void this.queue!.push(Buffer.from(this.httpRequest, 'latin1'));
      });
      socket.on('data', (chunk: Buffer) => {
        this.receivedBytes += chunk.length;
        this.logRxOctets(chunk);
        if (this.receivedBytes > this.limits.maxReceivedBytes) {
          this.flood(`more than ${this.limits.maxReceivedBytes} octets`);
          return;
        }
        if (this.state !== 'connecting') {
          this.feed(chunk);
          return;
        }
        headChunks.push(chunk);
        let response: HttpResponseHead | null;
        try {
          response = head.push(chunk) as HttpResponseHead | null;
        } catch (err) {
          settle({ kind: 'handshake-rejected', message: `invalid handshake response: ${(err as Error).message}` });
          this.dropConnection();
          return;
        }
        if (!response) return;
        const rest = head.rest();
        const raw = Buffer.concat(headChunks);
        this.httpResponse = raw.subarray(0, raw.length - rest.length).toString('latin1');
        const check = validateUpgradeResponse(response, {
          key,
          ...(deflateOffers.length === 0 ? {} : { offeredExtensions: [PERMESSAGE_DEFLATE] }),
        });
        if (!check.ok) {
          settle({ kind: 'handshake-rejected', message: check.message });
          this.dropConnection();
          return;
        }
        const accepted = check.extensions.find((e) => e.name.toLowerCase() === PERMESSAGE_DEFLATE);
        if (accepted) {
          // AutobahnPython's rules: parameter syntax must be right; the relation to our offers is only noted.
          const deflate = validateDeflateResponse(accepted, deflateOffers);
          if (!deflate.ok) {
            settle({ kind: 'handshake-rejected', message: deflate.message });
            this.dropConnection();
            return;
          }
          this.deflateViolations = deflate.violations;
          this.deflate = new DeflateCodec({
            role: 'client',
            params: deflate.params,
            maxMessageSize: this.limits.maxMessageSize,
          });
          this.reader = this.newReader();
        }
        this.state = 'open';
        this.openedAt = performance.now();
        settle(null);
        if (rest.length > 0) this.feed(rest);
      });
    });
  }

  /**
   * Autobahn's sendFrame: encodes (masked, fresh key) and queues one frame, valid or not, in any state but
   * closed. It does not change the connection state, even for a Close frame.
   */
  sendFrame(frame: OutgoingFrame, chop = 0, sync = false): Promise<void> {
    if (this.state === 'closed' || !this.queue) return Promise.resolve();
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
    if (this.state === 'closed' || !this.queue) return Promise.resolve();
    return this.queue.push(bytes, 0, true);
  }

  /**
   * Autobahn's sendMessage: only while open; one frame, or `fragmentSize`-octet fragments followed by a
   * final frame with the remainder (empty when the size divides the length).
   */
  async sendMessage(payload: Buffer, binary: boolean, fragmentSize = 0): Promise<void> {
    if (this.state !== 'open') return;
    const opcode = binary ? Opcode.Binary : Opcode.Text;
    const t = this.traffic;
    t.outgoingWebSocketMessages++;
    t.outgoingOctetsAppLevel += payload.length;
    // With permessage-deflate the whole message is compressed first, then fragmented; RSV1 on frame 1 only.
    const rsv = this.deflate ? 4 : 0;
    if (this.deflate) payload = this.deflate.compressSync(payload);
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
    if (this.state !== 'open') return;
    void this.sendFrame({ opcode: Opcode.Close, payload: encodeClosePayload(code, reason ?? undefined) });
    this.state = 'closing';
    this.record.closedByMe = !isReply;
    this.record.localCloseCode = code;
    this.record.localCloseReason = reason ? reason.toString('utf8') : null;
    if (this.record.closedByMe && this.timeouts.closeHandshakeMs > 0) {
      this.closeHandshakeTimer = setTimeout(() => this.onCloseHandshakeTimeout(), this.timeouts.closeHandshakeMs);
    } else if (isReply && this.timeouts.serverConnectionDropMs > 0) {
      // AutobahnPython arms no timer here and relies on the case's killAfter; we bound the wait so a server
      // that never drops TCP cannot hold a case open. The verdict is the same: the client drops.
      this.serverDropTimer = setTimeout(
        () => this.onServerConnectionDropTimeout(),
        this.timeouts.serverConnectionDropMs,
      );
    }
  }

  /**
   * Autobahn's failConnection. With failByDrop off (the fuzzingclient's default): a Close, or a drop if
   * already closing. With failByDrop on (a spec's "options"): the TCP connection is dropped at once, unclean.
   */
  failConnection(code = 1001, reason = 'Going Away'): void {
    if (this.state === 'closed') return;
    this.record.failedByMe = true;
    if (this.failByDrop) {
      this.record.wasClean = false;
      this.record.wasNotCleanReason = `I dropped the WebSocket TCP connection: ${reason}`;
      this.dropConnection();
    } else if (this.state === 'open') this.sendCloseFrame(code, truncateUtf8(reason, 123), false);
    else this.dropConnection();
  }

  /** failConnection for a server's protocol violation, remembering its code for the result text. */
  private failForViolation(error: ProtocolError): void {
    if (this.state !== 'closed') this.violation ??= error.code;
    this.failConnection(error.closeCode, error.message);
  }

  /** Aborts the TCP connection from our side. */
  dropConnection(): void {
    if (this.state === 'closed') return;
    this.record.droppedByMe = true;
    this.state = 'closed';
    this.socket?.destroy();
  }

  /** Drops the connection for a reason outside the protocol (hard time limit, flood, stalled writes). */
  abort(reason: string): void {
    if (this.state === 'closed') return;
    this.guardReason ??= reason;
    this.record.wasNotCleanReason ??= reason;
    this.dropConnection();
  }

  private newReader(): MessageReader {
    return new MessageReader(
      {
        role: 'client',
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
          if (this.state === 'open')
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
    if (this.state === 'closed') return;
    if (this.recovering && this.reader.error) this.reader = this.newReader();
    const error = this.reader.push(chunk);
    if (!error) return;
    if (this.recovering) return;
    // A Close frame's own problems were handled in onFrameEnd, as Autobahn handles them.
    if (this.reader.closed || this.closeFrameJudged) return;
    // Autobahn fails the connection with the violation's code and, not dropping TCP, keeps reading so the
    // server's Close can still complete the handshake: a fresh reader takes the following chunks.
    this.failForViolation(error);
    this.recovering = true;
  }

  /** AutobahnPython's onCloseFrame, applied to the raw payload of a Close the server sent. */
  private onServerClose(payload: Buffer): void {
    this.closeFrameJudged = true;
    const close = readClosePayload(payload);
    if (close.oneBytePayload) this.failConnection(1002, 'received close control frame with payload len 1');
    this.record.remoteCloseCode = close.code;
    if (close.invalidCode) this.failConnection(1002, `invalid close code ${close.code}`);
    if (close.invalidReason) this.failConnection(1007, 'invalid close reason (non-UTF-8 payload)');
    else this.record.remoteCloseReason = close.reason;
    if (this.state === 'closing') {
      if (this.closeHandshakeTimer) clearTimeout(this.closeHandshakeTimer);
      this.closeHandshakeTimer = null;
      this.record.wasClean = true;
      if (this.timeouts.serverConnectionDropMs > 0 && !this.serverDropTimer) {
        this.serverDropTimer = setTimeout(
          () => this.onServerConnectionDropTimeout(),
          this.timeouts.serverConnectionDropMs,
        );
      }
    } else if (this.state === 'open') {
      this.record.wasClean = true;
      // Autobahn answers a server-initiated close with 1000, not an echo of the server's code.
      this.sendCloseFrame(1000, null, true);
    } else {
      this.record.wasClean = false;
    }
  }

  private onCloseHandshakeTimeout(): void {
    this.closeHandshakeTimer = null;
    if (this.state === 'closed') return;
    this.record.wasClean = false;
    this.record.wasNotCleanReason = 'peer did not respond (in time) in closing handshake';
    this.record.wasCloseHandshakeTimeout = true;
    this.dropConnection();
  }

  private onServerConnectionDropTimeout(): void {
    this.serverDropTimer = null;
    if (this.state === 'closed') return;
    this.record.wasClean = false;
    this.record.wasNotCleanReason = 'server did not drop TCP connection (in time)';
    this.record.wasServerConnectionDropTimeout = true;
    this.dropConnection();
  }

  private onConnectionLost(): void {
    if (this.closeHandshakeTimer) clearTimeout(this.closeHandshakeTimer);
    if (this.serverDropTimer) clearTimeout(this.serverDropTimer);
    this.closeHandshakeTimer = this.serverDropTimer = null;
    this.state = 'closed';
    this.lostAt = performance.now();
    if (!this.record.wasClean && !this.record.droppedByMe && this.record.wasNotCleanReason === null) {
      this.record.wasNotCleanReason =
        this.socketError ?? 'peer dropped the TCP connection without previous WebSocket closing handshake';
    }
    this.queue?.clear();
    this.resolveLost();
  }

  /** Counts a delivered event; false (and the connection dropped) once the server floods us with them. */
  private countEvent(): boolean {
    if (++this.events <= this.limits.maxEvents) return true;
    this.flood(`more than ${this.limits.maxEvents} messages and pongs`);
    return false;
  }

  private flood(what: string): void {
    this.abort(`server flooded the connection: ${what}`);
  }

  private encodeLogged(frame: OutgoingFrame, chop: number, sync: boolean): Buffer {
    const rsv = frame.rsv ?? 0;
    const fin = frame.fin ?? true;
    const bytes = encodeFrame({
      opcode: frame.opcode,
      payload: frame.payload,
      fin,
      rsv1: (rsv & 4) !== 0,
      rsv2: (rsv & 2) !== 0,
      rsv3: (rsv & 1) !== 0,
      mask: true,
    });
    const maskOffset = bytes.length - frame.payload.length - 4;
    this.stats.txFrameStats[frame.opcode] = (this.stats.txFrameStats[frame.opcode] ?? 0) + 1;
    if (frame.opcode < Opcode.Close) {
      this.traffic.outgoingWebSocketFrames++;
      this.traffic.outgoingOctetsWireLevel += bytes.length;
    }
    this.wirelog.add([
      'TF',
      [frame.payload.length, textPreview(frame.payload)],
      frame.opcode,
      fin,
      rsv,
      bytes.subarray(maskOffset, maskOffset + 4).toString('hex'),
      frame.repeatLength ?? null,
      chop || null,
      sync,
    ]);
    return bytes;
  }

  private logTxOctets(data: Buffer, sync: boolean): void {
    this.stats.txOctetStats[data.length] = (this.stats.txOctetStats[data.length] ?? 0) + 1;
    this.wirelog.add(['TO', [data.length, hexPreview(data)], sync]);
  }

  private logRxOctets(chunk: Buffer): void {
    this.stats.rxOctetStats[chunk.length] = (this.stats.rxOctetStats[chunk.length] ?? 0) + 1;
    this.wirelog.add(['RO', [chunk.length, hexPreview(chunk)]]);
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
          this.onServerClose(Buffer.concat(this.controlPayload));
      },
    };
  }
}

/** The first `max` octets of a string's UTF-8, as Autobahn cuts a failure reason (reason.encode()[:123]). */
function truncateUtf8(text: string, max: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= max ? bytes : bytes.subarray(0, max);
}
