/**
 * One upgraded connection: a small state machine around the protocol package's MessageReader.
 *
 * Receive side: every socket chunk goes to `reader.push`, which calls back synchronously for each
 * complete message / control frame. Replies produced during one push (echoes, pongs, the Close)
 * are collected and written with one `socket.write` (or one corked batch for large payloads).
 *
 * Close rules (RFC 6455 §5.5.1, §7.1.1, §7.1.7; hardening.md §7):
 * - peer Close → reply with a Close (empty for empty, 1010 → 1000, else the same code), end TCP at
 *   once, destroy after `closeLingerMs`; input after it is discarded;
 * - protocol error → Close with the error's code, discard input, end TCP, destroy after `closeLingerMs`;
 * - our close() → Close, wait up to `closeTimeoutMs` for the peer's Close, then destroy;
 * - nothing but a Close is ever sent after a Close, and at most one Close is sent.
 *
 * Backpressure: after each chunk, if `socket.writableLength` exceeds `highWaterMark` the socket is
 * paused; it resumes on 'drain' once at or below `lowWaterMark`. While paused, the socket's
 * inactivity timeout is `stallTimeoutMs` (no read and no write progress → destroy); otherwise it is
 * `idleTimeoutMs` (→ Close 1001).
 */
import type { Socket } from 'node:net';
import {
  MessageReader,
  Opcode,
  closeCodeIsValid,
  encodeClosePayload,
  encodeFrameHeader,
  type MessageHandler,
  type ProtocolError,
} from '@wsmatrix/protocol';
import type { ConnectionHandler, ReadyState, WebSocketConnection } from './connection-types.js';
import type { ResolvedOptions } from './options.js';

/** What a connection needs from whoever accepted it. */
export interface ConnectionOwner {
  readonly options: ResolvedOptions;
  /** Called once, from the socket's 'close' event. */
  connectionClosed(conn: Connection): void;
  /** A user callback threw and the connection handler has no onError. */
  reportError(conn: Connection, error: unknown): void;
}

/** Output batches up to this size are copied into one buffer and written with one call. */
const COALESCE_LIMIT = 64 * 1024;
/** Parts at least this big are written by reference (inside cork/uncork) instead of copied. */
const BY_REFERENCE = 16 * 1024;
const EMPTY = Buffer.alloc(0);
/** Longest close reason that fits a control frame (125 − 2 bytes of code). */
const MAX_REASON_BYTES = 123;

/** The code we answer a peer's Close with: its own, except 1010 (client-only) and anything unsendable. */
export function closeReplyCode(code: number): number {
  return code !== 1010 && closeCodeIsValid(code) ? code : 1000;
}

function toBuffer(data: Buffer | Uint8Array | string): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (Buffer.isBuffer(data)) return data;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** A reason for our own Close frames: kept only if it fits. */
function fittingReason(reason: string): string {
  return Buffer.byteLength(reason) <= MAX_REASON_BYTES ? reason : '';
}

export class Connection implements WebSocketConnection, MessageHandler {
  handler: ConnectionHandler;
  readonly protocol: string;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;

  bytesReceived = 0;
  bytesDiscarded = 0;
  messagesReceived = 0;
  messagesSent = 0;
  writes = 0;
  pauses = 0;
  pongsCoalesced = 0;
  peakQueuedOutputBytes = 0;
  paused = false;

  private readonly socket: Socket;
  private readonly owner: ConnectionOwner;
  private readonly opts: ResolvedOptions;
  private readonly reader: MessageReader;

  /** Frames produced while dispatching a chunk, written together afterwards. */
  private out: Buffer[] = [];
  private outBytes = 0;
  private dispatching = false;
  /** The latest ping payload not yet answered because output was over the high-water mark. */
  private pendingPong: Buffer | null = null;

  private closeSent = false;
  private closeReceived = false;
  /** Set once input must be discarded (peer Close received, connection failed, peer FIN). */
  private inputClosed = false;
  private endPending = false;
  private ended = false;
  private socketClosed = false;
  private peerCloseCode = 1006;
  private peerCloseReason = '';
  private destroyTimer: NodeJS.Timeout | null = null;
  private destroyDeadline = Infinity;

  constructor(socket: Socket, owner: ConnectionOwner, protocol: string) {
    this.socket = socket;
    this.owner = owner;
    this.opts = owner.options;
    this.handler = owner.options.handler;
    this.protocol = protocol;
    this.remoteAddress = socket.remoteAddress;
    this.remotePort = socket.remotePort;
    this.reader = new MessageReader(
      { role: 'server', maxMessageSize: this.opts.maxMessageSize, partOverhead: this.opts.partOverhead },
      this,
    );
    socket.on('error', this.onSocketError);
    socket.on('close', this.onSocketClose);
    socket.on('end', this.onSocketEnd);
    socket.on('drain', this.onSocketDrain);
    socket.on('timeout', this.onSocketTimeout);
    socket.on('data', this.onSocketData);
    socket.setNoDelay(true);
    socket.setTimeout(this.opts.idleTimeoutMs);
  }

  /** Processes bytes that arrived with the upgrade request, then lets the socket flow. */
  start(head: Buffer): void {
    if (head.length !== 0) this.onSocketData(head);
    if (!this.paused) this.socket.resume();
  }

  // ---- public API -------------------------------------------------------------------------

  get readyState(): ReadyState {
    if (this.socketClosed) return 'closed';
    return this.closeSent || this.closeReceived || this.ended ? 'closing' : 'open';
  }

  get queuedOutputBytes(): number {
    return this.socket.writableLength;
  }

  get bufferedInputBytes(): number {
    return this.reader.bufferedBytes;
  }

  get retainedMessageBytes(): number {
    return this.reader.retainedMessageBytes;
  }

  send(data: Buffer | Uint8Array | string, binary?: boolean): boolean {
    if (this.closeSent || this.ended || this.socketClosed) return false;
    const isBinary = binary ?? typeof data !== 'string';
    this.pushFrame(isBinary ? Opcode.Binary : Opcode.Text, toBuffer(data));
    this.messagesSent++;
    if (!this.dispatching) this.commit();
    return true;
  }

  ping(data: Buffer | Uint8Array | string = EMPTY): boolean {
    const payload = toBuffer(data);
    if (payload.length > 125) throw new RangeError('ping payload must be at most 125 bytes');
    if (this.closeSent || this.ended || this.socketClosed) return false;
    this.pushFrame(Opcode.Ping, payload);
    if (!this.dispatching) this.commit();
    return true;
  }

  close(code = 1000, reason = ''): void {
    if (!closeCodeIsValid(code) || code === 1010) {
      throw new RangeError(`close code ${code} must not be sent by a server`);
    }
    if (Buffer.byteLength(reason) > MAX_REASON_BYTES) {
      throw new RangeError(`close reason must be at most ${MAX_REASON_BYTES} bytes`);
    }
    if (this.closeSent || this.ended || this.socketClosed) return;
    this.sendClose(encodeClosePayload(code, reason));
    this.armDestroy(this.opts.closeTimeoutMs);
    if (!this.dispatching) this.commit();
  }

  terminate(): void {
    this.socket.destroy();
  }

  /** Server shutdown: Close 1001 if still open, and destroy after `graceMs` whatever happens. */
  shutdown(graceMs: number): void {
    if (!this.closeSent && !this.ended && !this.socketClosed) {
      this.sendClose(encodeClosePayload(1001, 'Server shutting down'));
      if (!this.dispatching) this.commit();
    }
    if (graceMs === 0) this.socket.destroy();
    else this.armDestroy(graceMs);
  }

  // ---- MessageHandler (called synchronously from reader.push) ----------------------------

  onMessage(data: Buffer, binary: boolean): void {
    if (this.inputClosed) return;
    this.messagesReceived++;
    const handler = this.handler;
    if (handler.onMessage !== undefined) handler.onMessage(this, data, binary);
  }

  onPing(data: Buffer): void {
    if (this.inputClosed) return;
    if (!this.closeSent) {
      if (this.socket.writableLength + this.outBytes > this.opts.highWaterMark) {
        // RFC 6455 §5.5.3 allows answering only the most recent ping; do so only under backpressure.
        if (this.pendingPong !== null) this.pongsCoalesced++;
        this.pendingPong = data;
      } else {
        this.pushFrame(Opcode.Pong, data);
      }
    }
    const handler = this.handler;
    if (handler.onPing !== undefined) handler.onPing(this, data);
  }

  onPong(data: Buffer): void {
    if (this.inputClosed) return;
    const handler = this.handler;
    if (handler.onPong !== undefined) handler.onPong(this, data);
  }

  onClose(code: number | null, reason: string): void {
    if (this.inputClosed) return;
    this.closeReceived = true;
    this.inputClosed = true;
    this.peerCloseCode = code ?? 1005;
    this.peerCloseReason = reason;
    if (!this.closeSent) {
      this.sendClose(code === null ? EMPTY : encodeClosePayload(closeReplyCode(code)));
    }
    this.requestEnd();
  }

  // ---- socket events -----------------------------------------------------------------------

  private readonly onSocketData = (chunk: Buffer): void => {
    if (this.inputClosed) {
      this.bytesDiscarded += chunk.length;
      return;
    }
    this.bytesReceived += chunk.length;
    this.dispatching = true;
    let error: ProtocolError | null;
    try {
      error = this.reader.push(chunk);
    } catch (thrown) {
      this.dispatching = false;
      this.callbackFailed(thrown);
      return;
    }
    this.dispatching = false;
    if (error !== null) this.fail(error.closeCode, error.message);
    this.commit();
  };

  private readonly onSocketDrain = (): void => {
    if (this.paused && this.socket.writableLength <= this.opts.lowWaterMark) {
      this.paused = false;
      this.socket.setTimeout(this.opts.idleTimeoutMs);
      if (this.pendingPong !== null) this.commit();
      if (!this.paused) this.socket.resume();
    }
  };

  private readonly onSocketEnd = (): void => {
    // Peer FIN. Sockets from node:http allow half-open connections, so end our side too.
    this.inputClosed = true;
    this.requestEnd();
  };

  private readonly onSocketTimeout = (): void => {
    if (this.paused || this.closeSent || this.ended) {
      // Stalled under backpressure (no read and no write progress), or a close that went nowhere.
      this.socket.destroy();
    } else {
      this.close(1001, 'Idle timeout');
    }
  };

  private readonly onSocketError = (): void => {
    // ECONNRESET, EPIPE, … : 'close' follows and does the bookkeeping.
  };

  private readonly onSocketClose = (): void => {
    if (this.socketClosed) return;
    this.socketClosed = true;
    this.inputClosed = true;
    this.pendingPong = null;
    this.out = [];
    this.outBytes = 0;
    if (this.destroyTimer !== null) clearTimeout(this.destroyTimer);
    this.destroyTimer = null;
    this.owner.connectionClosed(this);
    const handler = this.handler;
    if (handler.onClose !== undefined) {
      try {
        handler.onClose(this, this.peerCloseCode, this.peerCloseReason);
      } catch (thrown) {
        this.owner.reportError(this, thrown);
      }
    }
  };

  // ---- internals ---------------------------------------------------------------------------

  /** Fail the WebSocket connection (RFC 6455 §7.1.7): one Close if none was sent, then end. */
  private fail(code: number, reason: string): void {
    this.inputClosed = true;
    if (!this.closeSent) this.sendClose(encodeClosePayload(code, fittingReason(reason)));
    this.requestEnd();
  }

  private callbackFailed(thrown: unknown): void {
    this.fail(1011, 'Internal error');
    this.commit();
    const handler = this.handler;
    if (handler.onError !== undefined) {
      try {
        handler.onError(this, thrown);
        return;
      } catch (again) {
        thrown = again;
      }
    }
    this.owner.reportError(this, thrown);
  }

  private sendClose(payload: Buffer): void {
    this.closeSent = true;
    this.pendingPong = null;
    this.pushFrame(Opcode.Close, payload);
  }

  private pushFrame(opcode: number, payload: Buffer): void {
    const header = encodeFrameHeader({ opcode, payloadLength: payload.length });
    this.out.push(header);
    this.outBytes += header.length;
    if (payload.length !== 0) {
      this.out.push(payload);
      this.outBytes += payload.length;
    }
  }

  private requestEnd(): void {
    this.endPending = true;
    if (!this.dispatching) this.commit();
  }

  /** Writes what was queued, answers a deferred ping if there is room, ends or applies backpressure. */
  private commit(): void {
    this.flush();
    if (this.pendingPong !== null && this.socket.writableLength <= this.opts.highWaterMark) {
      const payload = this.pendingPong;
      this.pendingPong = null;
      this.pushFrame(Opcode.Pong, payload);
      this.flush();
    }
    if (this.endPending) {
      this.endPending = false;
      this.endSocket();
    } else if (!this.paused && !this.inputClosed && this.socket.writableLength > this.opts.highWaterMark) {
      this.paused = true;
      this.pauses++;
      this.socket.pause();
      this.socket.setTimeout(this.opts.stallTimeoutMs);
    }
  }

  private flush(): void {
    const parts = this.out;
    const count = parts.length;
    if (count === 0) return;
    const socket = this.socket;
    const total = this.outBytes;
    // Swap in a fresh queue: writes below may re-enter (a 'drain' handler sending more).
    this.out = [];
    this.outBytes = 0;
    if (this.ended || socket.destroyed) return;
    if (count === 1) {
      this.write(parts[0]!);
    } else if (total <= COALESCE_LIMIT) {
      this.write(concat(parts, 0, count, total));
    } else {
      socket.cork();
      let i = 0;
      while (i < count) {
        const part = parts[i]!;
        if (part.length >= BY_REFERENCE) {
          this.write(part);
          i++;
          continue;
        }
        // A run of small parts (frame headers, small payloads) becomes one copied buffer.
        let j = i + 1;
        let runBytes = part.length;
        while (j < count) {
          const next = parts[j]!;
          if (next.length >= BY_REFERENCE || runBytes + next.length > COALESCE_LIMIT) break;
          runBytes += next.length;
          j++;
        }
        this.write(j - i === 1 ? part : concat(parts, i, j, runBytes));
        i = j;
      }
      socket.uncork();
    }
    const queued = socket.writableLength;
    if (queued > this.peakQueuedOutputBytes) this.peakQueuedOutputBytes = queued;
  }

  private write(buf: Buffer): void {
    this.writes++;
    this.socket.write(buf);
  }

  private endSocket(): void {
    if (this.ended || this.socketClosed) return;
    this.ended = true;
    this.socket.end();
    this.armDestroy(this.opts.closeLingerMs);
    if (this.paused) {
      // Keep reading (and discarding) so the peer's FIN is seen and the socket can close early.
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Destroys the socket `ms` from now unless an earlier destroy is already scheduled. */
  private armDestroy(ms: number): void {
    if (this.socketClosed) return;
    const deadline = Date.now() + ms;
    if (deadline >= this.destroyDeadline) return;
    if (this.destroyTimer !== null) clearTimeout(this.destroyTimer);
    this.destroyDeadline = deadline;
    this.destroyTimer = setTimeout(() => this.socket.destroy(), ms);
    this.destroyTimer.unref();
  }
}

function concat(parts: Buffer[], from: number, to: number, total: number): Buffer {
  const buf = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let k = from; k < to; k++) {
    const part = parts[k]!;
    part.copy(buf, offset);
    offset += part.length;
  }
  return buf;
}
