/**
 * One upgraded connection: a small state machine around the protocol package's MessageReader.
 *
 * Receive side: every socket chunk goes to `reader.push`, which calls back synchronously for each
 * complete message / control frame. Replies produced during one push (echoes, pongs, the Close)
 * are collected and written with one `socket.write` (or one corked batch for large payloads).
 *
 * Close rules (RFC 6455 §5.5.1, §7.1.1, §7.1.7; the limits table in this package's README):
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
 *
 * permessage-deflate (when negotiated): zlib work is asynchronous (thread pool, bounded by the server's
 * ZlibLimiter), yet everything stays in wire order.
 * - Inbound: a compressed message and every event the reader produced after it (messages, pings,
 *   pongs, the Close, a protocol error, the peer's FIN) wait in `inbound`, and the socket is paused,
 *   until it is inflated; so at most one socket chunk of events is held. The inflated size is capped
 *   at maxMessageSize while inflating (1009); corrupt data → 1007; inflated text is UTF-8-checked (1007).
 * - Outbound: a message being compressed holds a slot in `outSlots`; frames queued after it (pongs, the
 *   Close, other messages) wait behind it, and the socket is ended only once every slot is written.
 *   Bytes waiting for compression count toward the high-water mark.
 */
import {
  DeflateCodec,
  MessageReader,
  Opcode,
  ProtocolError,
  closeCodeIsValid,
  encodeClosePayload,
  encodeFrameHeader,
  isValidUtf8,
  type DeflateCounters,
  type DeflateParams,
  type MaskArena,
  type MessageHandler,
  type ZlibLimiter,
} from '@wsmatrix/protocol';
import type { ConnectionHandler, ReadyState, WebSocketConnection } from './connection-types.js';
import type { ResolvedOptions } from './options.js';
import type { ServerSocket } from './server-socket.js';
import { MIN_READ_BYTES, SHARED_READ_BYTES, type ReadRoute } from './read-route.js';

/** What a connection needs from whoever accepted it. */
export interface ConnectionOwner {
  readonly options: ResolvedOptions;
  /** Bounds zlib jobs across connections; required when a connection negotiated permessage-deflate. */
  readonly zlibLimiter: ZlibLimiter | null;
  /** The mask arena the shared read buffer lives in (null: none, or the socket does not read into it). */
  readonly maskArena: MaskArena | null;
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
/** Socket 'error' listener: ECONNRESET, EPIPE, … are followed by 'close', which does the bookkeeping. */
const noop = (): void => {};
/** Longest close reason that fits a control frame (125 − 2 bytes of code). */
const MAX_REASON_BYTES = 123;

/** An event held back, in wire order, behind a compressed message that is being inflated. */
type Inbound =
  | { kind: 'message'; data: Buffer; binary: boolean; compressed: boolean }
  | { kind: 'ping' | 'pong'; data: Buffer }
  | { kind: 'close'; code: number | null; reason: string }
  | { kind: 'error'; error: ProtocolError }
  | { kind: 'end' };

/** Frames waiting behind a message being compressed; `parts` is null until its compression is done. */
interface OutSlot {
  parts: Buffer[] | null;
  /** Plaintext bytes still waiting for compression (counted toward the high-water mark). */
  pendingBytes: number;
}

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
  /** The Sec-WebSocket-Extensions value of our 101 ('' when none). */
  readonly extensions: string;

  bytesReceived = 0;
  bytesDiscarded = 0;
  messagesReceived = 0;
  messagesSent = 0;
  writes = 0;
  pauses = 0;
  pongsCoalesced = 0;
  peakQueuedOutputBytes = 0;
  paused = false;

  private readonly socket: ServerSocket;
  private readonly owner: ConnectionOwner;
  private readonly opts: ResolvedOptions;
  private readonly reader: MessageReader;
  private readonly route: ReadRoute | null;

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

  private readonly codec: DeflateCodec | null;
  /** Events held behind a compressed message being inflated (empty otherwise). */
  private inbound: Inbound[] = [];
  private inflating = false;
  /** The reader produced its last event (a Close or an error is queued in `inbound`); later bytes are discarded. */
  private readerDone = false;
  private outSlots: OutSlot[] = [];
  private compressPendingBytes = 0;

  /**
   * `route`: the socket reads into its server's shared buffer, so chunks arrive through the route and
   * are valid only during the call (the reader keeps copies); null: the socket emits 'data' events.
   */
  constructor(
    socket: ServerSocket,
    owner: ConnectionOwner,
    protocol: string,
    deflate: DeflateParams | null = null,
    extensions = '',
    route: ReadRoute | null = null,
  ) {
    this.socket = socket;
    this.owner = owner;
    this.opts = owner.options;
    this.handler = owner.options.handler;
    this.protocol = protocol;
    this.extensions = extensions;
    const deflateOpts = this.opts.perMessageDeflate;
    this.codec =
      deflate === null
        ? null
        : new DeflateCodec({
            role: 'server',
            params: deflate,
            maxMessageSize: this.opts.maxMessageSize,
            ...(deflateOpts?.level === undefined ? {} : { level: deflateOpts.level }),
            ...(deflateOpts?.memLevel === undefined ? {} : { memLevel: deflateOpts.memLevel }),
            ...(owner.zlibLimiter === null ? {} : { limiter: owner.zlibLimiter }),
          });
    this.reader = new MessageReader(
      {
        role: 'server',
        maxMessageSize: this.opts.maxMessageSize,
        partOverhead: this.opts.partOverhead,
        perMessageDeflate: this.codec !== null,
        transientInput: route !== null,
        arena: route !== null ? owner.maskArena : null,
      },
      this,
    );
    // Bound methods, not arrow-function fields: under tsx every per-instance arrow is also renamed
    // (a defineProperty each), measurable at thousands of handshakes a second.
    socket.on('error', noop);
    socket.on('close', this.onSocketClose.bind(this));
    socket.on('end', this.onSocketEnd.bind(this));
    socket.on('drain', this.onSocketDrain.bind(this));
    socket.on('timeout', this.onSocketTimeout.bind(this));
    this.route = route;
    const onData = this.onSocketData.bind(this);
    if (route !== null) route.listener = onData;
    else socket.on('data', onData);
    socket.setNoDelay(true);
    socket.setTimeout(this.opts.idleTimeoutMs);
  }

  /** Processes bytes that arrived with the upgrade request, then lets the socket flow. */
  start(head: Buffer): void {
    if (head.length !== 0) this.onSocketData(head);
    if (!this.paused) this.socket.resume();
  }

  // ---- public API -------------------------------------------------------------------------

  // Read on demand: asking the OS for the peer address on every accept is measurable in handshake rates.
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }

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

  /** permessage-deflate counters of this connection, or null when the extension is not in use. */
  get compression(): DeflateCounters | null {
    return this.codec;
  }

  send(data: Buffer | Uint8Array | string, binary?: boolean): boolean {
    if (this.closeSent || this.ended || this.socketClosed) return false;
    const isBinary = binary ?? typeof data !== 'string';
    const opcode = isBinary ? Opcode.Binary : Opcode.Text;
    if (this.codec !== null) this.sendCompressed(opcode, toBuffer(data));
    else this.pushFrame(opcode, toBuffer(data));
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

  onMessage(data: Buffer, binary: boolean, compressed = false): void {
    if (this.inputClosed) return;
    if (compressed || this.inbound.length !== 0) {
      this.inbound.push({ kind: 'message', data, binary, compressed });
      return;
    }
    this.deliverMessage(data, binary);
  }

  onPing(data: Buffer): void {
    if (this.inputClosed) return;
    if (this.inbound.length !== 0) this.inbound.push({ kind: 'ping', data });
    else this.handlePing(data);
  }

  onPong(data: Buffer): void {
    if (this.inputClosed) return;
    if (this.inbound.length !== 0) this.inbound.push({ kind: 'pong', data });
    else this.handlePong(data);
  }

  onClose(code: number | null, reason: string): void {
    if (this.inputClosed) return;
    if (this.inbound.length !== 0) {
      this.readerDone = true;
      this.inbound.push({ kind: 'close', code, reason });
    } else {
      this.handleClose(code, reason);
    }
  }

  private deliverMessage(data: Buffer, binary: boolean): void {
    if (this.inputClosed) return;
    this.messagesReceived++;
    const handler = this.handler;
    if (handler.onMessage !== undefined) handler.onMessage(this, data, binary);
  }

  private handlePing(data: Buffer): void {
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

  private handlePong(data: Buffer): void {
    if (this.inputClosed) return;
    const handler = this.handler;
    if (handler.onPong !== undefined) handler.onPong(this, data);
  }

  private handleClose(code: number | null, reason: string): void {
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

  private onSocketData(chunk: Buffer): void {
    if (this.inputClosed || this.readerDone) {
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
    if (error !== null) {
      if (this.inbound.length !== 0 && !this.inputClosed) {
        this.readerDone = true;
        this.inbound.push({ kind: 'error', error });
      } else {
        this.fail(error.closeCode, error.message);
      }
    }
    this.commit();
    const route = this.route;
    if (route !== null) {
      // Echo-like handlers turn a read into as much output: keep the queue within highWaterMark + 64 KiB.
      const room = this.opts.highWaterMark - this.socket.writableLength;
      route.readBytes = room >= SHARED_READ_BYTES ? SHARED_READ_BYTES : room <= MIN_READ_BYTES ? MIN_READ_BYTES : room;
      route.direct = this.reader.directReadTarget;
    }
    if (this.inbound.length !== 0) {
      // Hold further input until the compressed message (and what followed it) has been handled.
      this.socket.pause();
      if (!this.inflating) void this.pumpInbound();
    }
  }

  private onSocketDrain(): void {
    this.tryResume();
  }

  private onSocketEnd(): void {
    if (this.inbound.length !== 0 && !this.inputClosed) {
      this.inbound.push({ kind: 'end' });
      return;
    }
    this.peerEnded();
  }

  private onSocketTimeout(): void {
    if (this.paused || this.closeSent || this.ended) {
      // Stalled under backpressure (no read and no write progress), or a close that went nowhere.
      this.socket.destroy();
    } else {
      this.close(1001, 'Idle timeout');
    }
  }

  private onSocketClose(): void {
    if (this.socketClosed) return;
    this.socketClosed = true;
    this.inputClosed = true;
    this.inbound = [];
    this.outSlots = [];
    this.compressPendingBytes = 0;
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
  }

  // ---- internals ---------------------------------------------------------------------------

  private peerEnded(): void {
    // Peer FIN. Sockets from node:http allow half-open connections, so end our side too.
    this.inputClosed = true;
    this.requestEnd();
  }

  /** Resumes reading once output (written and waiting for compression) is down to the low-water mark. */
  private tryResume(): void {
    if (this.paused && this.socket.writableLength + this.compressPendingBytes <= this.opts.lowWaterMark) {
      this.paused = false;
      this.socket.setTimeout(this.opts.idleTimeoutMs);
      if (this.pendingPong !== null) this.commit();
      if (!this.paused && this.inbound.length === 0) this.socket.resume();
    }
  }

  /** Runs `fn` as if dispatching a chunk: its output is collected and committed once. */
  private dispatch(fn: () => void): void {
    this.dispatching = true;
    try {
      fn();
    } catch (thrown) {
      this.dispatching = false;
      this.callbackFailed(thrown);
      return;
    }
    this.dispatching = false;
    this.commit();
  }

  /** Inflates the held compressed messages one by one and handles the held events in order. */
  private async pumpInbound(): Promise<void> {
    this.inflating = true;
    const codec = this.codec!;
    while (this.inbound.length !== 0 && !this.inputClosed) {
      const item = this.inbound[0]!;
      if (item.kind === 'message' && item.compressed) {
        let data: Buffer;
        try {
          data = await codec.decompress(item.data);
          if (!item.binary && !isValidUtf8(data)) throw new ProtocolError('WS_ERR_INVALID_UTF8', 'inflated text message is not valid UTF-8');
        } catch (err) {
          if (this.inputClosed) break;
          const e = err instanceof ProtocolError ? err : new ProtocolError('WS_ERR_INFLATE_FAILED', 'decompression failed');
          this.inbound = [];
          this.dispatch(() => this.fail(e.closeCode, e.message));
          break;
        }
        if (this.inputClosed) break;
        this.inbound.shift();
        this.dispatch(() => this.deliverMessage(data, item.binary));
        continue;
      }
      this.inbound.shift();
      switch (item.kind) {
        case 'message':
          this.dispatch(() => this.deliverMessage(item.data, item.binary));
          break;
        case 'ping':
          this.dispatch(() => this.handlePing(item.data));
          break;
        case 'pong':
          this.dispatch(() => this.handlePong(item.data));
          break;
        case 'close':
          this.dispatch(() => this.handleClose(item.code, item.reason));
          break;
        case 'error':
          this.dispatch(() => this.fail(item.error.closeCode, item.error.message));
          break;
        case 'end':
          this.peerEnded();
          break;
      }
    }
    this.inbound = [];
    this.inflating = false;
    if (!this.socketClosed && !this.paused && !this.readerDone) this.socket.resume();
  }

  /** Queues a message for compression; frames queued later wait behind it. */
  private sendCompressed(opcode: number, payload: Buffer): void {
    const slot: OutSlot = { parts: null, pendingBytes: payload.length };
    this.outSlots.push(slot);
    this.compressPendingBytes += payload.length;
    this.codec!.compress(payload).then(
      (body) => {
        slot.parts = [encodeFrameHeader({ opcode, payloadLength: body.length, rsv1: true }), body];
        this.slotDone(slot);
      },
      () => {
        slot.parts = [];
        this.slotDone(slot);
        this.dispatch(() => this.fail(1011, 'compression failed'));
      },
    );
  }

  private slotDone(slot: OutSlot): void {
    if (this.socketClosed) return;
    this.compressPendingBytes -= slot.pendingBytes;
    slot.pendingBytes = 0;
    while (this.outSlots.length !== 0 && this.outSlots[0]!.parts !== null) {
      for (const part of this.outSlots.shift()!.parts!) {
        this.out.push(part);
        this.outBytes += part.length;
      }
    }
    if (!this.dispatching) {
      this.commit();
      this.tryResume();
    }
  }

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
    if (this.outSlots.length !== 0) {
      this.outSlots.push({ parts: payload.length === 0 ? [header] : [header, payload], pendingBytes: 0 });
      return;
    }
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
      // Frames still waiting behind a compression go out before the socket is ended.
      if (this.outSlots.length === 0) {
        this.endPending = false;
        this.endSocket();
      }
    } else if (
      !this.paused &&
      !this.inputClosed &&
      this.socket.writableLength + this.compressPendingBytes > this.opts.highWaterMark
    ) {
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
