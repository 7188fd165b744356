/**
 * One upgraded connection: the protocol package's MessageReader on a socket.
 *
 * Receive side: every socket chunk goes to `reader.push`, which calls back synchronously for each
 * complete message / control frame. Replies produced during one push (echoes, pongs, the Close)
 * are collected and written together (output-batch.ts).
 *
 * Close rules (RFC 6455 §5.5.1, §7.1.1, §7.1.7; the limits table in this package's README):
 * - peer Close → reply with a Close (empty for empty, 1010 → 1000, else the same code), end TCP at
 *   once, destroy after `closeLingerMs`; input after it is discarded;
 * - protocol error → Close with the error's code, discard input, end TCP, destroy after `closeLingerMs`;
 * - our close() → Close, wait up to `closeTimeoutMs` for the peer's Close, then destroy;
 * - nothing but a Close is ever sent after a Close, and at most one Close is sent.
 *
 * Backpressure (backpressure.ts): reading pauses while queued output is over `highWaterMark` and resumes
 * on 'drain' once at or below `lowWaterMark`. While paused, the socket's inactivity timeout is
 * `stallTimeoutMs` (no read and no write progress → destroy); otherwise it is `idleTimeoutMs` (→ Close 1001).
 *
 * permessage-deflate (when negotiated): zlib work runs on the thread pool (bounded by the server's
 * ZlibLimiter), and deflate-ordering.ts keeps wire order both ways. The inflated size is capped at
 * maxMessageSize while inflating (1009); corrupt data → 1007; inflated text is UTF-8-checked (1007). The
 * socket is ended only once every message being compressed is written.
 *
 * State, three orthogonal parts, each with its transitions in one table: the lifecycle (connection-state.ts:
 * Open, CloseSent, PeerEnded, Closing, Ended, Closed), the backpressure flow (backpressure.ts: Reading,
 * Paused) and, with permessage-deflate, the inbound order (deflate-ordering.ts: Passing, Holding,
 * HoldingLast, Done).
 */
import {
  DeflateCodec,
  MessageReader,
  Opcode,
  ProtocolError,
  encodeClosePayload,
  type DeflateCounters,
  type DeflateParams,
  type MaskArena,
  type MessageHandler,
  type ZlibLimiter,
} from '@wsmatrix/protocol';
import { Backpressure } from './backpressure.js';
import { checkOwnClose, closeReplyCode, fittingReason } from './close-frame.js';
import {
  Lifecycle,
  canSend,
  isEndDue,
  isInputOpen,
  nextLifecycle,
  readyStateOf,
  type LifecycleEvent,
} from './connection-state.js';
import type { ConnectionHandler, ReadyState, WebSocketConnection } from './connection-types.js';
import {
  InboundOrder,
  InboundState,
  OutboundOrder,
  type HeldEvent,
  type InboundSink,
  type OutboundSink,
} from './deflate-ordering.js';
import { DestroyTimer } from './destroy-timer.js';
import type { ResolvedOptions } from './options.js';
import { OutputBatch, frameParts } from './output-batch.js';
import { MIN_READ_BYTES, SHARED_READ_BYTES, type ReadRoute } from './read-route.js';
import type { ServerSocket } from './server-socket.js';

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

const EMPTY = Buffer.alloc(0);
/** Socket 'error' listener: ECONNRESET, EPIPE, … are followed by 'close', which does the bookkeeping. */
const noop = (): void => {};

function toBuffer(data: Buffer | Uint8Array | string): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (Buffer.isBuffer(data)) return data;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export class Connection implements WebSocketConnection, MessageHandler, InboundSink, OutboundSink {
  handler: ConnectionHandler;
  readonly protocol: string;
  /** The Sec-WebSocket-Extensions value of our 101 ('' when none). */
  readonly extensions: string;

  bytesReceived = 0;
  bytesDiscarded = 0;
  messagesReceived = 0;
  messagesSent = 0;

  /** Where the connection is in its life; changed only by `enter`. */
  private lifecycle: Lifecycle = Lifecycle.Open;
  private readonly backpressure: Backpressure;
  /** Frames produced while dispatching a chunk, written together afterwards. */
  private readonly batch = new OutputBatch();
  /**
   * Re-entrancy guard, not state: true while reader events (or one held event) are handled, so that
   * frames queued meanwhile, by us or by the user's callbacks, are committed once at the end.
   */
  private dispatching = false;

  private readonly socket: ServerSocket;
  private readonly owner: ConnectionOwner;
  private readonly opts: ResolvedOptions;
  private readonly reader: MessageReader;
  private readonly route: ReadRoute | null;

  private peerCloseCode = 1006;
  private peerCloseReason = '';
  /** Created on the first deadline: most connections never close from our side. */
  private destroyTimer: DestroyTimer | null = null;

  private readonly codec: DeflateCodec | null;
  /** With permessage-deflate: events held behind a message being inflated. */
  private readonly inbound: InboundOrder | null;
  /** With permessage-deflate: frames waiting behind a message being compressed. */
  private readonly outbound: OutboundOrder | null;

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
    this.backpressure = new Backpressure(this.opts.highWaterMark, this.opts.lowWaterMark);
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
    this.inbound = this.codec === null ? null : new InboundOrder(this);
    this.outbound = this.codec === null ? null : new OutboundOrder(this);
    this.reader = new MessageReader(
      {
        role: 'server',
        maxMessageSize: this.opts.maxMessageSize,
        partOverhead: this.opts.partOverhead,
        perMessageDeflate: this.codec !== null,
        transientInput: route !== null,
        arena: route !== null ? owner.maskArena : null,
      },
      // With permessage-deflate the reader's events go through the inbound order, which keeps wire order.
      this.inbound ?? this,
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
    if (!this.backpressure.paused) this.socket.resume();
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
    return readyStateOf(this.lifecycle);
  }

  get paused(): boolean {
    return this.backpressure.paused;
  }

  get pauses(): number {
    return this.backpressure.pauses;
  }

  get pongsCoalesced(): number {
    return this.backpressure.pongsCoalesced;
  }

  get writes(): number {
    return this.batch.writes;
  }

  get peakQueuedOutputBytes(): number {
    return this.batch.peakQueuedBytes;
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
    if (!canSend(this.lifecycle)) return false;
    const isBinary = binary ?? typeof data !== 'string';
    const opcode = isBinary ? Opcode.Binary : Opcode.Text;
    const payload = toBuffer(data);
    // Compressed, it waits in the outbound order; frames queued later wait behind it.
    if (this.codec !== null) this.outbound!.addCompressed(opcode, this.codec.compress(payload), payload.length);
    else this.pushFrame(opcode, payload);
    this.messagesSent++;
    this.commitUnlessDispatching();
    return true;
  }

  ping(data: Buffer | Uint8Array | string = EMPTY): boolean {
    const payload = toBuffer(data);
    if (payload.length > 125) throw new RangeError('ping payload must be at most 125 bytes');
    if (!canSend(this.lifecycle)) return false;
    this.pushFrame(Opcode.Ping, payload);
    this.commitUnlessDispatching();
    return true;
  }

  close(code = 1000, reason = ''): void {
    checkOwnClose(code, reason);
    if (!canSend(this.lifecycle)) return;
    this.sendClose(encodeClosePayload(code, reason));
    this.armDestroy(this.opts.closeTimeoutMs);
    this.commitUnlessDispatching();
  }

  terminate(): void {
    this.socket.destroy();
  }

  /** Server shutdown: Close 1001 if still open, and destroy after `graceMs` whatever happens. */
  shutdown(graceMs: number): void {
    if (canSend(this.lifecycle)) {
      this.sendClose(encodeClosePayload(1001, 'Server shutting down'));
      this.commitUnlessDispatching();
    }
    if (graceMs === 0) this.socket.destroy();
    else this.armDestroy(graceMs);
  }

  // ---- MessageHandler: the reader's events in wire order (messages inflated) ------------------

  onMessage(data: Buffer, binary: boolean): void {
    if (!isInputOpen(this.lifecycle)) return;
    this.messagesReceived++;
    const handler = this.handler;
    if (handler.onMessage !== undefined) handler.onMessage(this, data, binary);
  }

  onPing(data: Buffer): void {
    if (!isInputOpen(this.lifecycle)) return;
    // Once our Close is out, no pong follows it.
    if (
      this.lifecycle === Lifecycle.Open &&
      this.backpressure.answerPingNow(this.socket.writableLength + this.batch.bytes, data)
    ) {
      this.pushFrame(Opcode.Pong, data);
    }
    const handler = this.handler;
    if (handler.onPing !== undefined) handler.onPing(this, data);
  }

  onPong(data: Buffer): void {
    if (!isInputOpen(this.lifecycle)) return;
    const handler = this.handler;
    if (handler.onPong !== undefined) handler.onPong(this, data);
  }

  onClose(code: number | null, reason: string): void {
    if (!isInputOpen(this.lifecycle)) return;
    this.peerCloseCode = code ?? 1005;
    this.peerCloseReason = reason;
    if (this.lifecycle === Lifecycle.Open) {
      this.sendClose(code === null ? EMPTY : encodeClosePayload(closeReplyCode(code)));
    }
    this.enter('inputClosed');
    this.commitUnlessDispatching();
  }

  // ---- InboundSink (deflate-ordering.ts hands held events back here) ---------------------

  inputOpen(): boolean {
    return isInputOpen(this.lifecycle);
  }

  inflate(data: Buffer): Promise<Buffer> {
    return this.codec!.decompress(data);
  }

  heldEvent(event: HeldEvent): void {
    switch (event.kind) {
      case 'message':
        this.dispatch(() => this.onMessage(event.data, event.binary));
        break;
      case 'ping':
        this.dispatch(() => this.onPing(event.data));
        break;
      case 'pong':
        this.dispatch(() => this.onPong(event.data));
        break;
      case 'close':
        this.dispatch(() => this.onClose(event.code, event.reason));
        break;
      case 'error':
        this.dispatch(() => this.fail(event.error.closeCode, event.error.message));
        break;
      case 'end':
        this.peerEnded();
        break;
    }
  }

  inflateFailed(error: unknown): void {
    const e =
      error instanceof ProtocolError ? error : new ProtocolError('WS_ERR_INFLATE_FAILED', 'decompression failed');
    this.dispatch(() => this.fail(e.closeCode, e.message));
  }

  // ---- OutboundSink (deflate-ordering.ts releases compressed frames, and those behind them) ----

  framesReady(parts: Buffer[]): void {
    if (this.lifecycle === Lifecycle.Closed) return;
    for (const part of parts) this.batch.push(part);
    if (!this.dispatching) {
      this.commit();
      this.tryResume();
    }
  }

  compressionFailed(): void {
    this.dispatch(() => this.fail(1011, 'compression failed'));
  }

  holdReleased(state: InboundState): void {
    // After the reader's last event nothing more is read.
    if (this.lifecycle !== Lifecycle.Closed && !this.backpressure.paused && state !== InboundState.Done) {
      this.socket.resume();
    }
  }

  // ---- socket events -----------------------------------------------------------------------

  private onSocketData(chunk: Buffer): void {
    if (!isInputOpen(this.lifecycle) || this.inbound?.readerDone) {
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
    if (error !== null && !this.inbound?.holdError(error)) {
      this.fail(error.closeCode, error.message);
    }
    this.commit();
    const route = this.route;
    if (route !== null) {
      // Echo-like handlers turn a read into as much output: keep the queue within highWaterMark + 64 KiB.
      const room = this.opts.highWaterMark - this.socket.writableLength;
      route.readBytes = room >= SHARED_READ_BYTES ? SHARED_READ_BYTES : Math.max(room, MIN_READ_BYTES);
      route.direct = this.reader.directReadTarget;
    }
    if (this.inboundHolding()) {
      // Hold further input until the compressed message (and what followed it) has been handled.
      this.socket.pause();
      this.inbound!.start();
    }
  }

  private onSocketDrain(): void {
    this.tryResume();
  }

  private onSocketEnd(): void {
    if (this.inbound?.holdEnd()) return;
    this.peerEnded();
  }

  private onSocketTimeout(): void {
    if (this.backpressure.paused || !canSend(this.lifecycle)) {
      // Stalled under backpressure (no read and no write progress), or a close that went nowhere.
      this.socket.destroy();
    } else {
      this.close(1001, 'Idle timeout');
    }
  }

  private onSocketClose(): void {
    if (this.lifecycle === Lifecycle.Closed) return;
    this.enter('socketClosed');
    this.inbound?.clear();
    this.outbound?.clear();
    this.backpressure.dropDeferredPong();
    this.batch.clear();
    this.destroyTimer?.cancel();
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

  private enter(event: LifecycleEvent): void {
    this.lifecycle = nextLifecycle(this.lifecycle, event);
  }

  private inboundHolding(): boolean {
    return this.inbound?.holding ?? false;
  }

  /** Queued output: written but not yet taken by the kernel, plus plaintext waiting for compression. */
  private outputBacklog(): number {
    return this.socket.writableLength + (this.outbound === null ? 0 : this.outbound.pendingBytes);
  }

  private peerEnded(): void {
    // Peer FIN. Sockets from node:http allow half-open connections, so end our side too.
    this.enter('inputClosed');
    this.commitUnlessDispatching();
  }

  /** Resumes reading once output (written and waiting for compression) is down to the low-water mark. */
  private tryResume(): void {
    if (!this.backpressure.resumeIfDrained(this.outputBacklog())) return;
    this.socket.setTimeout(this.opts.idleTimeoutMs);
    if (this.backpressure.pongOwed) this.commit();
    if (!this.backpressure.paused && !this.inboundHolding()) this.socket.resume();
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

  /** Fail the WebSocket connection (RFC 6455 §7.1.7): one Close if none was sent, then end. */
  private fail(code: number, reason: string): void {
    if (canSend(this.lifecycle)) this.sendClose(encodeClosePayload(code, fittingReason(reason)));
    this.enter('inputClosed');
    this.commitUnlessDispatching();
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
    this.enter('closeQueued');
    this.backpressure.dropDeferredPong();
    this.pushFrame(Opcode.Close, payload);
  }

  private pushFrame(opcode: number, payload: Buffer): void {
    const outbound = this.outbound;
    if (outbound?.holding) outbound.enqueue(frameParts(opcode, payload));
    else this.batch.pushFrame(opcode, payload);
  }

  /** Commits now, or leaves it to the dispatch under way (which commits once at its end). */
  private commitUnlessDispatching(): void {
    if (!this.dispatching) this.commit();
  }

  /** Writes what was queued, answers a deferred ping if there is room, ends or applies backpressure. */
  private commit(): void {
    this.flush();
    const pong = this.backpressure.takeDeferredPong(this.socket.writableLength);
    if (pong !== null) {
      this.pushFrame(Opcode.Pong, pong);
      this.flush();
    }
    if (isEndDue(this.lifecycle)) {
      // Frames still waiting behind a compression go out before the socket is ended.
      if (!this.outbound?.holding) this.endSocket();
    } else if (isInputOpen(this.lifecycle) && this.backpressure.pauseIfOver(this.outputBacklog())) {
      this.socket.pause();
      this.socket.setTimeout(this.opts.stallTimeoutMs);
    }
  }

  private flush(): void {
    this.batch.flush(this.socket, this.lifecycle === Lifecycle.Ended);
  }

  private endSocket(): void {
    this.enter('tcpEnded');
    this.socket.end();
    this.armDestroy(this.opts.closeLingerMs);
    // Keep reading (and discarding) so the peer's FIN is seen and the socket can close early.
    if (this.backpressure.release()) this.socket.resume();
  }

  /** Destroys the socket `ms` from now unless an earlier destroy is already scheduled. */
  private armDestroy(ms: number): void {
    if (this.lifecycle === Lifecycle.Closed) return;
    this.destroyTimer ??= new DestroyTimer(this.socket);
    this.destroyTimer.arm(ms);
  }
}
