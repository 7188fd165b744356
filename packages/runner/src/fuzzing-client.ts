import net from 'node:net';
import {
  HttpHeadParser,
  MessageReader,
  Opcode,
  buildUpgradeRequest,
  encodeClosePayload,
  encodeFrame,
  generateKey,
  validateUpgradeResponse,
  type FrameHeader,
  type HttpResponseHead,
} from '@wsmatrix/protocol';
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
}

/** Autobahn's closing-behaviour record, field for field. */
export interface ClosingRecord {
  isServer: false;
  closedByMe: boolean;
  failedByMe: boolean;
  droppedByMe: boolean;
  wasClean: boolean;
  wasNotCleanReason: string | null;
  wasServerConnectionDropTimeout: boolean;
  wasOpenHandshakeTimeout: boolean;
  wasCloseHandshakeTimeout: boolean;
  localCloseCode: number | null;
  localCloseReason: string | null;
  remoteCloseCode: number | null;
  remoteCloseReason: string | null;
}

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
  /** The TCP connection is gone (after open). */
  onLost(): void;
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

type State = 'connecting' | 'open' | 'closing' | 'closed';

interface QueuedWrite {
  data: Buffer;
  chop: number;
  sync: boolean;
  done: () => void;
}

/**
 * The fuzzing client's side of one connection: a raw TCP socket, the opening handshake, a send queue
 * that can chop and sync writes, and Autobahn's client close semantics (who closed, clean or not, which
 * timer fired). It records everything the verdict and the report need; it never decides a verdict.
 */
export class FuzzingClient {
  state: State = 'connecting';
  readonly record: ClosingRecord = {
    isServer: false,
    closedByMe: false,
    failedByMe: false,
    droppedByMe: false,
    wasClean: false,
    wasNotCleanReason: null,
    wasServerConnectionDropTimeout: false,
    wasOpenHandshakeTimeout: false,
    wasCloseHandshakeTimeout: false,
    localCloseCode: null,
    localCloseReason: null,
    remoteCloseCode: null,
    remoteCloseReason: null,
  };
  readonly stats: TrafficStats = { rxOctetStats: {}, txOctetStats: {}, rxFrameStats: {}, txFrameStats: {} };
  readonly wirelog: WireLog;
  httpRequest = '';
  httpResponse = '';
  /** performance.now() when the WebSocket opened. */
  openedAt = 0;
  /** Bytes received from the server since connect. */
  receivedBytes = 0;
  /** Why the runner gave up on the server other than by protocol (flood, stalled writes). */
  guardReason: string | null = null;
  /** Socket error text, if any (ECONNRESET, EPIPE...). */
  socketError: string | null = null;

  private socket: net.Socket | null = null;
  private readonly reader: MessageReader;
  private readonly queue: QueuedWrite[] = [];
  private pumping = false;
  private closeHandshakeTimer: NodeJS.Timeout | null = null;
  private serverDropTimer: NodeJS.Timeout | null = null;
  private readonly startedAt = performance.now();
  private rxPreview: Buffer[] = [];
  private rxPreviewBytes = 0;
  private handlers: ClientHandlers | null = null;
  private readonly lostPromise: Promise<void>;
  private resolveLost!: () => void;

  constructor(
    private readonly timeouts: ClientTimeouts,
    private readonly limits: ClientLimits,
  ) {
    this.wirelog = new WireLog(() => Math.round((performance.now() - (this.openedAt || this.startedAt)) * 1000) / 1000);
    this.lostPromise = new Promise((resolve) => (this.resolveLost = resolve));
    this.reader = new MessageReader(
      { role: 'client', maxMessageSize: limits.maxMessageSize, requireMinimalLength: true, observer: this.frameObserver() },
      {
        onMessage: (data, binary) => this.handlers?.onMessage(data, binary),
        onPing: (data) => {
          // Autobahn answers pings only while open, and does not record them as events.
          if (this.state === 'open') void this.sendFrame({ opcode: Opcode.Pong, payload: Buffer.from(data) });
        },
        onPong: (data) => this.handlers?.onPong(data),
        onClose: (code, reason) => this.onCloseFrame(code, reason),
      },
    );
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
  connect(url: URL, userAgent: string): Promise<ConnectFailure | null> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (failure: ConnectFailure | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        clearTimeout(handshakeTimer);
        resolve(failure);
      };
      const port = Number(url.port || 80);
      const socket = net.connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port });
      this.socket = socket;
      socket.setNoDelay(true);
      let handshakeTimer: NodeJS.Timeout | undefined;
      const connectTimer = setTimeout(() => {
        settle({ kind: 'connect-timeout', message: `TCP connect to ${url.host} timed out after ${this.timeouts.connectMs} ms` });
        this.dropConnection();
      }, this.timeouts.connectMs);
      const key = generateKey();
      const head = new HttpHeadParser('response');
      socket.on('error', (err: NodeJS.ErrnoException) => {
        this.socketError = err.code ? `${err.code}: ${err.message}` : err.message;
        if (!settled) {
          const kind: ConnectFailureKind = err.code === 'ECONNREFUSED' ? 'refused' : 'lost';
          settle({ kind, message: `cannot reach ${url.host}: ${this.socketError}` });
        }
      });
      socket.on('close', () => {
        settle({ kind: 'lost', message: 'the server closed the connection during the opening handshake' });
        this.onConnectionLost();
      });
      socket.on('connect', () => {
        clearTimeout(connectTimer);
        handshakeTimer = setTimeout(() => {
          this.record.wasOpenHandshakeTimeout = true;
          this.record.wasNotCleanReason = 'WebSocket opening handshake timeout (peer did not finish the opening handshake in time)';
          settle({ kind: 'handshake-timeout', message: `no complete handshake response within ${this.timeouts.openHandshakeMs} ms` });
          this.dropConnection();
        }, this.timeouts.openHandshakeMs);
        this.httpRequest = buildUpgradeRequest({ host: url.host, path: (url.pathname || '/') + url.search, key, userAgent });
        this.writeLogged(Buffer.from(this.httpRequest, 'latin1'), false);
      });
      socket.on('data', (chunk: Buffer) => {
        this.receivedBytes += chunk.length;
        this.logRxOctets(chunk);
        if (this.receivedBytes > this.limits.maxReceivedBytes && this.state !== 'closed') {
          this.guardReason = `server flooded the connection: more than ${this.limits.maxReceivedBytes} bytes`;
          this.record.wasNotCleanReason ??= this.guardReason;
          this.dropConnection();
          return;
        }
        if (this.state !== 'connecting') {
          this.feed(chunk);
          return;
        }
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
        this.httpResponse = chunk.length === 0 ? '' : responseText(response);
        const check = validateUpgradeResponse(response, { key });
        if (!check.ok) {
          settle({ kind: 'handshake-rejected', message: check.message });
          this.dropConnection();
          return;
        }
        this.state = 'open';
        this.openedAt = performance.now();
        settle(null);
        if (rest.length > 0) this.feed(rest);
      });
    });
  }

  /** Queue a frame; resolves when its bytes were handed to the socket (and flushed, for chop/sync). */
  sendFrame(frame: OutgoingFrame, chop = 0, sync = false): Promise<void> {
    if (this.state === 'closed' || !this.socket) return Promise.resolve();
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
    return this.enqueue(bytes, chop, sync);
  }

  /**
   * Encodes and logs a frame that the caller will write itself in parts (Autobahn's beginMessageFrame /
   * sendMessageFrameData): the frame counts as transmitted once.
   */
  encodeForParts(frame: OutgoingFrame): Buffer {
    const rsv = frame.rsv ?? 0;
    const fin = frame.fin ?? true;
    const bytes = encodeFrame({ opcode: frame.opcode, payload: frame.payload, fin, rsv1: (rsv & 4) !== 0, rsv2: (rsv & 2) !== 0, rsv3: (rsv & 1) !== 0, mask: true });
    const maskOffset = bytes.length - frame.payload.length - 4;
    this.stats.txFrameStats[frame.opcode] = (this.stats.txFrameStats[frame.opcode] ?? 0) + 1;
    this.wirelog.add(['TF', [frame.payload.length, textPreview(frame.payload)], frame.opcode, fin, rsv, bytes.subarray(maskOffset, maskOffset + 4).toString('hex'), null, null, true]);
    return bytes;
  }

  /** Queue raw bytes, flushed before the promise resolves. */
  writeRaw(bytes: Buffer): Promise<void> {
    if (this.state === 'closed' || !this.socket) return Promise.resolve();
    return this.enqueue(bytes, 0, true);
  }

  /** Autobahn's sendMessage: one frame, or fragments of `fragmentSize` octets. */
  async sendMessage(payload: Buffer, binary: boolean, fragmentSize = 0): Promise<void> {
    const opcode = binary ? Opcode.Binary : Opcode.Text;
    if (fragmentSize <= 0 || payload.length <= fragmentSize) {
      await this.sendFrame({ opcode, payload });
      return;
    }
    const sends: Promise<void>[] = [];
    for (let offset = 0; offset < payload.length; offset += fragmentSize) {
      const end = Math.min(offset + fragmentSize, payload.length);
      sends.push(this.sendFrame({ opcode: offset === 0 ? opcode : Opcode.Continuation, payload: payload.subarray(offset, end), fin: end === payload.length }));
    }
    await Promise.all(sends);
  }

  /**
   * Autobahn's sendCloseFrame: sends whatever payload it is given (invalid ones too) and moves to closing.
   * Only while open; a second Close is never sent.
   */
  sendCloseFrame(code: number | null, reason: Buffer | null, isReply: boolean): void {
    if (this.state !== 'open') return;
    const payload = encodeClosePayload(code, reason ?? undefined);
    void this.sendFrame({ opcode: Opcode.Close, payload });
    this.state = 'closing';
    this.record.closedByMe = !isReply;
    this.record.localCloseCode = code;
    this.record.localCloseReason = reason ? reason.toString('utf8') : null;
    if (this.record.closedByMe && this.timeouts.closeHandshakeMs > 0) {
      this.closeHandshakeTimer = setTimeout(() => this.onCloseHandshakeTimeout(), this.timeouts.closeHandshakeMs);
    }
  }

  /** Autobahn's failConnection (failByDrop off, as the fuzzing client runs): send a Close, or drop if closing. */
  failConnection(code = 1001, reason = 'Going Away'): void {
    if (this.state === 'closed') return;
    this.record.failedByMe = true;
    if (this.state === 'open') this.sendCloseFrame(code, Buffer.from(reason.slice(0, 123), 'utf8'), false);
    else this.dropConnection();
  }

  /** Abort the TCP connection from our side. */
  dropConnection(): void {
    if (this.state === 'closed') return;
    this.record.droppedByMe = true;
    this.state = 'closed';
    this.socket?.destroy();
  }

  /** Force-close after the case's hard deadline; a note says why. */
  abort(reason: string): void {
    if (this.state === 'closed') return;
    this.guardReason ??= reason;
    this.record.wasNotCleanReason ??= reason;
    this.dropConnection();
  }

  private feed(chunk: Buffer): void {
    if (this.state === 'closed') return;
    const error = this.reader.push(chunk);
    if (error && !this.record.failedByMe) {
      // Autobahn fails the connection on a server's protocol violation with the matching code.
      this.failConnection(error.closeCode, error.message);
    }
  }

  private onCloseFrame(code: number | null, reason: string): void {
    this.record.remoteCloseCode = code;
    this.record.remoteCloseReason = code === null ? null : reason;
    if (this.state === 'closing') {
      if (this.closeHandshakeTimer) clearTimeout(this.closeHandshakeTimer);
      this.closeHandshakeTimer = null;
      this.record.wasClean = true;
      if (this.timeouts.serverConnectionDropMs > 0) {
        this.serverDropTimer = setTimeout(() => this.onServerConnectionDropTimeout(), this.timeouts.serverConnectionDropMs);
      }
    } else if (this.state === 'open') {
      this.record.wasClean = true;
      // Autobahn answers a server-initiated close with 1000, not an echo of the server's code.
      this.sendCloseFrame(1000, null, true);
    }
  }

  private onCloseHandshakeTimeout(): void {
    this.closeHandshakeTimer = null;
    if (this.state === 'closed') return;
    this.record.wasClean = false;
    this.record.wasNotCleanReason = 'peer did not finish the closing handshake in time';
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
    const wasOpen = this.connectionWasOpen;
    this.state = 'closed';
    if (!this.record.wasClean && !this.record.droppedByMe && this.record.wasNotCleanReason === null) {
      this.record.wasNotCleanReason = this.socketError ?? 'peer dropped the TCP connection without previous WebSocket closing handshake';
    }
    for (const item of this.queue.splice(0)) item.done();
    this.resolveLost();
    if (wasOpen) this.handlers?.onLost();
  }

  private enqueue(data: Buffer, chop: number, sync: boolean): Promise<void> {
    return new Promise((done) => {
      this.queue.push({ data, chop, sync, done });
      if (!this.pumping) void this.pump();
    });
  }

  /** Writes queued items strictly in order; chops and syncs each get flushed before the next write. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const item = this.queue.shift()!;
        if (this.state === 'closed' && this.socket?.destroyed !== false) {
          item.done();
          continue;
        }
        if (item.chop > 0) {
          for (let offset = 0; offset < item.data.length && !this.socket!.destroyed; offset += item.chop) {
            await this.writeFlushed(item.data.subarray(offset, offset + item.chop), true);
          }
        } else if (item.sync) {
          await this.writeFlushed(item.data, true);
        } else {
          const ok = this.writeLogged(item.data, false);
          if (!ok) await this.waitDrain();
        }
        item.done();
      }
    } finally {
      this.pumping = false;
    }
  }

  private writeLogged(data: Buffer, sync: boolean, callback?: () => void): boolean {
    const socket = this.socket;
    if (!socket || socket.destroyed) {
      callback?.();
      return true;
    }
    this.stats.txOctetStats[data.length] = (this.stats.txOctetStats[data.length] ?? 0) + 1;
    this.wirelog.add(['TO', [data.length, hexPreview(data)], sync]);
    return socket.write(data, callback ? () => callback() : undefined);
  }

  /** One write that has reached the kernel, then one turn of the event loop, so it leaves as its own segment. */
  private writeFlushed(data: Buffer, sync: boolean): Promise<void> {
    return new Promise((resolve) => {
      const ok = this.writeLogged(data, sync, () => setImmediate(resolve));
      if (!ok) void this.waitDrain();
    });
  }

  private waitDrain(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        socket.off('drain', onDrain);
        this.abort(`server stopped reading: a write waited more than ${this.timeouts.drainMs} ms`);
        resolve();
      }, this.timeouts.drainMs);
      const onDrain = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.once('drain', onDrain);
      socket.once('close', onDrain);
    });
  }

  private logRxOctets(chunk: Buffer): void {
    this.stats.rxOctetStats[chunk.length] = (this.stats.rxOctetStats[chunk.length] ?? 0) + 1;
    this.wirelog.add(['RO', [chunk.length, hexPreview(chunk)]]);
  }

  private frameObserver() {
    return {
      onFrameHeader: () => {
        this.rxPreview = [];
        this.rxPreviewBytes = 0;
      },
      onFramePayload: (data: Buffer) => {
        if (this.rxPreviewBytes < 64) {
          const piece = Buffer.from(data.subarray(0, 64 - this.rxPreviewBytes));
          this.rxPreview.push(piece);
          this.rxPreviewBytes += piece.length;
        }
      },
      onFrameEnd: (header: FrameHeader) => {
        this.stats.rxFrameStats[header.opcode] = (this.stats.rxFrameStats[header.opcode] ?? 0) + 1;
        if (!this.wirelog.enabled) return;
        const preview = Buffer.concat(this.rxPreview);
        const text = header.payloadLength > preview.length ? textPreview(preview).replace(/ \.\.\.$/, '') + ' ...' : textPreview(preview);
        const rsv = (header.rsv1 ? 4 : 0) | (header.rsv2 ? 2 : 0) | (header.rsv3 ? 1 : 0);
        this.wirelog.add(['RF', [header.payloadLength, text], header.opcode, header.fin, rsv, header.masked, header.mask ? header.mask.toString('hex') : null]);
      },
    };
  }
}

function responseText(head: HttpResponseHead): string {
  const lines = [`HTTP/${head.httpVersion} ${head.status} ${head.reason}`];
  for (const [name, value] of head.headers.entries()) lines.push(`${name}: ${value}`);
  return lines.join('\r\n') + '\r\n\r\n';
}
